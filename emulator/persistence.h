// --state FILE: the whole emulator state as one JSON snapshot in a SQLite database, written
// after changes (at most twice a second) and on shutdown, read back at start.
// Thread-safety: functions are independent; callers serialise writes.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace emu {

// Reads the snapshot; nullopt when the file has none yet. Fails (false + message) when the
// file is not a readable SQLite database.
bool LoadSnapshot(const std::string& path, std::optional<nlohmann::json>& out, std::string& error);
bool SaveSnapshot(const std::string& path, const std::string& json_text, std::string& error);

}  // namespace emu
