#include "emulator/list_query.h"

#include <catch2/catch.hpp>

namespace list_query_test {

using json = nlohmann::ordered_json;

TEST_CASE("filter prefixes select rows as REST.md §6 describes") {
  const json row = {{"ID", "7"},
                    {"TITLE", "Big Order"},
                    {"STATUS_ID", "NEW"},
                    {"DATE_CREATE", "2024-05-01T10:00:00+03:00"},
                    {"PHONE", json::array({{{"VALUE", "+79123456789"}}})}};
  struct Row {
    json filter;
    bool matches;
  };
  const Row rows[] = {
      {{{"ID", 7}}, true},
      {{{"=ID", "7"}}, true},
      {{{">ID", 6}}, true},
      {{{">ID", 7}}, false},
      {{{">=ID", 7}}, true},
      {{{"<ID", 7}}, false},
      {{{"<=ID", "7"}}, true},
      {{{"!ID", 7}}, false},
      {{{"!=ID", 8}}, true},
      {{{"@STATUS_ID", {"NEW", "IN_PROCESS"}}}, true},
      {{{"!@STATUS_ID", {"NEW"}}}, false},
      {{{"STATUS_ID", {"JUNK", "NEW"}}}, true},
      {{{"%TITLE", "order"}}, true},
      {{{"%TITLE", "other"}}, false},
      {{{"=%TITLE", "Big%"}}, true},
      {{{"!%TITLE", "big"}}, false},
      {{{">DATE_CREATE", "2024-05-01T06:59:59+00:00"}}, true},
      {{{">DATE_CREATE", "2024-05-01T10:00:00+03:00"}}, false},
      {{{"PHONE", "+79123456789"}}, true},
      {{{"PHONE", "+7000"}}, false},
      {{{"MISSING", ""}}, true},
  };
  for (const auto& r : rows) {
    INFO(r.filter.dump());
    CHECK(emu::RowMatches(row, emu::ParseFilter(r.filter), 180) == r.matches);
  }
}

TEST_CASE("pages are 50 rows with next and total — start=-1 skips the count") {
  std::vector<json> rows;
  for (int i = 1; i <= 120; ++i) rows.push_back({{"ID", std::to_string(i)}});
  auto first = emu::PageOf(rows, emu::ReadPage(nullptr));
  CHECK(first.result.size() == 50);
  CHECK(first.next == 50);
  CHECK(first.total == 120);
  const json start = 100;
  auto last = emu::PageOf(rows, emu::ReadPage(&start));
  CHECK(last.result.size() == 20);
  CHECK_FALSE(last.next);
  const json no_count = -1;
  auto quick = emu::PageOf(rows, emu::ReadPage(&no_count));
  CHECK(quick.result.size() == 50);
  CHECK(quick.total == 0);
  CHECK_FALSE(quick.next);
}

TEST_CASE("rows sort by the order fields — then by ID") {
  std::vector<json> rows = {
      {{"ID", "2"}, {"SORT", "20"}}, {{"ID", "10"}, {"SORT", "20"}}, {{"ID", "3"}, {"SORT", "5"}}};
  emu::SortRows(rows, {{"SORT", "DESC"}}, 0);
  CHECK(rows[0]["ID"] == "2");
  CHECK(rows[1]["ID"] == "10");  // numeric, not lexical
  CHECK(rows[2]["ID"] == "3");
}

}  // namespace list_query_test
