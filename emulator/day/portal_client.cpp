#include "emulator/day/portal_client.h"

#include <httplib.h>

namespace day {
namespace {

Result<ClockReading> ReadingOf(const Result<json>& answer) {
  if (!answer) return tl::unexpected(answer.error());
  const json& body = *answer;
  if (!body.is_object() || !body.contains("now") || !body["now"].is_number()) {
    return tl::unexpected(Failure{false, "the emulator's clock answered without \"now\""});
  }
  ClockReading out;
  out.now = body["now"].get<double>();
  out.frozen = body.value("frozen", false);
  out.speed = body.contains("speed") && body["speed"].is_number() ? body["speed"].get<double>() : 1;
  return out;
}

}  // namespace

bool ParseHttpUrl(const std::string& url, std::string& host, int& port) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) return false;
  std::string rest = url.substr(scheme.size());
  while (!rest.empty() && rest.back() == '/') rest.pop_back();
  if (rest.empty() || rest.find('/') != std::string::npos) return false;
  const auto colon = rest.rfind(':');
  host = rest.substr(0, colon);
  if (host.empty()) return false;
  port = 80;
  if (colon == std::string::npos) return true;
  const std::string digits = rest.substr(colon + 1);
  if (digits.empty() || digits.size() > 5 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  port = std::stoi(digits);
  return port > 0 && port < 65536;
}

PortalClient::PortalClient(const std::string& base_url, std::string member_id)
    : base_url_(base_url), member_id_(std::move(member_id)) {
  std::string host;
  int port = 0;
  if (!ParseHttpUrl(base_url, host, port)) return;
  http_ = std::make_unique<httplib::Client>(host, port);
  http_->set_connection_timeout(3, 0);
  http_->set_read_timeout(30, 0);
  http_->set_keep_alive(true);
  http_->set_tcp_nodelay(true);  // a POST is two writes: without it each waits for a delayed ACK
}

PortalClient::~PortalClient() = default;

Result<json> PortalClient::Answer(const std::string& what, int status, const std::string& body) {
  json parsed = json::parse(body, nullptr, false);
  if (status == 200 && !parsed.is_discarded()) return parsed;
  std::string reason = "HTTP " + std::to_string(status);
  if (parsed.is_object() && parsed.contains("error")) {
    reason = parsed.value("error", std::string()) + ": " +
             parsed.value("error_description", std::string());
  }
  return tl::unexpected(Failure{false, what + ": " + reason});
}

Result<json> PortalClient::Get(const std::string& path, const std::string& query) {
  if (!http_) return tl::unexpected(Failure{true, "not an http://host:port URL: " + base_url_});
  std::string target =
      "/_emulator/" + path + "?portal=" + httplib::detail::encode_query_param(member_id_);
  if (!query.empty()) target += "&" + query;
  auto res = http_->Get(target.c_str());
  if (!res) {
    return tl::unexpected(
        Failure{true, "cannot reach the emulator at " + base_url_ + ": " + to_string(res.error())});
  }
  return Answer("GET " + path, res->status, res->body);
}

Result<json> PortalClient::Post(const std::string& path, json body) {
  if (!http_) return tl::unexpected(Failure{true, "not an http://host:port URL: " + base_url_});
  if (!member_id_.empty()) body["portal"] = member_id_;
  auto res = http_->Post(("/_emulator/" + path).c_str(), body.dump(), "application/json");
  if (!res) {
    return tl::unexpected(
        Failure{true, "cannot reach the emulator at " + base_url_ + ": " + to_string(res.error())});
  }
  return Answer("POST " + path, res->status, res->body);
}

Result<json> PortalClient::Section(const std::string& name, double modified_since) {
  std::string query = "section=" + name;
  if (modified_since >= 0) {
    char since[32];
    std::snprintf(since, sizeof since, "%.3f", modified_since);
    query += "&modified_since=" + std::string(since);
  }
  auto answer = Get("state", query);
  if (answer && !answer->is_array()) {
    return tl::unexpected(Failure{false, "state section " + name + " is not a list"});
  }
  return answer;
}

Result<json> PortalClient::Act(long user_id, const std::string& method, const json& params) {
  return Post("act",
              {{"as", "user"}, {"user_id", user_id}, {"method", method}, {"params", params}});
}

Result<ClockReading> PortalClient::Clock() { return ReadingOf(Get("clock")); }

Result<ClockReading> PortalClient::SetClock(const json& change) {
  return ReadingOf(Post("clock", change));
}

}  // namespace day
