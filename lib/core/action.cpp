#include "lib/core/action.h"

#include "lib/core/change.h"

namespace core {
namespace {

using json = nlohmann::json;

// A field's value as text, so "5" and 5 compare equal.
std::string AsText(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

bool HasValue(const json& row, const std::string& field, const json& expected) {
  auto it = row.find(field);
  if (it == row.end()) return false;
  if (it->is_array()) {
    for (const auto& item : *it)
      if (AsText(item) == AsText(expected)) return true;
    return false;
  }
  return AsText(*it) == AsText(expected);
}

}  // namespace

bool HasReference(const json& value) {
  if (value.is_object() || value.is_array()) {
    for (const auto& item : value)
      if (HasReference(item)) return true;
    return false;
  }
  return value.is_string() &&
         value.get_ref<const std::string&>().find("$result[") != std::string::npos;
}

std::vector<std::string> ReferencedKeys(const json& value) {
  std::vector<std::string> keys;
  if (value.is_object() || value.is_array()) {
    for (const auto& item : value) {
      for (auto& key : ReferencedKeys(item)) keys.push_back(std::move(key));
    }
    return keys;
  }
  if (!value.is_string()) return keys;
  const auto& text = value.get_ref<const std::string&>();
  const std::string prefix = "$result[";
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
    const size_t close = text.find(']', at + prefix.size());
    if (close == std::string::npos) break;
    keys.push_back(text.substr(at + prefix.size(), close - at - prefix.size()));
  }
  return keys;
}

std::string ResolveKey(const std::string& key, const json& known) {
  const json resolved = ResolveReferences(json(key), known);
  return resolved.is_string() ? resolved.get<std::string>() : AsText(resolved);
}

json FirstMatchingId(const json& result, const json& match) {
  const json* rows = &result;
  if (result.is_object() && result.size() == 1) rows = &result.begin().value();
  if (!rows->is_array()) return nullptr;
  for (const auto& row : *rows) {
    if (!row.is_object()) continue;
    bool matches = true;
    if (match.is_object()) {
      for (const auto& [field, expected] : match.items())
        matches = matches && HasValue(row, field, expected);
    }
    if (!matches) continue;
    for (const char* field : {"ID", "id"}) {
      // Lists spell IDs as strings; the create answered a number. Keep one form.
      if (row.contains(field))
        return IdValue(row[field]) > 0 ? json(IdValue(row[field])) : row[field];
    }
  }
  return nullptr;
}

bool RepeatableWithoutLookup(const std::string& method) {
  const auto ends_with = [&](const std::string& suffix) {
    return method.size() >= suffix.size() &&
           method.compare(method.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return !(ends_with(".add") || ends_with(".send") || method.rfind("im.notify", 0) == 0);
}

std::string ReferencedKey(const nlohmann::json& value) {
  if (!value.is_string()) return "";
  const auto& text = value.get_ref<const std::string&>();
  const std::string prefix = "$result[";
  if (text.size() <= prefix.size() + 1 || text.rfind(prefix, 0) != 0 || text.back() != ']')
    return "";
  const std::string key = text.substr(prefix.size(), text.size() - prefix.size() - 1);
  return key.find_first_of("[]") == std::string::npos ? key : "";
}

nlohmann::json ResolveReferences(const nlohmann::json& params, const nlohmann::json& known) {
  if (params.is_object() || params.is_array()) {
    nlohmann::json out = params;
    for (auto& item : out) item = ResolveReferences(item, known);
    return out;
  }
  const std::string key = ReferencedKey(params);
  if (!key.empty() && known.contains(key)) return known[key];
  if (!params.is_string()) return params;
  // Inside a longer text (a comment naming the new deal) a known scalar result is spliced in,
  // as the portal's batch does for references to commands of the same batch.
  const auto& text = params.get_ref<const std::string&>();
  const std::string prefix = "$result[";
  std::string out;
  size_t last = 0;
  for (size_t at = text.find(prefix); at != std::string::npos; at = text.find(prefix, at + 1)) {
    const size_t close = text.find(']', at + prefix.size());
    if (close == std::string::npos) break;
    const std::string inner = text.substr(at + prefix.size(), close - at - prefix.size());
    if (!known.contains(inner)) continue;
    const auto& value = known[inner];
    if (!value.is_string() && !value.is_number()) continue;
    out += text.substr(last, at - last);
    out += value.is_string() ? value.get<std::string>() : value.dump();
    last = close + 1;
  }
  return last == 0 ? params : nlohmann::json(out + text.substr(last));
}

}  // namespace core
