#include "lib/core/query_encoding.h"

#include <cctype>

namespace core {
namespace {

void Flatten(const nlohmann::json& value, const std::string& prefix, std::string& out) {
  auto key_of = [&prefix](const std::string& key) {
    return prefix.empty() ? key : prefix + "[" + key + "]";
  };
  if (value.is_object()) {
    for (const auto& item : value.items()) Flatten(item.value(), key_of(item.key()), out);
    return;
  }
  if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) Flatten(value[i], key_of(std::to_string(i)), out);
    return;
  }
  std::string text;
  if (value.is_string()) {
    text = value.get<std::string>();
  } else if (value.is_boolean()) {
    text = value.get<bool>() ? "1" : "0";
  } else if (!value.is_null()) {
    text = value.dump();
  }
  if (!out.empty()) out.push_back('&');
  out += PercentEncode(prefix);
  out.push_back('=');
  out += PercentEncode(text);
}

}  // namespace

std::string PercentEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

std::string EncodeQuery(const nlohmann::json& params) {
  std::string out;
  if (params.is_object()) Flatten(params, "", out);
  return out;
}

}  // namespace core
