#include "handlers/access.h"

#include <algorithm>

namespace handlers {

bool SeesPortalWide(Deps& deps, const PageSession& session) {
  if (session.admin) return true;
  if (deps.settings == nullptr || session.user_id <= 0) return false;
  auto settings = deps.settings->For(session.member_id);
  if (!settings) return false;
  const auto& viewers = settings->reports.viewers;
  return std::find(viewers.begin(), viewers.end(), session.user_id) != viewers.end();
}

}  // namespace handlers
