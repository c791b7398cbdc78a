#include "lib/core/template_text.h"

#include <catch2/catch.hpp>

namespace template_text_test {

namespace {

const std::map<std::string, std::string> kValues = {
    {"name", "Иван"},
    {"from.name", "Оператор Анна"},
    {"to.name", "Менеджер Пётр"},
    {"deal.id", "7405"},
    {"UF_CRM_READY_DATE", "27.11.2026"},
    {"empty", ""},
    {"braces", "{name} and {{x}}"},
};

}  // namespace

TEST_CASE("placeholders are replaced by their values") {
  struct Row {
    const char* text;
    const char* expected;
  };
  const Row rows[] = {
      {"", ""},
      {"no placeholders", "no placeholders"},
      {"{name}", "Иван"},
      {"Hello, {name}!", "Hello, Иван!"},
      {"Передан от {from.name} к {to.name}", "Передан от Оператор Анна к Менеджер Пётр"},
      {"Сделка #{deal.id}: {name}, {name}", "Сделка #7405: Иван, Иван"},
      {"Готов {UF_CRM_READY_DATE}", "Готов 27.11.2026"},
      {"[{empty}]", "[]"},
      {"{name}{deal.id}", "Иван7405"},
      // Unknown names stay visible so that an admin sees the typo.
      {"Привет, {nmae}!", "Привет, {nmae}!"},
      {"{deal.title} of {deal.id}", "{deal.title} of 7405"},
      {"{Name}", "{Name}"},
      // Doubled braces are literal braces, never placeholders.
      {"{{name}}", "{name}"},
      {"{{{name}}}", "{Иван}"},
      {"a {{ b }} c", "a { b } c"},
      {"{{}}", "{}"},
      // A brace that opens no placeholder is copied as is.
      {"{", "{"},
      {"}", "}"},
      {"{name", "{name"},
      {"name}", "name}"},
      {"{}", "{}"},
      {"{ name }", "{ name }"},
      {"{.name}", "{.name}"},
      {"{from.}", "{from.}"},
      {"{from..name}", "{from..name}"},
      {"{имя}", "{имя}"},
      {"{\"json\": 1}", "{\"json\": 1}"},
      {"{{name}", "{name}"},
      {"{name}}", "Иван}"},
      {"{{name}}}", "{name}}"},
      // Values are not expanded again.
      {"{braces}", "{name} and {{x}}"},
      // UTF-8 around and inside passes through byte for byte.
      {"Ёжик «{name}» — 100 ₽ 🙂", "Ёжик «Иван» — 100 ₽ 🙂"},
      {"\xD0", "\xD0"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(core::RenderTemplate(row.text, kValues) == row.expected);
  }
}

TEST_CASE("a CRM value cannot open BB-code in a comment or notification (issue 15)") {
  const std::map<std::string, std::string> values = {
      {"lead.title", "[url=https://evil.example]Оплатить[/url] [b]срочно[/b]"}};
  const std::string text = core::RenderTemplate("[b]Лид[/b] «{lead.title}»", values);
  CHECK(text == "[b]Лид[/b] «［url=https://evil.example］Оплатить［/url］ ［b］срочно［/b］»");
  CHECK(text.find("[url") == std::string::npos);
  // The app's own ids and addresses reach the portal as written: a batch reference it fills in.
  CHECK(core::RenderTemplate(
            "#{deal.id} {deal.url}",
            {{"deal.id", "$result[h:deal]"},
             {"deal.url", "https://p.bitrix24.ru/crm/deal/details/$result[h:deal]/"}}) ==
        "#$result[h:deal] https://p.bitrix24.ru/crm/deal/details/$result[h:deal]/");
}

TEST_CASE("an empty value map leaves every placeholder visible") {
  CHECK(core::RenderTemplate("{a} {b.c} {{d}}", {}) == "{a} {b.c} {d}");
}

TEST_CASE("the placeholders a text uses are listed once — in order") {
  struct Row {
    const char* text;
    std::vector<std::string> names;
  };
  const Row rows[] = {
      {"", {}},
      {"Передан от {from.name} к {to.name}", {"from.name", "to.name"}},
      {"{b} {a} {b} {a.b}", {"b", "a", "a.b"}},
      {"{{escaped}} {real}", {"real"}},
      {"{ spaced } {имя} {} {a..b} {unclosed", {}},
      {"{{{inner}}}", {"inner"}},
      {"«{UF_CRM_1700000000}»", {"UF_CRM_1700000000"}},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(core::Placeholders(row.text) == row.names);
  }
}

}  // namespace template_text_test
