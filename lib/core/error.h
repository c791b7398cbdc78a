// Errors as values: every routine failure (forged token, expired OAuth, a 503 from the portal,
// a missing row) travels as an Error inside a Result and is mapped to one HTTP answer.
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace core {

enum class ErrorCode {
  kInvalidArgument,  // the caller sent something malformed
  kUnauthorized,     // unknown installation or a token that does not match
  kForbidden,        // known caller, not allowed to do this
  kNotFound,
  kConflict,
  kUnavailable,  // a dependency (the portal, the disk) failed; retrying may help
  kInternal,
};

struct Error {
  ErrorCode code;
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

// The failed Result of any type: `return core::Fail(ErrorCode::kNotFound, "no such portal");`.
inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::make_unexpected(Error{code, std::move(message)});
}

// The HTTP status a handler answers with for this code.
int HttpStatus(ErrorCode code);

// A stable machine-readable name for the code, used in JSON error bodies.
std::string_view ErrorName(ErrorCode code);

}  // namespace core
