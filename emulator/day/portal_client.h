// b24-day's only connection to the world: HTTP to the emulator's control API (/_emulator/...),
// through which it reads the portal as people see it and acts as those people. It never uses
// the REST API with credentials of its own, so nothing it does reaches the rate limit the app
// shares or the app's request count. Errors are values.
// Thread-safety: one thread at a time.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace httplib {
class Client;
}

namespace day {

using json = nlohmann::ordered_json;

struct Failure {
  bool unreachable = false;  // no answer at all: the emulator is down or the URL is wrong
  std::string message;
};
template <class T>
using Result = tl::expected<T, Failure>;

struct ClockReading {
  double now = 0;
  bool frozen = false;
  double speed = 1;
};

// Splits "http://host:port[/]" into host and port; false when it is not such a URL.
bool ParseHttpUrl(const std::string& url, std::string& host, int& port);

class PortalClient {
 public:
  // `base_url` like "http://127.0.0.1:8090"; `member_id` empty: the emulator's default portal.
  // A URL ParseHttpUrl refuses makes every call fail as unreachable.
  PortalClient(const std::string& base_url, std::string member_id);
  ~PortalClient();
  PortalClient(const PortalClient&) = delete;
  PortalClient& operator=(const PortalClient&) = delete;

  // GET /_emulator/<path>?portal=...; the answer's JSON, or why not (a 4xx/5xx with the
  // emulator's error_description).
  [[nodiscard]] Result<json> Get(const std::string& path, const std::string& query = "");
  // POST /_emulator/<path> with the portal added to the body.
  [[nodiscard]] Result<json> Post(const std::string& path, json body);
  // A section of the portal's state (users, departments, leads, deals, categories, ...);
  // `modified_since` >= 0: only the leads, deals or contacts modified since then.
  [[nodiscard]] Result<json> Section(const std::string& name, double modified_since = -1);
  // Runs a REST method as a person of the portal in the UI; the REST envelope
  // ({result, time}) or the method's error.
  [[nodiscard]] Result<json> Act(long user_id, const std::string& method, const json& params);

  [[nodiscard]] Result<ClockReading> Clock();
  [[nodiscard]] Result<ClockReading> SetClock(const json& change);

  const std::string& member_id() const { return member_id_; }
  const std::string& base_url() const { return base_url_; }

 private:
  [[nodiscard]] Result<json> Answer(const std::string& what, int status, const std::string& body);

  std::unique_ptr<httplib::Client> http_;  // null when the URL is unusable
  std::string base_url_;
  std::string member_id_;
};

}  // namespace day
