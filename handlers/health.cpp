#include "handlers/health.h"

#include <nlohmann/json.hpp>

namespace handlers {

void Health(const Deps& deps, const httplib::Request&, httplib::Response& res) {
  const auto uptime = std::chrono::steady_clock::now() - deps.started;
  const nlohmann::json body = {
      {"status", "ok"},
      {"version", deps.version},
      {"uptime_s", std::chrono::duration_cast<std::chrono::seconds>(uptime).count()},
  };
  res.set_content(body.dump(), "application/json");
}

}  // namespace handlers
