// The few ways a route answers: JSON errors ({"error","error_description"}), JSON, HTML.
#pragma once

#include <httplib.h>

#include <string>

#include <nlohmann/json.hpp>

namespace handlers {

inline void JsonError(httplib::Response& res, int status, const std::string& error,
                      const std::string& description) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", error}, {"error_description", description}}.dump(),
                  "application/json");
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

inline std::string QueryOf(const httplib::Request& req) {
  const auto q = req.target.find('?');
  return q == std::string::npos ? "" : req.target.substr(q + 1);
}

}  // namespace handlers
