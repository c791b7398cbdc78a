// A lead's way in (issue #4, items 2 and 3; issue 16, item 5): a new lead is checked for
// duplicates by its normalised phones and e-mails; a repeat enquiry is linked to the original
// and goes into work with the original's current owner when that person could take it now
// (active and at work), else to the hunters' queue like any lead; the owner is told either way,
// and the SLA follows it as any item at the assigned stage. Any other lead goes to a hunter at
// once when one is available, or waits at the free stage. A free lead is handed out
// when a hunter becomes available. Every outcome is a decision for the journal.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/decision.h"
#include "lib/core/distribution.h"
#include "lib/core/settings.h"

namespace core {

// Another lead or contact sharing a phone or e-mail with the new lead.
struct DuplicateHit {
  std::string entity_type;  // "lead" or "contact"
  int64_t id = 0;
  int64_t owner_id = 0;  // its ASSIGNED_BY_ID
  std::string title;
};

struct LeadContext {
  std::vector<DuplicateHit> duplicates;  // the lead itself excluded
  std::vector<Candidate> hunters;        // the hunters' queue, with presence and load
  std::string portal_url;                // "https://x.bitrix24.ru", for links in texts
  // The original's owner as a candidate (presence, active), for a repeat enquiry; nullopt when
  // unknown, which counts as not able to take it.
  std::optional<Candidate> owner;
};

// The original a repeat enquiry `lead_id` points to among `hits`: the oldest other lead, else
// the oldest contact; nullptr when it is not a repeat.
const DuplicateHit* OriginalOf(const std::vector<DuplicateHit>& hits, int64_t lead_id);

// A lead just created, in the portal's first status or at the duplicate check.
bool IsLeadArrival(const nlohmann::json& before, const nlohmann::json& lead,
                   const Settings& settings);
// A lead waiting at the free stage for a hunter.
bool IsFreeLead(const nlohmann::json& lead, const Settings& settings);
// An open lead the conveyor never took in: in the portal's first status or at the duplicate
// check (one that waited there since before the install).
bool IsWaitingNewLead(const nlohmann::json& lead, const Settings& settings);

// The plan for an arriving lead. Operation keys make a repeated event harmless.
Outcome PlanLeadArrival(const nlohmann::json& lead, const LeadContext& context,
                        const Settings& settings);
// The plan for a free lead: to the chosen hunter, or a "waiting" decision and no action.
Outcome PlanFreeLead(const nlohmann::json& lead, const LeadContext& context,
                     const Settings& settings);

}  // namespace core
