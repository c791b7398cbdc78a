// Admin-written texts (task titles, timeline comments, notifications) with {placeholders} filled
// from the item at hand: "Передан от {from.name} к {to.name}".
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace core {

// Replaces every {name} or {dotted.name} (segments of ASCII letters, digits and "_") by its
// value. An unknown placeholder stays as written, so a typo is visible in the result rather than
// silently empty. "{{" and "}}" are literal braces; any other brace is copied as is. Values are
// never expanded again. Values from the CRM — every placeholder but ids (`*.id`), addresses
// (`*.url`) and `minutes`, which the app makes and which may hold a batch reference
// "$result[key]" — have their square brackets made full-width (［ ］), so a lead titled
// "[url=…]" cannot put a link into a comment or notification (the admin's own text keeps its
// BB-code). Bytes outside placeholders, UTF-8 included, pass through untouched.
std::string RenderTemplate(std::string_view text, const std::map<std::string, std::string>& values);

// The placeholder names used in `text`, each once, in order of first use: settings check them
// against the names the app can fill.
std::vector<std::string> Placeholders(std::string_view text);

// A user as a text names them: the known name, else "#<id>", so the text still says who.
std::string NameOrId(const std::map<int64_t, std::string>& names, int64_t user);

}  // namespace core
