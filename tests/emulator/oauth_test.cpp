// The OAuth server: refresh with rotation, the documented errors, expiry of access tokens.
#include <catch2/catch.hpp>

#include "tests/emulator/harness.h"

namespace oauth_test {

using test::json;

namespace {

test::Answer Refresh(test::Emulator& emu, const std::string& refresh,
                     const std::string& secret = "conveyor-secret") {
  return emu.Get("/oauth/token/?grant_type=refresh_token&client_id=local.conveyor&client_secret=" +
                 secret + "&refresh_token=" + refresh);
}

}  // namespace

TEST_CASE("an expired access token gets 401 expired_token — a refresh rotates the pair") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  emu.Control("clock", {{"advance", 3601}});
  const auto expired = emu.App(tokens.access, "user.current");
  CHECK(expired.status == 401);
  CHECK(expired.body["error"] == "expired_token");
  CHECK(expired.body["error_description"] == "The access token provided has expired");

  const auto fresh = Refresh(emu, tokens.refresh);
  REQUIRE(fresh.status == 200);
  for (const char* key :
       {"access_token", "client_endpoint", "domain", "expires", "expires_in", "member_id",
        "refresh_token", "scope", "server_endpoint", "status", "user_id"}) {
    CHECK(fresh.body.contains(key));
  }
  CHECK(fresh.body["expires_in"] == 3600);
  CHECK(fresh.body["member_id"] == "testportal0000000000000000000001");
  CHECK(fresh.body["refresh_token"] != tokens.refresh);
  CHECK(emu.App(fresh.body["access_token"], "user.current").status == 200);

  const auto reused = Refresh(emu, tokens.refresh);  // the old refresh token is spent
  CHECK(reused.status == 400);
  CHECK(reused.body["error"] == "invalid_grant");
  CHECK(Refresh(emu, fresh.body["refresh_token"]).status == 200);
}

TEST_CASE("the OAuth server refuses wrong client credentials and malformed requests") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  const auto bad_secret = Refresh(emu, tokens.refresh, "nope");
  CHECK(bad_secret.status == 401);
  CHECK(bad_secret.body["error"] == "invalid_client");
  CHECK(emu.Get("/oauth/token/?client_id=local.conveyor").body["error"] == "invalid_request");
  // The refused attempt did not spend the refresh token.
  CHECK(Refresh(emu, tokens.refresh).status == 200);
}

}  // namespace oauth_test
