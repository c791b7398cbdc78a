#include "lib/core/template_text.h"

#include <algorithm>
#include <cstddef>

namespace core {
namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// The length of the name of a placeholder opened by the "{" at `open`, 0 when the brace does not
// open one. Segments must be non-empty, so "{a..b}", "{.a}" and "{}" are plain text.
size_t PlaceholderNameLength(std::string_view text, size_t open) {
  size_t i = open + 1;
  bool segment_empty = true;
  for (; i < text.size() && text[i] != '}'; ++i) {
    if (text[i] == '.') {
      if (segment_empty) return 0;
      segment_empty = true;
    } else if (IsNameChar(text[i])) {
      segment_empty = false;
    } else {
      return 0;
    }
  }
  if (i == text.size() || segment_empty) return 0;
  return i - open - 1;
}

// Walks `text` once, handing literal runs and placeholder names to the callbacks, so that
// rendering and listing agree on what a placeholder is.
template <class OnText, class OnPlaceholder>
void Scan(std::string_view text, OnText on_text, OnPlaceholder on_placeholder) {
  size_t literal_start = 0;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    const bool doubled = (c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c;
    size_t name_length = 0;
    if (!doubled && c == '{') name_length = PlaceholderNameLength(text, i);
    if (!doubled && name_length == 0) {
      ++i;
      continue;
    }
    on_text(text.substr(literal_start, i - literal_start));
    if (doubled) {
      on_text(text.substr(i, 1));
      i += 2;
    } else {
      on_placeholder(text.substr(i + 1, name_length), text.substr(i, name_length + 2));
      i += name_length + 2;
    }
    literal_start = i;
  }
  on_text(text.substr(literal_start));
}

// A value from the CRM (a title, a name) as text that cannot open BB-code: Bitrix24 renders
// [url=…], [b], [user=…] in comments and notifications, so square brackets become their
// full-width look-alikes ［ ］ (U+FF3B, U+FF3D).
std::string PlainText(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '[') {
      out += "\xEF\xBC\xBB";
    } else if (c == ']') {
      out += "\xEF\xBC\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

// Ids, addresses and counts are the app's own (an id may be a batch reference the portal fills
// in, "$result[key]", which must reach it as written); every other value is text from the CRM.
bool IsOwnValue(std::string_view name) {
  const auto ends_with = [name](std::string_view suffix) {
    return name.size() >= suffix.size() &&
           name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name == "id" || ends_with(".id") || ends_with(".url") || name == "minutes";
}

}  // namespace

std::string RenderTemplate(std::string_view text,
                           const std::map<std::string, std::string>& values) {
  std::string out;
  out.reserve(text.size());
  Scan(
      text, [&out](std::string_view literal) { out += literal; },
      [&out, &values](std::string_view name, std::string_view written) {
        const auto found = values.find(std::string(name));
        if (found == values.end()) {
          out += written;
        } else {
          out += IsOwnValue(name) ? found->second : PlainText(found->second);
        }
      });
  return out;
}

std::vector<std::string> Placeholders(std::string_view text) {
  std::vector<std::string> names;
  Scan(
      text, [](std::string_view) {},
      [&names](std::string_view name, std::string_view) {
        if (std::find(names.begin(), names.end(), name) == names.end()) names.emplace_back(name);
      });
  return names;
}

std::string NameOrId(const std::map<int64_t, std::string>& names, int64_t user) {
  const auto it = names.find(user);
  return it == names.end() ? "#" + std::to_string(user) : it->second;
}

}  // namespace core
