// Each portal's settings (the JSON the admin page edits), kept as numbered versions rather than
// overwritten: a decision records the settings_version it was made under, and the journal shows
// that exact version later. Saving is optimistic: an editor says which version it started from,
// and a save made meanwhile by another admin turns the second save into a conflict instead of a
// silent overwrite.
//
// Thread-safety: safe to share between threads. The Database must outlive the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/core/error.h"
#include "lib/store/database.h"

namespace store {

class SettingsStore {
 public:
  struct Saved {
    int version = 0;       // 1 for a portal's first save, then +1 per save
    std::string body;      // valid JSON, as it was given to Save()
    int64_t saved_at = 0;  // Unix seconds
    int64_t saved_by = 0;  // the Bitrix24 user id of the admin; 0 when not a user
  };

  explicit SettingsStore(Database& db) : db_(db) {}

  // The newest version; nullopt when the portal never saved settings (or is unknown).
  [[nodiscard]] core::Result<std::optional<Saved>> Latest(std::string_view member_id);
  // That version; nullopt when it was never saved for this portal.
  [[nodiscard]] core::Result<std::optional<Saved>> Get(std::string_view member_id, int version);
  // Stores `body` as the portal's next version (latest + 1, or 1) and returns that version.
  // `expected_version` is the version the editor started from (0 for none yet); nullopt saves
  // unconditionally. Nothing is stored on failure: kInvalidArgument when `body` is not valid
  // JSON, kNotFound when the portal is unknown, kConflict when `expected_version` is not the
  // latest version, kUnavailable when the database is busy or failing.
  [[nodiscard]] core::Result<int> Save(std::string_view member_id, std::string_view body,
                                       int64_t now, int64_t saved_by,
                                       std::optional<int> expected_version);

 private:
  Database& db_;
};

}  // namespace store
