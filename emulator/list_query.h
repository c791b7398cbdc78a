// Filters, ordering and paging of list methods (REST.md §6): key prefixes `>=`, `>`, `<=`, `<`,
// `@`, `!@`, `%`, `=%`, `%=`, `!%`, `=`, `!=`, `!`; 50 rows a page; `start=-1` skips the count.
// Rows are compared in their printed form: numbers as numbers, ISO dates as instants,
// everything else as case-insensitive text. Thread-safety: pure functions.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/rest_error.h"

namespace emu {

using json = nlohmann::ordered_json;

constexpr long kPageSize = 50;

struct Condition {
  std::string field;
  std::string op;  // "=", "!=", ">", ">=", "<", "<=", "in", "!in", "like", "!like"
  json value;
};

std::vector<Condition> ParseFilter(const json& filter);

// The ID range a filter allows: min <= ID < end. Conditions on `id_field` with `=`, `>`, `>=`,
// `<` or `<=` and a whole number (a JSON integer or a numeric string) narrow it; anything else
// leaves it open, for RowMatches to decide. Lets a list walk only the rows of a keyset page or
// an ID range of an ordered table.
struct IdBounds {
  long min = 0;
  long end = std::numeric_limits<long>::max();
  bool complete = true;  // every condition narrowed the range: a row in it matches the filter
};
IdBounds IdBoundsOf(const std::vector<Condition>& conditions, const std::string& id_field);

// True when the printed row satisfies every condition. A multi-valued field (array) matches
// when any of its values does; multifield items are matched by their VALUE.
bool RowMatches(const json& row, const std::vector<Condition>& conditions, int tz_minutes);

// Sorts printed rows by `order` ({FIELD: "ASC"|"DESC"}); ties and the default go by ID.
void SortRows(std::vector<json>& rows, const json& order, int tz_minutes,
              const std::string& id_field = "ID");

struct Page {
  long offset = 0;
  bool count = true;  // false for start=-1
};
Page ReadPage(const json* start);

// Cuts one page out of `rows` and fills total/next as the envelope needs them.
Reply PageOf(std::vector<json> rows, const Page& page);

// -1, 0, 1 comparing a printed value with a filter value (see the header comment).
int CompareValues(const json& left, const json& right, int tz_minutes);

}  // namespace emu
