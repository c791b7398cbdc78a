#include "lib/core/json_changes.h"

#include <set>

namespace core {
namespace {

using json = nlohmann::json;

std::string Join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

void Walk(const std::string& path, const json& before, const json& after,
          std::vector<JsonChange>& out) {
  if (before == after) return;
  if (before.is_object() && after.is_object()) {
    std::set<std::string> keys;
    for (const auto& [key, value] : before.items()) keys.insert(key);
    for (const auto& [key, value] : after.items()) keys.insert(key);
    for (const auto& key : keys) {
      Walk(Join(path, key), before.value(key, json()), after.value(key, json()), out);
    }
    return;
  }
  if (before.is_array() && after.is_array()) {
    const std::size_t n = std::max(before.size(), after.size());
    for (std::size_t i = 0; i < n; ++i) {
      Walk(Join(path, std::to_string(i)), i < before.size() ? before[i] : json(),
           i < after.size() ? after[i] : json(), out);
    }
    return;
  }
  out.push_back({path, before, after});
}

}  // namespace

std::vector<JsonChange> JsonChanges(const json& before, const json& after) {
  std::vector<JsonChange> out;
  Walk("", before, after, out);
  return out;
}

}  // namespace core
