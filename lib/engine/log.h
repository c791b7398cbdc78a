// Structured logging: one JSON object per line, keyed by `member_id` where a portal is
// concerned (issue #3, item 8). Never pass tokens, secrets or raw request bodies as fields.
// `UseJsonLines` sets the process-wide spdlog pattern; `Log` writes the message and fields.
// Thread-safety: safe to call from any thread (spdlog's default logger is thread-safe).
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace engine {

// {"ts":"…","level":"info","msg":"…",…fields} on every line from now on, written to stderr by
// a background thread. Call once, before any other thread logs; spdlog::shutdown() flushes.
void UseJsonLines();

void Log(spdlog::level::level_enum level, std::string_view message,
         const nlohmann::json& fields = nlohmann::json::object());

}  // namespace engine
