#include "emulator/form.h"

#include <algorithm>
#include <cctype>

namespace emu {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits "a[b][]" into {"a", "b", ""}; a key without brackets is one segment.
std::vector<std::string> KeySegments(const std::string& key) {
  std::vector<std::string> out;
  const auto open = key.find('[');
  if (open == std::string::npos || open == 0) return {key};
  out.push_back(key.substr(0, open));
  size_t pos = open;
  while (pos < key.size() && key[pos] == '[') {
    const auto close = key.find(']', pos);
    if (close == std::string::npos) break;
    out.push_back(key.substr(pos + 1, close - pos - 1));
    pos = close + 1;
  }
  return out;
}

bool KeysAreIndexes(const nlohmann::ordered_json& object) {
  for (size_t i = 0; i < object.size(); ++i) {
    if (!object.contains(std::to_string(i))) return false;
  }
  return !object.empty();
}

// Turns objects keyed exactly "0".."n-1" into arrays, recursively.
nlohmann::ordered_json Normalize(nlohmann::ordered_json value) {
  if (!value.is_object()) return value;
  for (auto& item : value.items()) item.value() = Normalize(std::move(item.value()));
  if (!KeysAreIndexes(value)) return value;
  // nlohmann orders keys lexically ("10" < "2"); rebuild by numeric index.
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (size_t i = 0; i < value.size(); ++i) list.push_back(value[std::to_string(i)]);
  return list;
}

}  // namespace

std::string UrlDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
               HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
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

nlohmann::ordered_json ParseForm(std::string_view body) {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  size_t pos = 0;
  while (pos <= body.size()) {
    auto amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    const auto pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const std::string key = UrlDecode(pair.substr(0, eq));
    const std::string value = eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1));
    const auto segments = KeySegments(key);
    if (segments.empty() || segments[0].empty()) continue;
    nlohmann::ordered_json* node = &root;
    for (size_t i = 0; i < segments.size(); ++i) {
      std::string segment = segments[i];
      if (!node->is_object()) *node = nlohmann::ordered_json::object();
      if (segment.empty()) {
        // `a[]=x` appends: the next free numeric index.
        size_t next = 0;
        while (node->contains(std::to_string(next))) ++next;
        segment = std::to_string(next);
      }
      node = &(*node)[segment];
      if (i + 1 == segments.size()) *node = value;
    }
  }
  return Normalize(std::move(root));
}

FormPairs FlattenForm(const nlohmann::ordered_json& value, const std::string& prefix) {
  FormPairs out;
  auto child_key = [&prefix](const std::string& key) {
    return prefix.empty() ? key : prefix + "[" + key + "]";
  };
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      auto nested = FlattenForm(it.value(), child_key(it.key()));
      out.insert(out.end(), nested.begin(), nested.end());
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      auto nested = FlattenForm(value[i], child_key(std::to_string(i)));
      out.insert(out.end(), nested.begin(), nested.end());
    }
  } else if (value.is_string()) {
    out.emplace_back(prefix, value.get<std::string>());
  } else if (value.is_boolean()) {
    out.emplace_back(prefix, value.get<bool>() ? "1" : "0");
  } else if (value.is_null()) {
    out.emplace_back(prefix, "");
  } else {
    out.emplace_back(prefix, value.dump());
  }
  return out;
}

std::string EncodeForm(const FormPairs& pairs) {
  std::string out;
  for (const auto& [key, value] : pairs) {
    if (!out.empty()) out.push_back('&');
    out += UrlEncode(key);
    out.push_back('=');
    out += UrlEncode(value);
  }
  return out;
}

std::string AsciiLower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace emu
