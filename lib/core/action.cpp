#include "lib/core/action.h"

namespace core {

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
  return params;
}

}  // namespace core
