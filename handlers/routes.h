// The one route table of the conveyor server; paths come from bitrix24-manifest.json.
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

// The largest request body accepted (413 JSON beyond it): the settings are the largest JSON the
// API takes. Bitrix24's forms are held to lib/core/form.h's smaller limit.
constexpr size_t kMaxBodyBytes = 256 * 1024;
// The deepest JSON body the API reads: settings nest five deep; more is refused unparsed.
constexpr int kMostJsonNesting = 32;

// Registers every route and the cross-cutting hooks (JSON 404/405/413, exception handler).
void RegisterRoutes(httplib::Server& server, Deps& deps);

}  // namespace handlers
