#include "lib/core/error.h"

#include <catch2/catch.hpp>

namespace error_test {

TEST_CASE("every error code maps to its HTTP status and a stable name") {
  struct Row {
    core::ErrorCode code;
    int status;
    const char* name;
  };
  const Row rows[] = {
      {core::ErrorCode::kInvalidArgument, 400, "invalid_argument"},
      {core::ErrorCode::kUnauthorized, 401, "unauthorized"},
      {core::ErrorCode::kForbidden, 403, "forbidden"},
      {core::ErrorCode::kNotFound, 404, "not_found"},
      {core::ErrorCode::kConflict, 409, "conflict"},
      {core::ErrorCode::kUnavailable, 503, "unavailable"},
      {core::ErrorCode::kInternal, 500, "internal"},
  };
  for (const auto& row : rows) {
    CHECK(core::HttpStatus(row.code) == row.status);
    CHECK(core::ErrorName(row.code) == row.name);
  }
}

}  // namespace error_test
