#include "lib/b24/failure.h"

namespace b24 {

Failure Classify(int http_status, const std::string& code, const std::string& description) {
  FailureKind kind = FailureKind::kBadRequest;
  if (http_status == 0) {
    kind = FailureKind::kTransport;
  } else if (code == "QUERY_LIMIT_EXCEEDED") {
    kind = FailureKind::kQueryLimit;
  } else if (code == "OPERATION_TIME_LIMIT") {
    kind = FailureKind::kOperationLimit;
  } else if (code == "expired_token") {
    kind = FailureKind::kExpiredToken;
  } else if (code == "invalid_token" || code == "NO_AUTH_FOUND" || code == "INVALID_CREDENTIALS") {
    kind = FailureKind::kInvalidToken;
  } else if (code == "invalid_grant") {
    kind = FailureKind::kNeedsReinstall;
  } else if (code == "ACCESS_DENIED" || code == "insufficient_scope" || code == "WRONG_AUTH_TYPE" ||
             http_status == 403) {
    kind = FailureKind::kAccessDenied;
  } else if (code == "NOT_FOUND" || description == "Not found" || http_status == 404) {
    kind = FailureKind::kNotFound;
  } else if (http_status >= 500) {
    kind = FailureKind::kServer;
  }
  return {kind, http_status, code, description};
}

bool NotOffered(const Failure& failure) {
  return failure.code == "ERROR_METHOD_NOT_FOUND" || failure.code == "insufficient_scope" ||
         failure.kind == FailureKind::kAccessDenied;
}

bool CertainlyNotRun(FailureKind kind) {
  switch (kind) {
    case FailureKind::kQueryLimit:
    case FailureKind::kOperationLimit:
    case FailureKind::kExpiredToken:
    case FailureKind::kInvalidToken:
    case FailureKind::kNeedsReinstall:
    case FailureKind::kUnknownPortal:
    case FailureKind::kNotSent:
      return true;
    case FailureKind::kTransport:
    case FailureKind::kNotFound:
    case FailureKind::kAccessDenied:
    case FailureKind::kBadRequest:
    case FailureKind::kServer:
      return false;
  }
  return false;
}

core::Error ToCoreError(const Failure& f, const std::string& context) {
  const std::string text = (context.empty() ? "" : context + ": ") +
                           (f.code.empty() ? f.description : f.code + ": " + f.description);
  switch (f.kind) {
    case FailureKind::kNotFound:
      return {core::ErrorCode::kNotFound, text};
    case FailureKind::kAccessDenied:
      return {core::ErrorCode::kForbidden, text};
    case FailureKind::kBadRequest:
      return {core::ErrorCode::kInvalidArgument, text};
    case FailureKind::kExpiredToken:
    case FailureKind::kInvalidToken:
    case FailureKind::kNeedsReinstall:
    case FailureKind::kUnknownPortal:
      return {core::ErrorCode::kUnauthorized, text};
    case FailureKind::kTransport:
    case FailureKind::kQueryLimit:
    case FailureKind::kOperationLimit:
    case FailureKind::kServer:
    case FailureKind::kNotSent:
      return {core::ErrorCode::kUnavailable, text};
  }
  return {core::ErrorCode::kInternal, text};
}

}  // namespace b24
