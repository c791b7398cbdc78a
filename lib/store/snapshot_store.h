// The last-seen state of each CRM entity per portal (its fields as JSON, Bitrix24's modification
// time and our hash of the fields), so rules can tell what changed and skip our own echoes.
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

// What existed on the portal when Conveyor was installed: items up to this id, modified at
// latest then. Without a snapshot of their own such items are known, not new (issue 16, item 8).
struct Horizon {
  int64_t up_to_id = 0;
  std::string modified;  // the newest DATE_MODIFY then, as the portal spells it
};

struct Snapshot {
  std::string fields;    // a JSON object
  std::string modified;  // as Bitrix24 spells it (DATE_MODIFY)
  std::string hash;
};

class SnapshotStore {
 public:
  explicit SnapshotStore(Database& db) : db_(db) {}

  // nullopt when the entity was never seen.
  [[nodiscard]] core::Result<std::optional<Snapshot>> Get(std::string_view member_id,
                                                          std::string_view entity_type,
                                                          int64_t entity_id);
  // Inserts or replaces. Fails with kConflict when fields is not valid JSON, kNotFound when the
  // portal is unknown.
  [[nodiscard]] core::Result<void> Put(std::string_view member_id, std::string_view entity_type,
                                       int64_t entity_id, const Snapshot& snapshot);
  // The first horizon of a portal and type stays: a later call changes nothing.
  [[nodiscard]] core::Result<void> SetHorizon(std::string_view member_id,
                                              std::string_view entity_type, const Horizon& horizon);
  // nullopt when none was set (a portal installed before horizons were kept).
  [[nodiscard]] core::Result<std::optional<Horizon>> HorizonOf(std::string_view member_id,
                                                               std::string_view entity_type);

 private:
  Database& db_;
};

}  // namespace store
