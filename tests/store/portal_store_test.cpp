#include "lib/store/portal_store.h"

#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

#include "lib/store/inbox.h"
#include "lib/store/operation_log.h"
#include "lib/store/snapshot_store.h"
#include "tests/store/helpers.h"

namespace portal_store_test {

namespace {

using store_test::CountFor;
using store_test::MustExec;
using store_test::MustOpen;
using store_test::TempDir;

store::PortalRecord SampleRecord(const std::string& member_id) {
  store::PortalRecord record;
  record.member_id = member_id;
  record.domain = member_id + ".bitrix24.test";
  record.client_endpoint = "https://" + member_id + ".bitrix24.test/rest/";
  record.server_endpoint = "https://oauth.bitrix.info/rest/";
  record.scope = "crm,task,user";
  record.status = "L";
  record.application_token = "application-token-" + member_id + "-5f1c2b";
  record.access_token = "access-token-" + member_id + "-a1b2c3d4";
  record.refresh_token = "refresh-token-" + member_id + "-e5f6a7b8";
  record.expires = 1700003600;
  record.installed_at = 1700000000;
  record.updated_at = 1700000000;
  return record;
}

void CheckSame(const store::PortalRecord& a, const store::PortalRecord& b) {
  CHECK(a.member_id == b.member_id);
  CHECK(a.domain == b.domain);
  CHECK(a.client_endpoint == b.client_endpoint);
  CHECK(a.server_endpoint == b.server_endpoint);
  CHECK(a.scope == b.scope);
  CHECK(a.status == b.status);
  CHECK(a.application_token == b.application_token);
  CHECK(a.access_token == b.access_token);
  CHECK(a.refresh_token == b.refresh_token);
  CHECK(a.expires == b.expires);
  CHECK(a.state == b.state);
  CHECK(a.installed_at == b.installed_at);
  CHECK(a.updated_at == b.updated_at);
}

store::PortalRecord MustFind(store::PortalStore& portals, const std::string& member_id) {
  auto found = portals.Find(member_id);
  INFO((found ? std::string() : found.error().message));
  REQUIRE(found.has_value());
  REQUIRE(found->has_value());
  return **found;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("a portal round-trips through Upsert and Find — and Upsert replaces it") {
  auto db = MustOpen(":memory:");
  const auto cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals(*db, cipher);

  auto missing = portals.Find("nobody");
  REQUIRE(missing.has_value());
  CHECK_FALSE(missing->has_value());

  store::PortalRecord record = SampleRecord("m1");
  REQUIRE(portals.Upsert(record).has_value());
  CheckSame(MustFind(portals, "m1"), record);

  record.domain = "moved.bitrix24.test";
  record.access_token = "access-2";
  record.application_token = "";  // empty stays empty
  record.state = "needs_reinstall";
  record.updated_at = 1700000100;
  REQUIRE(portals.Upsert(record).has_value());
  CheckSame(MustFind(portals, "m1"), record);
}

TEST_CASE("Upsert refuses an empty member_id and an unknown state") {
  auto db = MustOpen(":memory:");
  const auto cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals(*db, cipher);
  store::PortalRecord no_member = SampleRecord("");
  store::PortalRecord bad_state = SampleRecord("m1");
  bad_state.state = "deleted";
  for (const auto* record : {&no_member, &bad_state}) {
    auto ok = portals.Upsert(*record);
    REQUIRE_FALSE(ok.has_value());
    CHECK(ok.error().code == core::ErrorCode::kInvalidArgument);
  }
  auto all = portals.All();
  REQUIRE(all.has_value());
  CHECK(all->empty());
}

TEST_CASE("tokens are not stored in plain text — in the row or anywhere in the file") {
  TempDir dir;
  const std::string path = dir.File("tokens.db");
  const store::PortalRecord record = SampleRecord("m1");
  {
    auto db = MustOpen(path);
    const auto cipher = store::TokenCipher::ForDevelopment();
    store::PortalStore portals(*db, cipher);
    REQUIRE(portals.Upsert(record).has_value());

    store::Session session(*db);
    auto row = session.Prepare("test",
                               "SELECT application_token_enc, access_token_enc, refresh_token_enc, "
                               "typeof(access_token_enc) FROM portals WHERE member_id = 'm1'");
    REQUIRE(row.has_value());
    REQUIRE(row->Step().value());
    CHECK(row->ColumnText(3) == "blob");
    const std::string raw = row->ColumnBlob(0) + row->ColumnBlob(1) + row->ColumnBlob(2);
    CHECK_FALSE(raw.empty());
    for (const auto& token :
         {record.application_token, record.access_token, record.refresh_token}) {
      CHECK(raw.find(token) == std::string::npos);
    }
  }
  // Closing checkpoints the WAL; read the database and any leftover journal files.
  const std::string bytes = ReadFile(path) + ReadFile(path + "-wal") + ReadFile(path + "-shm");
  // The search itself works: plain columns are in the file.
  REQUIRE(bytes.find(record.client_endpoint) != std::string::npos);
  for (const auto& token : {record.application_token, record.access_token, record.refresh_token}) {
    CHECK(bytes.find(token) == std::string::npos);
  }
}

TEST_CASE("tokens sealed under another key or copied from another portal do not open") {
  auto db = MustOpen(":memory:");
  const auto cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals(*db, cipher);
  REQUIRE(portals.Upsert(SampleRecord("m1")).has_value());
  REQUIRE(portals.Upsert(SampleRecord("m2")).has_value());

  auto other_key = store::TokenCipher::FromKey(std::string(64, 'a'));
  REQUIRE(other_key.has_value());
  store::PortalStore wrong(*db, *other_key);
  auto found = wrong.Find("m1");
  REQUIRE_FALSE(found.has_value());
  CHECK(found.error().code == core::ErrorCode::kInternal);
  CHECK_THAT(found.error().message, Catch::Contains("token decryption failed"));
  CHECK_THAT(found.error().message, !Catch::Contains("access-token"));
  CHECK_FALSE(wrong.All().has_value());

  // Someone with write access to the file but not the key moves m1's token to m2.
  MustExec(*db,
           "UPDATE portals SET access_token_enc = "
           "(SELECT access_token_enc FROM portals WHERE member_id = 'm1') WHERE member_id = 'm2'");
  auto moved = portals.Find("m2");
  REQUIRE_FALSE(moved.has_value());
  CHECK(moved.error().code == core::ErrorCode::kInternal);
  CHECK(MustFind(portals, "m1").access_token == SampleRecord("m1").access_token);
}

TEST_CASE("updates change only their fields and report a missing portal") {
  auto db = MustOpen(":memory:");
  const auto cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals(*db, cipher);
  const store::PortalRecord original = SampleRecord("m1");
  REQUIRE(portals.Upsert(original).has_value());

  struct Row {
    const char* name;
    core::Result<void> (*update)(store::PortalStore&, const std::string& member_id);
    void (*expect)(store::PortalRecord&);
  };
  const Row rows[] = {
      {"tokens",
       [](store::PortalStore& p, const std::string& m) {
         return p.UpdateTokens(m, "new-access", "new-refresh", 1800000000, 1700000500);
       },
       [](store::PortalRecord& r) {
         r.access_token = "new-access";
         r.refresh_token = "new-refresh";
         r.expires = 1800000000;
         r.updated_at = 1700000500;
       }},
      {"domain",
       [](store::PortalStore& p, const std::string& m) {
         return p.UpdateDomain(m, "new.bitrix24.test", "https://new.bitrix24.test/rest/",
                               1700000600);
       },
       [](store::PortalRecord& r) {
         r.domain = "new.bitrix24.test";
         r.client_endpoint = "https://new.bitrix24.test/rest/";
         r.updated_at = 1700000600;
       }},
      {"state",
       [](store::PortalStore& p, const std::string& m) {
         return p.SetState(m, "needs_reinstall", 1700000700);
       },
       [](store::PortalRecord& r) {
         r.state = "needs_reinstall";
         r.updated_at = 1700000700;
       }},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    REQUIRE(portals.Upsert(original).has_value());
    CheckSame(MustFind(portals, "m1"), original);  // remembered: the update must replace it
    auto ok = row.update(portals, "m1");
    INFO((ok ? std::string() : ok.error().message));
    REQUIRE(ok.has_value());
    store::PortalRecord expected = original;
    row.expect(expected);
    CheckSame(MustFind(portals, "m1"), expected);

    auto missing = row.update(portals, "nobody");
    REQUIRE_FALSE(missing.has_value());
    CHECK(missing.error().code == core::ErrorCode::kNotFound);
  }

  auto bad_state = portals.SetState("m1", "paused", 1);
  REQUIRE_FALSE(bad_state.has_value());
  CHECK(bad_state.error().code == core::ErrorCode::kInvalidArgument);
}

// Rows for `member_id` in every portal-owned table, so Remove can be checked table by table.
void AddOwnedRows(store::Database& db, const std::string& member_id) {
  store::Inbox inbox(db);
  REQUIRE(inbox.Enqueue(member_id, "k1", "ONCRMDEALUPDATE", "deal", 1, "{}", 100).value());
  store::SnapshotStore snapshots(db);
  REQUIRE(snapshots.Put(member_id, "deal", 1, {"{\"ID\":\"1\"}", "2024-01-01", "h"}).has_value());
  store::OperationLog operations(db);
  REQUIRE(operations.Begin(member_id, "op-1", 100).value());
  store::Session session(db);
  auto decision = session.Prepare(
      "test", "INSERT INTO decisions (member_id, at, kind, body) VALUES (?1, 100, 'assign', '{}')");
  REQUIRE(decision.has_value());
  REQUIRE(decision->Bind(1, member_id).Run().has_value());
  auto timer = session.Prepare(
      "test",
      "INSERT INTO timers (member_id, due_at, kind, dedup_key) VALUES (?1, 200, 'sla', 't')");
  REQUIRE(timer.has_value());
  REQUIRE(timer->Bind(1, member_id).Run().has_value());
}

const char* const kOwnedTables[] = {"inbox", "snapshots", "decisions", "timers", "operations"};

TEST_CASE("Remove(clean) deletes the portal and — by cascade — everything it owns") {
  auto db = MustOpen(":memory:");
  const auto cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals(*db, cipher);
  for (const char* member : {"gone", "kept"}) {
    REQUIRE(portals.Upsert(SampleRecord(member)).has_value());
    AddOwnedRows(*db, member);
    REQUIRE(portals.Find(member).value().has_value());  // remembered: Remove must forget it
  }

  auto removed = portals.Remove("gone", /*clean=*/true, 1700000900);
  REQUIRE(removed.has_value());
  CHECK(*removed);
  CHECK_FALSE(portals.Find("gone").value().has_value());
  for (const char* table : kOwnedTables) {
    INFO(table);
    CHECK(CountFor(*db, table, "gone") == 0);
    CHECK(CountFor(*db, table, "kept") == 1);
  }
  auto again = portals.Remove("gone", /*clean=*/true, 1700000901);
  REQUIRE(again.has_value());
  CHECK_FALSE(*again);
}

TEST_CASE("Remove without clean forgets the tokens — marks the portal uninstalled — keeps data") {
  auto db = MustOpen(":memory:");
  const auto cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals(*db, cipher);
  const store::PortalRecord original = SampleRecord("m1");
  REQUIRE(portals.Upsert(original).has_value());
  AddOwnedRows(*db, "m1");
  CheckSame(MustFind(portals, "m1"), original);  // remembered: Remove must forget it

  auto removed = portals.Remove("m1", /*clean=*/false, 1700000900);
  REQUIRE(removed.has_value());
  CHECK(*removed);
  store::PortalRecord expected = original;
  expected.application_token.clear();
  expected.access_token.clear();
  expected.refresh_token.clear();
  expected.expires = 0;
  expected.state = "uninstalled";
  expected.updated_at = 1700000900;
  CheckSame(MustFind(portals, "m1"), expected);
  CHECK(store_test::QueryInt(*db,
                             "SELECT count(*) FROM portals WHERE application_token_enc IS NULL "
                             "AND access_token_enc IS NULL AND refresh_token_enc IS NULL") == 1);
  for (const char* table : kOwnedTables) {
    INFO(table);
    CHECK(CountFor(*db, table, "m1") == 1);
  }
  auto missing = portals.Remove("nobody", /*clean=*/false, 1700000900);
  REQUIRE(missing.has_value());
  CHECK_FALSE(*missing);
}

TEST_CASE("All lists every portal in member_id order") {
  auto db = MustOpen(":memory:");
  const auto cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals(*db, cipher);
  for (const char* member : {"c", "a", "b"})
    REQUIRE(portals.Upsert(SampleRecord(member)).has_value());
  REQUIRE(portals.Remove("b", /*clean=*/false, 1).has_value());
  auto all = portals.All();
  REQUIRE(all.has_value());
  REQUIRE(all->size() == 3);
  CHECK((*all)[0].member_id == "a");
  CHECK((*all)[1].member_id == "b");
  CHECK((*all)[1].state == "uninstalled");
  CHECK((*all)[2].member_id == "c");
  CHECK((*all)[2].access_token == SampleRecord("c").access_token);
}

}  // namespace portal_store_test
