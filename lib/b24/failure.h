// Typed failures of a Bitrix24 REST call, and how each one is handled by the client.
// Thread-safety: plain values.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "lib/core/error.h"

namespace b24 {

enum class FailureKind {
  kTransport,   // no answer: connection refused, timeout, TLS — the call may or may not have run
  kQueryLimit,  // 503 QUERY_LIMIT_EXCEEDED: refused before running
  kOperationLimit,  // 429 OPERATION_TIME_LIMIT: refused before running
  kExpiredToken,    // 401 expired_token
  kInvalidToken,    // 401 invalid_token / NO_AUTH_FOUND / INVALID_CREDENTIALS
  kNeedsReinstall,  // the refresh token was refused (invalid_grant): only a reinstall helps
  kUnknownPortal,   // no stored installation for this member_id
  kNotFound,
  kAccessDenied,  // ACCESS_DENIED, insufficient_scope, WRONG_AUTH_TYPE
  kBadRequest,    // any other 4xx: the request itself is wrong; never retried
  kServer,        // 5xx other than 503 limits: the call may or may not have run
  kNotSent,       // never left: the client is stopping, or the caller's last check said no
};

struct Failure;

// The portal does not offer the method to this app: its module is not on the plan
// (ERROR_METHOD_NOT_FOUND), the app lacks the scope, or its user the right.
bool NotOffered(const Failure& failure);

struct Failure {
  FailureKind kind = FailureKind::kServer;
  int http_status = 0;
  std::string code;  // Bitrix24's `error`, possibly empty
  std::string description;
};

template <class T>
using Result = tl::expected<T, Failure>;

// Classifies an HTTP status and Bitrix24 error body.
Failure Classify(int http_status, const std::string& code, const std::string& description);

// True when the server certainly did not run the call, so repeating it cannot duplicate work.
bool CertainlyNotRun(FailureKind kind);

// The core error a handler or the engine reports for this failure.
// `context`, when given, leads the message ("duplicate search: ACCESS_DENIED: …").
core::Error ToCoreError(const Failure& failure, const std::string& context = "");

}  // namespace b24
