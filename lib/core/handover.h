// The hand-over (issue #4, item 4; DOMAIN.md "The hand-over"): a lead the operator marks
// «Готов СЕЙЧАС» becomes a sales deal at «Менеджер назначен» with the chosen closer
// responsible — title, amount, currency, source, comments and the mapped fields carried over,
// the lead's contact/company (or a new contact made from its name, phone and e-mail) and
// LEAD_ID — the lead is converted and points to the deal, both cards get a timeline comment
// "handed over from X to Y", and the closer is notified. Nobody free: the deal waits at the
// free stage. One plan, one batch; a repeated event never makes a second deal (the deal and
// the contact are found again by LEAD_ID / ORIGIN_ID when an answer was lost).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/decision.h"
#include "lib/core/distribution.h"
#include "lib/core/settings.h"

namespace core {

struct HandoverContext {
  std::vector<Candidate> closers;
  int64_t sales_category_id = 0;              // the «Продажи» pipeline's crm.category id
  std::map<int64_t, std::string> user_names;  // for the comment and the notification
  std::string portal_url;
  // > 0 for a lead at the ready-later stage whose day is still ahead: the start of that working
  // day. The deal then waits at the free stage, carrying the date, until a timer hands it out.
  int64_t ready_day_start = 0;
};

// A lead at the ready-now stage.
bool IsReadyNow(const nlohmann::json& lead, const Settings& settings);
// A lead at the ready-later stage («Готов в другой день»).
bool IsReadyLater(const nlohmann::json& lead, const Settings& settings);

// The deal's STAGE_ID for a stage of a pipeline: "C<n>:<stage>" (the bare stage for n = 0).
std::string StageId(int64_t category_id, const std::string& stage);

Outcome PlanHandover(const nlohmann::json& lead, const HandoverContext& context,
                     const Settings& settings);

// The hand-over told, under `key`: "handed over from X to Y" on the deal's and the lead's cards,
// and the closer notified. `deal` is the deal's id or a "$result[...]" reference to it; names
// not in `names` are written as "#<id>". Also for a deal that waited and now reaches a closer.
void AnnounceHandover(Outcome& out, const std::string& key, int64_t lead_id,
                      const std::string& title, const std::string& deal, int64_t hunter,
                      int64_t closer, const std::map<int64_t, std::string>& names,
                      const std::string& portal_url, const Settings& settings);

}  // namespace core
