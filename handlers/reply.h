// The few ways a route answers: JSON errors ({"error","error_description"}), JSON, HTML.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "lib/core/error.h"

namespace handlers {

inline void JsonError(httplib::Response& res, int status, const std::string& error,
                      const std::string& description) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", error}, {"error_description", description}}.dump(),
                  "application/json");
}

// A core error as its HTTP status and stable name.
inline void ErrorReply(httplib::Response& res, const core::Error& error) {
  JsonError(res, core::HttpStatus(error.code), std::string(core::ErrorName(error.code)),
            error.message);
}

inline void Json(httplib::Response& res, const nlohmann::json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json");
}

// Text made safe for HTML: a lead named <script> renders as text.
inline std::string EscapeHtml(const std::string& text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// A whole number written in decimal digits only (ids, versions, times in tokens).
inline bool ParseWhole(const std::string& text, int64_t& out) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out = std::strtoll(text.c_str(), nullptr, 10);
  return true;
}

inline std::string QueryOf(const httplib::Request& req) {
  const auto q = req.target.find('?');
  return q == std::string::npos ? "" : req.target.substr(q + 1);
}

}  // namespace handlers
