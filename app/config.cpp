#include "app/config.h"

#include <charconv>
#include <cstdlib>

namespace app {

core::Result<HostPort> ParseHostPort(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return tl::unexpected(
        core::Error{core::ErrorCode::kInvalidArgument, "expected host:port, got '" + text + "'"});
  }
  int port = -1;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port < 0 || port > 65535) {
    return tl::unexpected(
        core::Error{core::ErrorCode::kInvalidArgument, "bad port in '" + text + "'"});
  }
  return HostPort{text.substr(0, colon), port};
}

void ApplyEnvironment(Config& config) {
  if (const char* v = std::getenv("CONVEYOR_LISTEN"); v && *v) config.listen = v;
  if (const char* v = std::getenv("CONVEYOR_LOG_LEVEL"); v && *v) config.log_level = v;
}

}  // namespace app
