#include "lib/core/form.h"

#include <string>
#include <unordered_map>
#include <vector>

namespace core {
namespace {

using json = nlohmann::json;

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && Hex(text[i + 1]) >= 0 &&
               Hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(Hex(text[i + 1]) * 16 + Hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// "a[b][c]" -> a, b, c; what follows an unclosed or stray bracket is ignored, as PHP does.
std::vector<std::string> KeyPath(const std::string& key) {
  std::vector<std::string> path;
  const size_t open = key.find('[');
  path.push_back(key.substr(0, open));
  for (size_t p = open; p != std::string::npos && p < key.size();) {
    const size_t close = key.find(']', p);
    if (key[p] != '[' || close == std::string::npos) break;
    path.push_back(key.substr(p + 1, close - p - 1));
    p = close + 1;
  }
  return path;
}

bool IndexKeys(const json& object) {
  for (size_t i = 0; i < object.size(); ++i) {
    if (!object.contains(std::to_string(i))) return false;
  }
  return !object.empty();
}

// Objects keyed 0..n-1 become lists, innermost first. Recursion is bounded by max_depth.
json Lists(json value) {
  if (!value.is_object()) return value;
  for (auto& item : value.items()) item.value() = Lists(std::move(item.value()));
  if (!IndexKeys(value)) return value;
  json list = json::array();
  for (size_t i = 0; i < value.size(); ++i) list.push_back(std::move(value[std::to_string(i)]));
  return list;
}

}  // namespace

Result<json> ParseForm(std::string_view body, const FormLimits& limits) {
  if (body.size() > limits.max_bytes) {
    return Fail(ErrorCode::kInvalidArgument,
                "the form is larger than " + std::to_string(limits.max_bytes) + " bytes");
  }
  json root = json::object();
  std::unordered_map<const json*, size_t> next_index;
  size_t fields = 0;
  size_t pos = 0;
  while (pos < body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    const std::string_view pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    if (++fields > limits.max_fields) {
      return Fail(ErrorCode::kInvalidArgument,
                  "the form has more than " + std::to_string(limits.max_fields) + " fields");
    }
    const size_t eq = pair.find('=');
    const std::string_view raw_key = pair.substr(0, eq);
    // A percent sign encodes one byte in three: a raw key this long cannot decode short enough.
    const std::string key =
        raw_key.size() > 3 * limits.max_key_bytes ? std::string(raw_key) : Decode(raw_key);
    if (key.size() > limits.max_key_bytes) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a key is longer than " + std::to_string(limits.max_key_bytes) + " bytes");
    }
    const std::vector<std::string> path = KeyPath(key);
    if (path.size() - 1 > limits.max_depth) {
      return Fail(ErrorCode::kInvalidArgument,
                  "a key is nested deeper than " + std::to_string(limits.max_depth) + " brackets");
    }
    if (path.front().empty()) continue;
    const std::string value = eq == std::string_view::npos ? "" : Decode(pair.substr(eq + 1));
    json* node = &root;
    for (size_t i = 0; i < path.size(); ++i) {
      if (!node->is_object()) *node = json::object();
      std::string segment = path[i];
      if (segment.empty()) {  // "a[]" appends after the last index it gave (object nodes
                              // never move, so their address names them)
        size_t& next = next_index[node];
        while (node->contains(std::to_string(next))) ++next;
        segment = std::to_string(next++);
      }
      node = &(*node)[segment];
      if (i + 1 == path.size()) *node = value;
    }
  }
  return Lists(std::move(root));
}

}  // namespace core
