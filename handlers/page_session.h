// The short-lived session a page (the card tab, the app page) carries in its API calls, issued
// once the page request proved its portal (APPLICATION_TOKEN) and its user (user.current on the
// AUTH_ID). Signed with HMAC-SHA256, not stored: any instance with the key can check it.
// Token: base64url("v1|member_id|user_id|admin|expires_at") "." base64url(mac).
// Thread-safety: an immutable value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "lib/core/error.h"

namespace handlers {

struct PageSession {
  std::string member_id;
  int64_t user_id = 0;
  bool admin = false;
  int64_t expires_at = 0;  // Unix seconds
};

class PageSessions {
 public:
  static constexpr int64_t kLifetimeSeconds = 30 * 60;

  explicit PageSessions(std::string key) : key_(std::move(key)) {}

  // A session for `member_id`'s user, valid kLifetimeSeconds from `now`.
  std::string Issue(const std::string& member_id, int64_t user_id, bool admin, int64_t now) const;
  // Fails with kUnauthorized for a malformed, forged or expired token.
  [[nodiscard]] core::Result<PageSession> Verify(std::string_view token, int64_t now) const;

 private:
  std::string Mac(std::string_view payload) const;

  std::string key_;
};

}  // namespace handlers
