// The settings a portal starts with (issue 16, items 1 and 6): the defaults, with each empty
// queue given the departments named after its role, and every stage role pointing at the stage
// provisioning found or made — so a portal whose departments carry the roles' names works
// right after the install, and one that had such stages already keeps them working.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/core/install_spec.h"
#include "lib/core/provision_plan.h"
#include "lib/core/settings.h"

namespace core {

// "hunters", "closers" or "production" for a department named after a role, in Russian or
// English, whatever the letter case, spaces and hyphens: «Колл-центр» / "Call center",
// «Отдел продаж» / «Продажи» / "Sales", «Производство» / "Production"; nullopt otherwise.
std::optional<std::string> QueueOfDepartmentName(std::string_view name);

struct FirstSetup {
  Settings settings;
  // What was decided, for the journal and the pages: {"hunters": [{"id": 5, "name": "…"}], …}
  // for the departments found, {"sales.meeting": "UC_X1Y2", …} for the stages that are not
  // Conveyor's own ids.
  nlohmann::json departments = nlohmann::json::object();
  nlohmann::json stages = nlohmann::json::object();
  std::string time_zone;  // the zone taken, "" when the default stayed
};

// `departments` are department.get rows (ID, NAME). A queue that names departments or users
// already is left as it is. `time_zone` is the installing admin's (profile's TIME_ZONE): the
// portal has no zone of its own in REST, and the admin's is the best guess; an empty or unknown
// one leaves the default.
FirstSetup FirstSettings(Settings defaults, const nlohmann::json& departments,
                         const InstallSpec& spec, const PortalLayout& layout,
                         std::string_view time_zone);

}  // namespace core
