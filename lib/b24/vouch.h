// Who stands behind a request that claims to come from a portal. Nothing a page or an event
// carries is signed; two parties can vouch for it (REST.md §1.5, §3.3):
// - the OAuth server, for a refresh token: only it knows which installation of this app's
//   client_id it issued the token to, and it answers with that installation's member_id and
//   REST address;
// - the portal at an installation's stored address, for an access token: it names the user
//   who holds it and the app it was issued to.
// Thread-safety: pure functions over a thread-safe Transport.
#pragma once

#include <cstdint>
#include <string>

#include "lib/b24/failure.h"
#include "lib/b24/rest_client.h"
#include "lib/b24/transport.h"

namespace b24 {

// The OAuth server's answer to a refresh token (docs settings/oauth/auto-renewal.md; REST.md
// E6): the installation it belongs to and a new token pair — the token presented is spent.
struct VouchedGrant {
  std::string member_id;
  std::string client_endpoint;  // "https://portal.bitrix24.ru/rest/"
  std::string server_endpoint;
  std::string access_token;
  std::string refresh_token;
  std::string scope;
  std::string status;
  int64_t expires = 0;  // Unix seconds
  int64_t user_id = 0;  // 0 when the answer does not say
};

// Exchanges `refresh_token` with the app's client id and secret at options.oauth_url. Fails
// with kNeedsReinstall when the server refuses the grant (invalid_grant), the classified
// failure of any other refusal, kTransport without an answer, and kBadRequest ("malformed
// OAuth answer") when the answer lacks the tokens, a member_id or an http(s) REST address.
[[nodiscard]] Result<VouchedGrant> ExchangeRefreshToken(Transport& transport,
                                                        const ClientOptions& options,
                                                        const std::string& refresh_token,
                                                        int64_t now);

// Who holds an access token, as the portal says (user.current, user.admin and app.info in one
// batch; docs api-reference/user/user-current.md, common/users/user-admin.md,
// common/system/app-info.md).
struct TokenHolder {
  int64_t user_id = 0;
  bool admin = false;
  std::string app_code;  // app.info CODE: the client_id of a Market app; may be empty
};

// Asks the portal at `client_endpoint`. Fails with the classified failure when the portal
// refuses the token or a command, kTransport without an answer, kBadRequest when the answer
// has no user id.
[[nodiscard]] Result<TokenHolder> WhoHolds(Transport& transport, const std::string& client_endpoint,
                                           const std::string& access_token, double timeout_seconds);

// True for "http(s)://host[:port]/.../rest/" with a host of letters, digits, dots and dashes:
// the only REST addresses this app sends tokens to.
bool IsRestEndpoint(const std::string& url);

}  // namespace b24
