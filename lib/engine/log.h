// Structured logging: one JSON object per line, keyed by `member_id` where a portal is
// concerned (issue #3, item 8). Never pass tokens, secrets or raw request bodies as fields.
// `UseJsonLines` sets the process-wide spdlog pattern; `Log` writes the message and fields.
// Thread-safety: safe to call from any thread (spdlog's default logger is thread-safe).
#pragma once

#include <optional>
#include <string_view>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace engine {

// {"ts":"…","level":"info","msg":"…",…fields} on every line from now on at `level` and above,
// written to stderr by a background thread. Levels are written as trace, debug, info, warn,
// error and critical. Call once, before any other thread logs; spdlog::shutdown() flushes.
void UseJsonLines(spdlog::level::level_enum level);

// "trace", "debug", "info", "warn" (or "warning"), "error", "critical" or "off"; nullopt for
// anything else.
std::optional<spdlog::level::level_enum> LevelNamed(std::string_view name);

void Log(spdlog::level::level_enum level, std::string_view message,
         const nlohmann::json& fields = nlohmann::json::object());

// Runs `job` for a background thread (a worker round, a sweep, a backfill): whatever it throws
// is logged and stops only that round, never the thread or the process. False when it threw.
template <class Job>
bool Contain(std::string_view where, Job&& job) {
  try {
    job();
    return true;
  } catch (const std::exception& e) {
    Log(spdlog::level::err, "background failure", {{"where", where}, {"error", e.what()}});
  } catch (...) {
    Log(spdlog::level::err, "background failure", {{"where", where}});
  }
  return false;
}

}  // namespace engine
