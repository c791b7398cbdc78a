// A Bitrix24 REST error: HTTP status, `error` code (sometimes empty, as legacy CRM methods
// answer) and `error_description`, plus optional extra keys such as "argument".
// The exact strings come from REST.md §4.4 and the docs pages cited there.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace emu {

struct RestError {
  int status = 400;
  std::string code;
  std::string description;
  nlohmann::ordered_json extra = nlohmann::ordered_json::object();
};

// What a method returns on success. `total` and `next` are lifted into the envelope.
struct Reply {
  nlohmann::ordered_json result;
  std::optional<long> total;
  std::optional<long> next;
};

using MethodResult = tl::expected<Reply, RestError>;

inline tl::unexpected<RestError> Fail(int status, std::string code, std::string description) {
  return tl::unexpected(RestError{status, std::move(code), std::move(description), {}});
}

// Legacy crm.* "not found": HTTP 400 with an empty error code.
inline tl::unexpected<RestError> NotFound() { return Fail(400, "", "Not found"); }
inline tl::unexpected<RestError> BadId() { return Fail(400, "", "ID is not defined or invalid."); }
inline tl::unexpected<RestError> AccessDenied(const std::string& detail = "") {
  return Fail(403, "ACCESS_DENIED", detail.empty() ? "Access denied!" : "Access denied! " + detail);
}
inline tl::unexpected<RestError> ArgumentError(const std::string& argument,
                                               const std::string& description) {
  RestError e{400, "ERROR_ARGUMENT", description, {{"argument", argument}}};
  return tl::unexpected(std::move(e));
}
inline tl::unexpected<RestError> CoreError(const std::string& description) {
  return Fail(400, "ERROR_CORE", description);
}

}  // namespace emu
