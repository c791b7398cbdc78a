#include "emulator/list_query.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "emulator/envelope.h"
#include "emulator/form.h"

namespace emu {
namespace {

std::string Text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  if (value.is_boolean()) return value.get<bool>() ? "Y" : "N";
  return value.dump();
}

bool AsNumber(const json& value, double& out) {
  if (value.is_number()) {
    out = value.get<double>();
    return true;
  }
  if (!value.is_string()) return false;
  const auto& s = value.get_ref<const std::string&>();
  if (s.empty()) return false;
  const char* first = s.data();
  const char* last = s.data() + s.size();
  auto [end, ec] = std::from_chars(first, last, out);
  return ec == std::errc() && end == last;
}

bool LikeMatch(const json& value, const json& pattern) {
  std::string p = AsciiLower(Text(pattern));
  p.erase(std::remove(p.begin(), p.end(), '%'), p.end());
  return AsciiLower(Text(value)).find(p) != std::string::npos;
}

bool ScalarMatches(const json& value, const Condition& c, int tz) {
  if (c.op == "like") return LikeMatch(value, c.value);
  if (c.op == "!like") return !LikeMatch(value, c.value);
  if (c.op == "in" || c.op == "!in") {
    bool found = false;
    const json list = c.value.is_array() ? c.value : json::array({c.value});
    for (const auto& v : list) found = found || CompareValues(value, v, tz) == 0;
    return c.op == "in" ? found : !found;
  }
  if (c.value.is_array()) {  // FIELD: [a, b] means IN, as Bitrix reads it
    Condition in{c.field, c.op == "=" ? "in" : "!in", c.value};
    return ScalarMatches(value, in, tz);
  }
  const int cmp = CompareValues(value, c.value, tz);
  if (c.op == "=") return cmp == 0;
  if (c.op == "!=") return cmp != 0;
  if (c.op == ">") return cmp > 0;
  if (c.op == ">=") return cmp >= 0;
  if (c.op == "<") return cmp < 0;
  if (c.op == "<=") return cmp <= 0;
  return false;
}

bool Negative(const std::string& op) { return op == "!=" || op == "!in" || op == "!like"; }

}  // namespace

int CompareValues(const json& left, const json& right, int tz) {
  double a = 0, b = 0;
  if (AsNumber(left, a) && AsNumber(right, b)) return a < b ? -1 : (a > b ? 1 : 0);
  const std::string ls = Text(left), rs = Text(right);
  if (ls.size() >= 10 && rs.size() >= 10 && ParseIsoTime(ls, tz, a) && ParseIsoTime(rs, tz, b)) {
    return a < b ? -1 : (a > b ? 1 : 0);
  }
  if (left.is_null() && rs.empty()) return 0;
  const std::string l = AsciiLower(ls), r = AsciiLower(rs);
  return l < r ? -1 : (l > r ? 1 : 0);
}

std::vector<Condition> ParseFilter(const json& filter) {
  static const std::pair<const char*, const char*> kPrefixes[] = {
      {"!=%", "!like"}, {"!%=", "!like"}, {">=", ">="},  {"<=", "<="}, {"=%", "like"},
      {"%=", "like"},   {"!%", "!like"},  {"!@", "!in"}, {"!=", "!="}, {">", ">"},
      {"<", "<"},       {"@", "in"},      {"%", "like"}, {"=", "="},   {"!", "!="},
  };
  std::vector<Condition> out;
  if (!filter.is_object()) return out;
  for (const auto& item : filter.items()) {
    std::string key = item.key();
    std::string op = "=";
    for (const auto& [prefix, name] : kPrefixes) {
      const std::string p = prefix;
      if (key.size() > p.size() && key.compare(0, p.size(), p) == 0) {
        op = name;
        key = key.substr(p.size());
        break;
      }
    }
    out.push_back({key, op, item.value()});
  }
  return out;
}

IdBounds IdBoundsOf(const std::vector<Condition>& conditions, const std::string& id_field) {
  IdBounds bounds;
  for (const auto& c : conditions) {
    long v = 0;
    bool whole = false;
    if (c.value.is_number_integer()) {
      v = c.value.get<long>();
      whole = true;
    } else if (c.value.is_string()) {
      const auto& s = c.value.get_ref<const std::string&>();
      auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      whole = !s.empty() && ec == std::errc() && end == s.data() + s.size();
    }
    // v + 1 must not overflow.
    if (c.field != id_field || !whole || v == std::numeric_limits<long>::max()) {
      bounds.complete = false;
      continue;
    }
    if (c.op == "=" || c.op == ">=") {
      bounds.min = std::max(bounds.min, v);
    } else if (c.op == ">") {
      bounds.min = std::max(bounds.min, v + 1);
    } else if (c.op != "<" && c.op != "<=") {
      bounds.complete = false;
    }
    if (c.op == "=" || c.op == "<=") bounds.end = std::min(bounds.end, v + 1);
    if (c.op == "<") bounds.end = std::min(bounds.end, v);
  }
  return bounds;
}

bool RowMatches(const json& row, const std::vector<Condition>& conditions, int tz) {
  for (const auto& c : conditions) {
    const auto it = row.find(c.field);
    const json value = it == row.end() ? json(nullptr) : *it;
    bool ok;
    if (value.is_array()) {
      // Any element matching satisfies a positive condition; a negative one needs all.
      bool any = false, all = true;
      for (const auto& element : value) {
        const json v = element.is_object() ? element.value("VALUE", json(nullptr)) : element;
        const bool m = ScalarMatches(v, c, tz);
        any = any || m;
        all = all && m;
      }
      ok = Negative(c.op) ? all : any;
    } else {
      ok = ScalarMatches(value, c, tz);
    }
    if (!ok) return false;
  }
  return true;
}

void SortRows(std::vector<json>& rows, const json& order, int tz, const std::string& id_field) {
  std::vector<std::pair<std::string, bool>> keys;  // field, descending
  if (order.is_object()) {
    for (const auto& item : order.items()) {
      keys.emplace_back(item.key(), AsciiLower(Text(item.value())) == "desc");
    }
  }
  keys.emplace_back(id_field, false);
  std::stable_sort(rows.begin(), rows.end(), [&](const json& a, const json& b) {
    for (const auto& [field, desc] : keys) {
      const int cmp =
          CompareValues(a.value(field, json(nullptr)), b.value(field, json(nullptr)), tz);
      if (cmp != 0) return desc ? cmp > 0 : cmp < 0;
    }
    return false;
  });
}

Page ReadPage(const json* start) {
  double value = 0;
  if (start == nullptr || !AsNumber(*start, value)) return {0, true};
  if (value < 0) return {0, false};
  return {static_cast<long>(value), true};
}

Reply PageOf(std::vector<json> rows, const Page& page) {
  const auto total = static_cast<long>(rows.size());
  const long begin = std::min(page.offset, total);
  const long end = std::min(begin + kPageSize, total);
  json result = json::array();
  for (long i = begin; i < end; ++i) result.push_back(std::move(rows[static_cast<size_t>(i)]));
  Reply reply{result, page.count ? total : 0, std::nullopt};
  if (page.count && end < total) reply.next = end;
  return reply;
}

}  // namespace emu
