// The pages' sessions: signed, short-lived, and refused when altered, foreign or expired.
#include "handlers/page_session.h"

#include <catch2/catch.hpp>

namespace page_session_test {

handlers::PageSession Session(const std::string& member_id, int64_t user_id, bool admin,
                              const std::string& entity_type = "", int64_t entity_id = 0) {
  handlers::PageSession session;
  session.member_id = member_id;
  session.user_id = user_id;
  session.admin = admin;
  session.entity_type = entity_type;
  session.entity_id = entity_id;
  return session;
}

TEST_CASE("a page session reads back until it expires and not after") {
  const handlers::PageSessions sessions(std::string(32, 'k'));
  const std::string token = sessions.Issue(Session("portal.1", 42, true), 1000);
  auto read = sessions.Verify(token, 1000 + handlers::PageSessions::kLifetimeSeconds - 1);
  REQUIRE(read);
  CHECK(read->member_id == "portal.1");
  CHECK(read->user_id == 42);
  CHECK(read->admin);
  CHECK(read->entity_type.empty());
  CHECK_FALSE(sessions.Verify(token, 1000 + handlers::PageSessions::kLifetimeSeconds));
  CHECK_FALSE(sessions.Issue(Session("portal.1", 7, false), 0).empty());
  CHECK_FALSE(sessions.Verify(sessions.Issue(Session("p", 7, false), 1000), 1001)->admin);
}

TEST_CASE("a card's session carries its card") {
  const handlers::PageSessions sessions(std::string(32, 'k'));
  auto read = sessions.Verify(sessions.Issue(Session("p", 7, false, "deal", 55), 1000), 1001);
  REQUIRE(read);
  CHECK(read->entity_type == "deal");
  CHECK(read->entity_id == 55);
}

TEST_CASE("a page session signed with another key or altered is refused") {
  const handlers::PageSessions sessions(std::string(32, 'k'));
  const handlers::PageSessions other(std::string(32, 'x'));
  const std::string token = sessions.Issue(Session("portal", 42, false, "lead", 3), 1000);
  CHECK_FALSE(other.Verify(token, 1001));
  // Each character changed in turn: the payload (say, admin 0 -> 1) or the signature.
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string altered = token;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    if (altered == token) continue;
    INFO(i);
    CHECK_FALSE(sessions.Verify(altered, 1001));
  }
  for (const char* bad : {"", ".", "abc", "abc.def", "a.b.c"}) CHECK_FALSE(sessions.Verify(bad, 1));
  CHECK(sessions.Verify("abc.def", 1).error().code == core::ErrorCode::kUnauthorized);
}

}  // namespace page_session_test
