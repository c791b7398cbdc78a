// The events route on its own, with real SQLite: a delivery whose key was seen before voids the
// entity's expected echoes, so the one event kept is re-read rather than taken for the echo.
#include "handlers/events.h"

#include <catch2/catch.hpp>

#include "lib/engine/echo_expectations.h"
#include "lib/engine/system_clock.h"
#include "lib/store/inbox.h"
#include "lib/store/portal_store.h"

namespace events_test {

namespace {

const std::string kMember = "eventsportal00000000000000000001";
const std::string kToken = "app-token-0123456789abcdef";

struct EventsFixture {
  std::unique_ptr<store::Database> db = std::move(*store::Database::Open(":memory:"));
  store::TokenCipher cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals{*db, cipher};
  store::Inbox inbox{*db};
  engine::SystemClock clock;
  engine::EchoExpectations echoes;
  handlers::Deps deps;
  EventsFixture() {
    store::PortalRecord record;
    record.member_id = kMember;
    record.application_token = kToken;
    REQUIRE(portals.Upsert(record));
    deps.portals = &portals;
    deps.inbox = &inbox;
    deps.clock = &clock;
    deps.echoes = &echoes;
  }
  std::string Post(int64_t lead, int64_t ts) {
    httplib::Request req;
    req.body = "event=ONCRMLEADUPDATE&event_handler_id=3&data[FIELDS][ID]=" + std::to_string(lead) +
               "&ts=" + std::to_string(ts) + "&auth[member_id]=" + kMember +
               "&auth[application_token]=" + kToken;
    httplib::Response res;
    handlers::Event(deps, req, res);
    REQUIRE(res.status == 200);
    return nlohmann::json::parse(res.body)["status"];
  }
};

}  // namespace

TEST_CASE("a repeated event key is read once more and voids the entity's expected echo") {
  EventsFixture f;
  const double now = f.clock.Now();
  f.echoes.Expect(kMember, "lead", 5, now);
  f.echoes.Expect(kMember, "lead", 6, now);
  CHECK(f.Post(5, 77) == "queued");
  CHECK(f.Post(5, 77) == "queued");  // a person's change in the same second, say
  CHECK(f.Post(5, 77) == "duplicate");
  CHECK(f.Post(6, 77) == "queued");
  CHECK_FALSE(f.echoes.Consume(kMember, "lead", 5, now));  // re-read, not skipped
  CHECK(f.echoes.Consume(kMember, "lead", 6, now));        // a lone event is still the echo
}

}  // namespace events_test
