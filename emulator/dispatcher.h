// The REST front door of a portal: /rest/<method>[.json] with an OAuth token and
// /rest/<user_id>/<code>/<method> for incoming webhooks. Authenticates, applies the leaky
// bucket, runs the method (see Invoke) and prints the envelope (REST.md §1.6, §4).
// Thread-safety: takes State::mutex for the whole call; hands events to the Deliverer after.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "emulator/call.h"
#include "emulator/deliverer.h"
#include "emulator/state.h"

namespace emu {

struct HttpIn {
  std::string path;   // "/rest/crm.lead.add.json"
  std::string query;  // raw, still url-encoded
  std::string content_type;
  std::string body;
  std::string authorization;  // the Authorization header
  std::string listener;       // "host:port" the request arrived on
};

struct HttpOut {
  HttpOut() = default;
  HttpOut(int status_code, std::string text, std::string type = "application/json; charset=utf-8",
          std::string redirect = "")
      : status(status_code),
        body(std::move(text)),
        content_type(std::move(type)),
        location(std::move(redirect)) {}
  int status = 200;
  std::string body;
  std::string content_type = "application/json; charset=utf-8";
  std::string location;  // set for 302 (a portal that changed its domain)
};

HttpOut HandleRest(State& state, Deliverer& deliverer, const HttpIn& in);

// Runs a method as a simulated actor (a user in the UI, automation) for the control API:
// no rate limit, no scope, but the same validation and the same events.
HttpOut ActAs(State& state, Deliverer& deliverer, const std::string& member_id,
              const Caller& caller, const std::string& method, const json& params);

// Parses the parameters of a request: the query string, then the body (JSON only with
// Content-Type application/json, otherwise url-encoded). Fails on a malformed JSON body.
tl::expected<json, RestError> ParseParams(const std::string& query, const std::string& content_type,
                                          const std::string& body);

// Prints a RestError as Bitrix24 does.
HttpOut ErrorOut(const RestError& error);

}  // namespace emu
