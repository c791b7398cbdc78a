// Phone numbers and e-mail addresses reduced to one canonical spelling, so that the duplicate
// check of a new lead finds "8 912 345-67-89" and "+7 (912) 345 67 89" to be the same client.
// Numbers written without a country code are read as Russian: the portals this app serves are.
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace core {

// The number in E.164 ("+79123456789"), its extension (доб., ext, x, #, or a comma after the
// complete number) dropped. Without "+", "00" or "810" in front only Russian forms are read:
// 11 digits starting with 7 or 8, or the 10 digits of a Russian area code (3xx, 4xx, 8xx, 9xx).
// Returns nullopt when the text is not one phone number: letters other than an extension marker,
// fewer than 10 or more than 15 digits, a "+" inside, two numbers in one value.
std::optional<std::string> NormalizePhone(std::string_view raw);

// The address trimmed and in ASCII lower case. Returns nullopt unless it has exactly one "@", a
// non-empty local part, a domain of at least two non-empty dot-separated labels, and no
// whitespace or control characters.
std::optional<std::string> NormalizeEmail(std::string_view raw);

// "phone:+79123456789" and "email:a@b.ru" keys of an entity's PHONE and EMAIL multifields
// (arrays of {"VALUE": ...} as crm.lead.get returns them), sorted and unique. Values that do not
// normalise are left out; an entity without the fields gives an empty list.
std::vector<std::string> CommunicationKeys(const nlohmann::json& entity);

}  // namespace core
