// The set-up page's picture of a portal (issue 16, item 1): its departments, people and
// pipelines by name, so that a head of sales picks instead of typing IDs; each queue's state
// now ("3 people, 2 at work now, 1 away until 15 Dec"); what is missing before the conveyor
// can hand out work; and how many items wait to be distributed (item 8).
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/distribution.h"
#include "lib/core/report.h"
#include "lib/core/settings.h"

namespace core {

struct DirectoryDepartment {
  int64_t id = 0;
  std::string name;
  int64_t parent = 0;
  int64_t head = 0;  // UF_HEAD: who may mark the department's people away
};

struct DirectoryPerson {
  int64_t id = 0;
  std::string name;
  std::vector<int64_t> departments;
};

struct DirectoryPipeline {
  int64_t id = 0;
  std::string name;
  std::vector<CatalogStage> stages;  // ids as the portal writes them ("C3:NEW")
};

// A lead or deal field as crm.*.fields describes it: what the field mapping and the ready
// date pick from.
struct DirectoryField {
  std::string code;   // "UF_CRM_…", "COMMENTS"
  std::string label;  // a user field's form label, else the field's title
  std::string type;   // "string", "date", "datetime", …
  bool read_only = false;
};

// What the pickers offer: the portal's departments, active employees, stages and fields.
struct PortalDirectory {
  std::vector<DirectoryDepartment> departments;
  std::vector<DirectoryPerson> people;
  std::vector<CatalogStage> lead_stages;
  std::vector<DirectoryPipeline> pipelines;
  std::vector<DirectoryField> lead_fields;
  std::vector<DirectoryField> deal_fields;
};

// The fields of a crm.lead.fields / crm.deal.fields answer, by code.
std::vector<DirectoryField> FieldsOfDescription(const nlohmann::json& fields);

// "Name Last-name" of a user.get row, or "" when it has neither.
std::string PersonName(const nlohmann::json& user);

// crm.status.list rows in the portal's order (SORT).
std::vector<CatalogStage> StagesOfRows(const nlohmann::json& rows);

// From the portal's answers: department.get rows, user.get rows of active employees,
// crm.status.list rows of lead statuses, crm.category.list categories, and each category's
// crm.status.list rows by its id. Rows without an id are left out.
PortalDirectory DirectoryOf(const nlohmann::json& departments, const nlohmann::json& users,
                            const nlohmann::json& lead_statuses, const nlohmann::json& categories,
                            const std::map<int64_t, nlohmann::json>& stages);

// Whether `user` heads one of the departments `person` belongs to (or a department above one).
bool HeadsDepartmentOf(const PortalDirectory& directory, int64_t user, int64_t person);
// Whether `user` heads any department.
bool HeadsAnyDepartment(const PortalDirectory& directory, int64_t user);

// Open items waiting to be handed out: leads new or at the free stage, deals at the free stage
// of the sales and production pipelines.
struct WaitingCounts {
  int64_t leads = 0;
  int64_t sales = 0;
  int64_t production = 0;
};

// The page's whole view:
// {"directory": {departments, people, lead_stages, pipelines},
//  "queues": {name: {"people", "at_work", "away": [{"user", "until"|"paused"}], "members": [...],
//             "named_after_role": [department ids whose name gives this queue]}},
//  "missing": [{"code": "queue_empty"|"no_pipeline"|"no_stage", …}],
//  "waiting": {"leads", "sales", "production"}}
// `members` are each queue's candidates as the rules see them now.
nlohmann::json SetUpViewJson(const Settings& settings, const PortalDirectory& directory,
                             const std::map<std::string, std::vector<Candidate>>& members,
                             const WaitingCounts& waiting, int64_t now);

// What is missing before the conveyor can work, as in SetUpViewJson.
nlohmann::json MissingOf(const Settings& settings, const PortalDirectory& directory,
                         const std::map<std::string, std::vector<Candidate>>& members);

}  // namespace core
