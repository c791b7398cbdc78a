#include "lib/core/contact_normalize.h"

#include <catch2/catch.hpp>

namespace contact_normalize_test {

namespace {

struct Row {
  const char* raw;
  const char* expected;  // nullptr: not a phone / not an address
};

std::optional<std::string> Expected(const Row& row) {
  if (row.expected == nullptr) return std::nullopt;
  return std::string(row.expected);
}

}  // namespace

TEST_CASE("Russian phone forms all become the same E.164 number") {
  const Row rows[] = {
      {"8 912 345-67-89", "+79123456789"},
      {"+7 (912) 345 67 89", "+79123456789"},
      {"7 912 3456789", "+79123456789"},
      {"9123456789", "+79123456789"},
      {"89123456789", "+79123456789"},
      {"+79123456789", "+79123456789"},
      {"8(912)345-67-89", "+79123456789"},
      {"  +7 912 345 67 89\t", "+79123456789"},
      {"(+7) 912.345.67.89", "+79123456789"},
      {"+7\xC2\xA0"
       "912\xC2\xA0"
       "345\xE2\x80\x93"
       "67\xE2\x80\x91"
       "89",
       "+79123456789"},
      {"(495) 123-45-67", "+74951234567"},
      {"8 800 555 35 35", "+78005553535"},
      {"343 123 45 67", "+73431234567"},
  };
  for (const auto& row : rows) {
    INFO(row.raw);
    CHECK(core::NormalizePhone(row.raw) == Expected(row));
  }
}

TEST_CASE("an extension after a complete number is dropped") {
  const Row rows[] = {
      {"8 912 345-67-89 доб. 123", "+79123456789"},
      {"8 912 345-67-89 доб.123", "+79123456789"},
      {"8 912 345-67-89 Доб 123", "+79123456789"},
      {"8 912 345-67-89 ДОБ. 123", "+79123456789"},
      {"8 912 345-67-89 добавочный 123", "+79123456789"},
      {"+7 912 345 67 89 ext 12", "+79123456789"},
      {"+7 912 345 67 89 ext.12", "+79123456789"},
      {"+7 912 345 67 89 EXT: 12", "+79123456789"},
      {"+7 912 345 67 89 extension 12", "+79123456789"},
      {"+7 912 345 67 89 x12", "+79123456789"},
      {"+7 912 345 67 89 X 12", "+79123456789"},
      {"+7 912 345 67 89#12", "+79123456789"},
      {"+7 912 345 67 89, 12", "+79123456789"},
      {"+7 912 345 67 89; 12 ", "+79123456789"},
      {"+44 20 7946 0958 ext 4", "+442079460958"},
      // The marker must close a complete number and be followed by the extension only.
      {"912 345 доб. 12", nullptr},
      {"+7 912 345 67 89 доб.", nullptr},
      {"+7 912 345 67 89 доб. 1234567", nullptr},
      {"+7 912 345 67 89 доб. 12 Иван", nullptr},
      {"+7 912 345 67 89, +7 912 345 67 88", nullptr},
      {"+7 912 345 67 89 x 12 x 13", nullptr},
  };
  for (const auto& row : rows) {
    INFO(row.raw);
    CHECK(core::NormalizePhone(row.raw) == Expected(row));
  }
}

TEST_CASE("numbers of other countries keep their digits when written with + or 00") {
  const Row rows[] = {
      {"+44 20 7946 0958", "+442079460958"},    {"0049 30 1234567", "+49301234567"},
      {"+375 (29) 123-45-67", "+375291234567"}, {"00 375 29 123 45 67", "+375291234567"},
      {"8 10 49 30 1234567", "+49301234567"},  // the Russian international prefix 8-10
      {"+1 212 555 0100", "+12125550100"},      {"+86 138 0013 8000", "+8613800138000"},
      {"+123456789012345", "+123456789012345"},  // 15 digits, the E.164 maximum
  };
  for (const auto& row : rows) {
    INFO(row.raw);
    CHECK(core::NormalizePhone(row.raw) == Expected(row));
  }
}

TEST_CASE("what is not one phone number gives nothing") {
  const Row rows[] = {
      {"", nullptr},
      {"   ", nullptr},
      {"+", nullptr},
      {"912 345 67 8", nullptr},       // 9 digits
      {"+44 20 7946", nullptr},        // too short with a country code too
      {"+1234567890123456", nullptr},  // 16 digits
      {"8 912 345 67 89 0", nullptr},  // 12 digits without a country code
      {"1234567890", nullptr},         // 10 digits, no Russian area code starts with 1
      {"7123456789", nullptr},         // nor with 7
      {"6 912 345 67 89", nullptr},    // 11 digits not starting with 7 or 8
      {"+0 912 345 67 89", nullptr},   // no country code starts with 0
      {"000 912 345 67 89", nullptr},
      {"8 912 ABC 67 89", nullptr},
      {"тел. 8 912 345 67 89", nullptr},
      {"8 912 345 67 89 Иван", nullptr},
      {"+7 912 +345 67 89", nullptr},
      {"++7 912 345 67 89", nullptr},
      {"8 912 345 67 89 / 8 912 345 67 88", nullptr},
      {"8*912*345*67*89", nullptr},
      {"a@b.ru", nullptr},
  };
  for (const auto& row : rows) {
    INFO(row.raw);
    CHECK(core::NormalizePhone(row.raw) == Expected(row));
  }
  CHECK_FALSE(core::NormalizePhone(std::string_view("8 912 345 67 89\0", 16)));
  CHECK_FALSE(
      core::NormalizePhone(std::string_view("8 912\0"
                                            "345 67 89",
                                            15)));
}

TEST_CASE("e-mail addresses are trimmed and lower-cased — or refused") {
  const Row rows[] = {
      {"Ivan.Petrov@Example.RU", "ivan.petrov@example.ru"},
      {"  sales@firm.com \t\r\n", "sales@firm.com"},
      {"a+tag@mail.co.uk", "a+tag@mail.co.uk"},
      {"Иван@почта.рф", "Иван@почта.рф"},  // only ASCII is folded; UTF-8 passes through
      {"", nullptr},
      {"   ", nullptr},
      {"ivan", nullptr},
      {"ivan@", nullptr},
      {"@example.ru", nullptr},
      {"ivan@localhost", nullptr},
      {"ivan@@example.ru", nullptr},
      {"ivan@example@ru.ru", nullptr},
      {"ivan petrov@example.ru", nullptr},
      {"ivan@exa mple.ru", nullptr},
      {"ivan@.example.ru", nullptr},
      {"ivan@example.ru.", nullptr},
      {"ivan@example..ru", nullptr},
      {"ivan@exam\x01ple.ru", nullptr},
  };
  for (const auto& row : rows) {
    INFO(row.raw);
    CHECK(core::NormalizeEmail(row.raw) == Expected(row));
  }
}

TEST_CASE("communication keys of a lead are normalised — sorted and unique") {
  struct KeyRow {
    const char* entity;
    std::vector<std::string> keys;
  };
  const KeyRow rows[] = {
      {R"({"ID":"7","PHONE":[
           {"ID":"1","VALUE_TYPE":"WORK","VALUE":"8 912 345-67-89","TYPE_ID":"PHONE"},
           {"ID":"2","VALUE_TYPE":"MOBILE","VALUE":"+7 (912) 345 67 89","TYPE_ID":"PHONE"},
           {"ID":"3","VALUE_TYPE":"WORK","VALUE":"+44 20 7946 0958","TYPE_ID":"PHONE"}],
          "EMAIL":[{"ID":"4","VALUE_TYPE":"WORK","VALUE":"Sales@Firm.RU","TYPE_ID":"EMAIL"},
                   {"ID":"5","VALUE_TYPE":"HOME","VALUE":"sales@firm.ru ","TYPE_ID":"EMAIL"}]})",
       {"email:sales@firm.ru", "phone:+442079460958", "phone:+79123456789"}},
      {R"({"PHONE":[{"VALUE":"не звонить"},{"VALUE":"9123456789"}],"EMAIL":[{"VALUE":"нет"}]})",
       {"phone:+79123456789"}},
      {R"({"ID":"8","TITLE":"no communications"})", {}},
      {R"({"PHONE":"8 912 345-67-89","EMAIL":{"VALUE":"a@b.ru"}})", {}},
      {R"({"PHONE":[7,null,"x",{"VALUE":89123456789},{"TYPE":"PHONE"}]})", {}},
      {R"([{"PHONE":[{"VALUE":"89123456789"}]}])", {}},
      {"null", {}},
  };
  for (const auto& row : rows) {
    INFO(row.entity);
    CHECK(core::CommunicationKeys(nlohmann::json::parse(row.entity)) == row.keys);
  }
}

}  // namespace contact_normalize_test
