#include "lib/engine/log.h"

#include <memory>

#include <spdlog/async.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace engine {

void UseJsonLines() {
  // Lines are written by a background thread: a request never waits for the terminal or disk.
  spdlog::init_thread_pool(8192, 1);
  spdlog::set_default_logger(std::make_shared<spdlog::async_logger>(
      "conveyor", std::make_shared<spdlog::sinks::stderr_sink_mt>(), spdlog::thread_pool(),
      spdlog::async_overflow_policy::block));
  // The message part is a JSON member list written by Log(), so the line is one JSON object.
  spdlog::set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%e%z","level":"%l",%v})");
}

void Log(spdlog::level::level_enum level, std::string_view message, const nlohmann::json& fields) {
  if (!spdlog::should_log(level)) return;
  std::string line = "\"msg\":" + nlohmann::json(message).dump();
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) {
      line += "," + nlohmann::json(key).dump() + ":" +
              value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
  }
  spdlog::log(level, "{}", line);
}

}  // namespace engine
