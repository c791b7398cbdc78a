#include "lib/engine/log.h"

#include <memory>

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace engine {

namespace {

// The names operators filter on; spdlog's own would say "warning" and "err" in places.
const char* NameOf(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    case spdlog::level::off:
    case spdlog::level::n_levels:
      break;
  }
  return "off";
}

}  // namespace

void UseJsonLines(spdlog::level::level_enum level) {
  // Lines are written by a background thread: a request never waits for the terminal or disk.
  spdlog::init_thread_pool(8192, 1);
  auto logger = std::make_shared<spdlog::async_logger>(
      "conveyor", std::make_shared<spdlog::sinks::stderr_sink_mt>(), spdlog::thread_pool(),
      spdlog::async_overflow_policy::block);
  // The level belongs to the logger: set on the one that replaced the default, not before.
  logger->set_level(level);
  spdlog::set_default_logger(std::move(logger));
  // The message part is a JSON member list written by Log() (the level first), so the line is
  // one JSON object.
  spdlog::set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z",%v})");
}

std::optional<spdlog::level::level_enum> LevelNamed(std::string_view name) {
  if (name == "warning") return spdlog::level::warn;
  for (const auto level :
       {spdlog::level::trace, spdlog::level::debug, spdlog::level::info, spdlog::level::warn,
        spdlog::level::err, spdlog::level::critical, spdlog::level::off}) {
    if (name == NameOf(level)) return level;
  }
  return std::nullopt;
}

void Log(spdlog::level::level_enum level, std::string_view message, const nlohmann::json& fields) {
  if (!spdlog::should_log(level)) return;
  std::string line =
      std::string("\"level\":\"") + NameOf(level) + "\",\"msg\":" + nlohmann::json(message).dump();
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      line += "," + nlohmann::json(key).dump() + ":" +
              value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  spdlog::log(level, "{}", line);
}

}  // namespace engine
