// URL-encoded bodies and query strings in PHP bracket notation (`fields[PHONE][0][VALUE]=1`),
// the way Bitrix24 reads and writes them. Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace emu {

using FormPairs = std::vector<std::pair<std::string, std::string>>;

std::string UrlDecode(std::string_view text);
std::string UrlEncode(std::string_view text);

// Parses `a[b][]=1&c=2` into {"a":{"b":["1"]},"c":"2"}. Objects whose keys are exactly
// 0..n-1 become arrays, as PHP's json_encode would print them. Values stay strings.
nlohmann::ordered_json ParseForm(std::string_view body);

// Flattens JSON into bracket pairs in document order: {"a":{"b":1}} -> a[b]=1.
// Booleans become "1"/"0" and null becomes "", as PHP's http_build_query writes them.
FormPairs FlattenForm(const nlohmann::ordered_json& value, const std::string& prefix = "");

std::string EncodeForm(const FormPairs& pairs);

// Lower case for ASCII letters only, as PHP's strtolower: method names, header names and
// filter text compare case-insensitively.
std::string AsciiLower(std::string text);

}  // namespace emu
