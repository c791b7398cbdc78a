#include "emulator/form.h"

#include <catch2/catch.hpp>

namespace form_test {

TEST_CASE("PHP bracket forms parse into nested JSON") {
  const auto parsed = emu::ParseForm(
      "fields%5BTITLE%5D=John+%26+Co&fields[PHONE][0][VALUE]=555&fields[PHONE][0][VALUE_TYPE]=WORK"
      "&ids[]=1&ids[]=2&plain=x");
  CHECK(parsed["fields"]["TITLE"] == "John & Co");
  CHECK(parsed["fields"]["PHONE"][0]["VALUE"] == "555");
  CHECK(parsed["ids"] == nlohmann::ordered_json::array({"1", "2"}));
  CHECK(parsed["plain"] == "x");
}

TEST_CASE("more than ten indexed items stay in numeric order") {
  std::string body;
  for (int i = 0; i < 12; ++i) body += "a[" + std::to_string(i) + "]=" + std::to_string(i) + "&";
  const auto parsed = emu::ParseForm(body);
  REQUIRE(parsed["a"].is_array());
  CHECK(parsed["a"][10] == "10");
  CHECK(parsed["a"][2] == "2");
}

TEST_CASE("flatten then encode round-trips through the parser") {
  const nlohmann::ordered_json value = {{"data", {{"FIELDS", {{"ID", "7"}}}}},
                                        {"list", {"a", "b"}}};
  const auto parsed = emu::ParseForm(emu::EncodeForm(emu::FlattenForm(value)));
  CHECK(parsed == value);
}

}  // namespace form_test
