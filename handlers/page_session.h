// The short-lived session a page (the card tab, the app page) carries in its API calls, issued
// once the portal confirmed who holds the page request's AUTH_ID (REST.md §3.3). It carries the
// user and, for a card's tab, the card: what a user who is not an admin may see is that card's
// journey. Signed with HMAC-SHA256, not stored: any instance with the key can check it.
// Token: base64url("v2|member_id|user_id|admin|entity_type|entity_id|expires_at") "."
// base64url(mac).
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
  std::string entity_type;  // "lead" or "deal" for a card's tab; "" for the app page
  int64_t entity_id = 0;
  int64_t expires_at = 0;  // Unix seconds
};

class PageSessions {
 public:
  static constexpr int64_t kLifetimeSeconds = 30 * 60;

  explicit PageSessions(std::string key) : key_(std::move(key)) {}

  // `session` signed, valid kLifetimeSeconds from `now` (its expires_at is ignored).
  std::string Issue(PageSession session, int64_t now) const;
  // Fails with kUnauthorized for a malformed, forged or expired token.
  [[nodiscard]] core::Result<PageSession> Verify(std::string_view token, int64_t now) const;

 private:
  std::string Mac(std::string_view payload) const;

  std::string key_;
};

}  // namespace handlers
