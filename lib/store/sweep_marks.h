// Where the reconciliation sweep of each portal and entity type has read up to: the newest
// DATE_MODIFY it saw, as the portal spells it, so the next sweep asks only for what is newer.
// Thread-safety: safe to share between threads. The Database must outlive the store.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "lib/core/error.h"
#include "lib/store/database.h"

namespace store {

class SweepMarks {
 public:
  explicit SweepMarks(Database& db) : db_(db) {}

  // nullopt when this portal and type were never swept.
  [[nodiscard]] core::Result<std::optional<std::string>> Get(std::string_view member_id,
                                                             std::string_view entity_type);
  // Fails with kNotFound when the portal is unknown.
  [[nodiscard]] core::Result<void> Set(std::string_view member_id, std::string_view entity_type,
                                       std::string_view modified_since);

 private:
  Database& db_;
};

}  // namespace store
