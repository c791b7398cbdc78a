// Parameters as Bitrix24 reads them from a query string: PHP bracket notation
// (`fields[PHONE][0][VALUE]=...`), used for the commands inside a `batch` call.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace core {

std::string PercentEncode(std::string_view text);

// {"id":5,"fields":{"TITLE":"A"}} -> "id=5&fields%5BTITLE%5D=A". Booleans become 1/0 and null an
// empty value, as PHP's http_build_query writes them.
std::string EncodeQuery(const nlohmann::json& params);

}  // namespace core
