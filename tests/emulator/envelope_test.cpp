#include "emulator/envelope.h"

#include <catch2/catch.hpp>

namespace envelope_test {

using json = nlohmann::ordered_json;

TEST_CASE("JSON is printed as PHP's json_encode with Bitrix's flags prints it") {
  struct Row {
    json value;
    const char* printed;
  };
  const Row rows[] = {
      {json::object(), "[]"},
      {json{{"result_error", json::object()}}, R"({"result_error":[]})"},
      {json("[B]x[/B]"), R"("[B]x[\/B]")"},
      {json("<script>&'\""), R"("\u003Cscript\u003E\u0026\u0027\u0022")"},
      {json("Привет"), "\"Привет\""},
      {json("a\\b"), R"("a\\b")"},
  };
  for (const auto& row : rows) CHECK(emu::PhpJson(row.value) == row.printed);
}

TEST_CASE("times print in the portal's zone and parse back") {
  CHECK(emu::FormatIsoTime(0, 180) == "1970-01-01T03:00:00+03:00");
  CHECK(emu::FormatIsoTime(0, -90) == "1969-12-31T22:30:00-01:30");
  struct Row {
    const char* text;
    double unix;
  };
  const Row rows[] = {
      {"1970-01-01T03:00:00+03:00", 0}, {"1970-01-01T00:00:10Z", 10},
      {"1970-01-01T03:00:00", 0},  // local to the portal (+03:00)
      {"1970-01-01 03:00:01", 1},       {"1970-01-02", 86400 - 3 * 3600},
  };
  for (const auto& row : rows) {
    double parsed = -1;
    INFO(row.text);
    REQUIRE(emu::ParseIsoTime(row.text, 180, parsed));
    CHECK(parsed == row.unix);
  }
  double ignored = 0;
  CHECK_FALSE(emu::ParseIsoTime("yesterday", 180, ignored));
  CHECK_FALSE(emu::ParseIsoTime("2024-13-01", 180, ignored));
}

TEST_CASE("the success envelope keeps Bitrix's key order") {
  const long next = 50, total = 120;
  const auto time = emu::TimeObject({10, 11, 0.5, 600}, 0);
  const std::string body = emu::SuccessBody(json::array(), &next, &total, time);
  CHECK(body.rfind(R"({"result":[],"next":50,"total":120,"time":{"start":10)", 0) == 0);
  CHECK(body.find(R"("operating_reset_at":600,"operating":0.5})") != std::string::npos);
}

}  // namespace envelope_test
