#include "lib/core/contact_normalize.h"

#include <algorithm>

namespace core {
namespace {

constexpr size_t kMinDigits = 10;
constexpr size_t kMaxDigits = 15;  // E.164 allows no more, country code included
constexpr size_t kMaxExtensionDigits = 6;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Lower-cases ASCII and Cyrillic capitals, so that extension markers match as people type them
// ("Доб.", "EXT"). Other bytes, digits included, stay as they are.
std::string FoldCase(std::string_view text) {
  std::string out(text);
  for (size_t i = 0; i < out.size(); ++i) {
    const auto c = static_cast<unsigned char>(out[i]);
    if (c >= 'A' && c <= 'Z') {
      out[i] = static_cast<char>(c - 'A' + 'a');
    } else if (c == 0xD0 && i + 1 < out.size()) {
      const auto next = static_cast<unsigned char>(out[i + 1]);
      if (next >= 0x90 && next <= 0x9F) {  // А..П -> а..п
        out[i + 1] = static_cast<char>(next + 0x20);
      } else if (next >= 0xA0 && next <= 0xAF) {  // Р..Я -> р..я
        out[i] = static_cast<char>(0xD1);
        out[i + 1] = static_cast<char>(next - 0x20);
      } else if (next == 0x81) {  // Ё -> ё
        out[i] = static_cast<char>(0xD1);
        out[i + 1] = static_cast<char>(0x91);
      }
      ++i;
    }
  }
  return out;
}

// Length of the separator at the start of `text`, 0 when there is none. Copied numbers bring
// non-breaking spaces and typographic dashes along.
size_t SeparatorLength(std::string_view text) {
  static constexpr std::string_view kMultiByte[] = {
      "\xC2\xA0",      // no-break space
      "\xE2\x80\x91",  // non-breaking hyphen
      "\xE2\x80\x93",  // en dash
  };
  if (text.empty()) return 0;
  if (std::string_view(" \t-.()").find(text.front()) != std::string_view::npos) return 1;
  for (const auto separator : kMultiByte) {
    if (text.substr(0, separator.size()) == separator) return separator.size();
  }
  return 0;
}

// Length of the extension marker at the start of the folded `text`, 0 when there is none.
// Longer markers come first so that "extension" is not read as "ext" followed by letters.
size_t ExtensionMarkerLength(std::string_view text) {
  static constexpr std::string_view kMarkers[] = {
      "добавочный", "доб", "extension", "ext", "x", "#", ",", ";",
  };
  for (const auto marker : kMarkers) {
    if (text.substr(0, marker.size()) == marker) return marker.size();
  }
  return 0;
}

size_t SkipBlanks(std::string_view text, size_t i) {
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == '\t') {
      ++i;
    } else if (text.substr(i, 2) == "\xC2\xA0") {
      i += 2;
    } else {
      break;
    }
  }
  return i;
}

// An extension is a few digits after the marker; anything else there (a second number, words)
// means the value is not one phone number.
bool IsExtension(std::string_view tail) {
  size_t i = SkipBlanks(tail, 0);
  if (i < tail.size() && (tail[i] == '.' || tail[i] == ':')) i = SkipBlanks(tail, i + 1);
  const size_t first_digit = i;
  while (i < tail.size() && IsDigit(tail[i])) ++i;
  const size_t digits = i - first_digit;
  return digits >= 1 && digits <= kMaxExtensionDigits && SkipBlanks(tail, i) == tail.size();
}

}  // namespace

std::optional<std::string> NormalizePhone(std::string_view raw) {
  const std::string text = FoldCase(raw);
  const std::string_view view(text);
  std::string digits;
  bool plus = false;
  size_t i = 0;
  while (i < view.size()) {
    const char c = view[i];
    if (IsDigit(c)) {
      digits.push_back(c);
      ++i;
    } else if (c == '+' && !plus && digits.empty()) {
      plus = true;
      ++i;
    } else if (const size_t separator = SeparatorLength(view.substr(i)); separator > 0) {
      i += separator;
    } else if (const size_t marker = ExtensionMarkerLength(view.substr(i)); marker > 0) {
      if (!IsExtension(view.substr(i + marker))) return std::nullopt;
      break;
    } else {
      return std::nullopt;
    }
  }
  if (!plus) {
    // 00 is the international prefix in most of the world, 8-10 the old Russian one.
    if (digits.size() > 2 && digits.compare(0, 2, "00") == 0) {
      digits.erase(0, 2);
      plus = true;
    } else if (digits.size() > 11 && digits.compare(0, 3, "810") == 0) {
      digits.erase(0, 3);
      plus = true;
    }
  }
  if (!plus) {
    if (digits.size() == 11 && (digits[0] == '7' || digits[0] == '8')) {
      digits[0] = '7';  // 8 is the Russian trunk prefix of +7
    } else if (digits.size() == 10 &&
               std::string_view("3489").find(digits[0]) != std::string_view::npos) {
      digits.insert(0, "7");
    } else {
      return std::nullopt;
    }
  }
  // No country code starts with 0.
  if (digits.size() < kMinDigits || digits.size() > kMaxDigits || digits[0] == '0') {
    return std::nullopt;
  }
  return "+" + digits;
}

std::optional<std::string> NormalizeEmail(std::string_view raw) {
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!raw.empty() && is_space(raw.front())) raw.remove_prefix(1);
  while (!raw.empty() && is_space(raw.back())) raw.remove_suffix(1);
  std::string email;
  email.reserve(raw.size());
  for (const char c : raw) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F) return std::nullopt;
    email.push_back(u >= 'A' && u <= 'Z' ? static_cast<char>(u - 'A' + 'a') : c);
  }
  const size_t at = email.find('@');
  if (at == std::string::npos || at == 0 || email.find('@', at + 1) != std::string::npos) {
    return std::nullopt;
  }
  const std::string_view domain = std::string_view(email).substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos) {
    return std::nullopt;
  }
  return email;
}

std::vector<std::string> CommunicationKeys(const nlohmann::json& entity) {
  std::vector<std::string> keys;
  if (!entity.is_object()) return keys;
  auto collect = [&](const char* field, const char* prefix, auto normalize) {
    const auto found = entity.find(field);
    if (found == entity.end() || !found->is_array()) return;
    for (const auto& item : *found) {
      if (!item.is_object()) continue;
      const auto value = item.find("VALUE");
      if (value == item.end() || !value->is_string()) continue;
      if (auto key = normalize(value->get<std::string>())) {
        keys.push_back(prefix + *key);
      }
    }
  };
  collect("PHONE", "phone:", NormalizePhone);
  collect("EMAIL", "email:", NormalizeEmail);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace core
