// A portal's settings as the rules read them: the defaults until a save, then the latest saved
// version, parsed once per version.
#include "lib/engine/portal_settings.h"

#include <catch2/catch.hpp>

#include "tests/engine/conveyor_fixture.h"
#include "tests/store/helpers.h"

namespace portal_settings_test {

namespace {

// The defaults with the hunters' cap changed, as a body the settings store keeps.
std::string WithHunterCap(int cap) {
  core::Settings settings = test::InstallDefaults();
  settings.queues["hunters"].cap = cap;
  return core::SettingsToJson(settings).dump();
}

int HunterCap(engine::PortalSettings& settings, const std::string& member_id) {
  auto read = settings.For(member_id);
  REQUIRE(read);
  return read->queues.at("hunters").cap;
}

}  // namespace

TEST_CASE("the rules read the latest saved settings — also after a reinstall restarts versions") {
  auto db = store_test::MustOpen(":memory:");
  store_test::AddPortal(*db, "m1");
  store::SettingsStore store(*db);
  engine::PortalSettings settings(store, test::InstallDefaults());
  const int default_cap = test::InstallDefaults().queues.at("hunters").cap;
  CHECK(HunterCap(settings, "m1") == default_cap);
  CHECK(settings.For("m1")->version == 0);

  REQUIRE(store.Save("m1", WithHunterCap(7), 100, 1, std::nullopt) == 1);
  CHECK(HunterCap(settings, "m1") == 7);
  CHECK(HunterCap(settings, "m1") == 7);  // the second read comes from the parsed version
  REQUIRE(store.Save("m1", WithHunterCap(9), 101, 1, 1) == 2);
  CHECK(HunterCap(settings, "m1") == 9);

  // Uninstalled with its data and installed again: version 1 once more, with another body.
  store::PortalStore portals(*db, store::TokenCipher::ForDevelopment());
  REQUIRE(portals.Remove("m1", true, 200));
  store_test::AddPortal(*db, "m1");
  CHECK(HunterCap(settings, "m1") == default_cap);
  REQUIRE(store.Save("m1", WithHunterCap(3), 300, 1, std::nullopt) == 1);
  REQUIRE(store.Save("m1", WithHunterCap(4), 301, 1, 1) == 2);
  CHECK(HunterCap(settings, "m1") == 4);
}

}  // namespace portal_settings_test
