// Test harness: a real emulator on 127.0.0.1 (ephemeral port) and a stub app that records what
// the emulator POSTs to it. Both stop when they go out of scope.
#pragma once

#include <httplib.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "emulator/form.h"
#include "emulator/server.h"

namespace test {

using json = nlohmann::ordered_json;

struct Answer {
  int status = 0;
  json body;
  std::string raw;
};

// Polls `condition` until it holds or `seconds` pass; sleeping is never an assertion.
inline bool Eventually(const std::function<bool()>& condition, double seconds = 5) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return condition();
}

inline Answer ToAnswer(const httplib::Result& res) {
  Answer a;
  if (!res) return a;
  a.status = res->status;
  a.raw = res->body;
  a.body = json::parse(res->body, nullptr, false);
  return a;
}

class Emulator {
 public:
  static constexpr const char* kHook = "/rest/1/testhook/";

  explicit Emulator(emu::ServerOptions options = {}) : server_(WithDefaults(std::move(options))) {
    std::string error;
    if (!server_.Start(error)) throw std::runtime_error(error);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_.port());
  }
  ~Emulator() { server_.Stop(); }

  std::string Base() const { return server_.BaseUrl(); }
  emu::Server& server() { return server_; }

  Answer PostJson(const std::string& path, const json& body, const httplib::Headers& headers = {}) {
    return ToAnswer(client_->Post(path.c_str(), headers, body.dump(), "application/json"));
  }
  Answer PostForm(const std::string& path, const std::string& form) {
    return ToAnswer(client_->Post(path.c_str(), form, "application/x-www-form-urlencoded"));
  }
  Answer Get(const std::string& path_and_query) {
    return ToAnswer(client_->Get(path_and_query.c_str()));
  }
  Answer Delete(const std::string& path) { return ToAnswer(client_->Delete(path.c_str())); }

  // A method through the admin's incoming webhook, JSON body.
  Answer Hook(const std::string& method, const json& params = json::object()) {
    return PostJson(std::string(kHook) + method, params);
  }
  // A method with an OAuth access token in `auth`.
  Answer App(const std::string& token, const std::string& method, json params = json::object()) {
    params["auth"] = token;
    return PostJson("/rest/" + method + ".json", params);
  }
  Answer Control(const std::string& path, const json& body = json::object()) {
    return PostJson("/_emulator/" + path, body);
  }
  Answer State(const std::string& section) { return Get("/_emulator/state?section=" + section); }

 private:
  static emu::ServerOptions WithDefaults(emu::ServerOptions options) {
    options.port = 0;
    options.webhooks.emplace_back(1, "testhook");
    options.member_id =
        options.member_id.empty() ? "testportal0000000000000000000001" : options.member_id;
    return options;
  }
  emu::Server server_;
  std::unique_ptr<httplib::Client> client_;
};

struct Received {
  std::string path;
  std::string query;
  std::string body;
  json form;             // the body parsed as a bracket form
  emu::FormPairs pairs;  // the body's keys in order
};

// An app stand-in: records every request (GETs by path only); the installer page calls
// BX24.installFinish() unless told otherwise; pages answer with a marker naming the placement.
class AppStub {
 public:
  AppStub() {
    server_.Get(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      Received r;
      r.path = req.path;
      {
        std::lock_guard<std::mutex> lock(mutex_);
        received_.push_back(r);
      }
      res.status = 404;
    });
    server_.Post(R"(/.*)", [this](const httplib::Request& req, httplib::Response& res) {
      Received r;
      r.path = req.path;
      const auto q = req.target.find('?');
      r.query = q == std::string::npos ? "" : req.target.substr(q + 1);
      r.body = req.body;
      r.form = emu::ParseForm(req.body);
      size_t pos = 0;
      while (pos < req.body.size()) {
        auto amp = req.body.find('&', pos);
        if (amp == std::string::npos) amp = req.body.size();
        const std::string pair = req.body.substr(pos, amp - pos);
        const auto eq = pair.find('=');
        r.pairs.emplace_back(emu::UrlDecode(pair.substr(0, eq)),
                             eq == std::string::npos ? "" : emu::UrlDecode(pair.substr(eq + 1)));
        pos = amp + 1;
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        received_.push_back(r);
      }
      if (req.path == "/install") {
        res.set_content(finish_install_ ? "<script>BX24.installFinish();</script>" : "<p>setup</p>",
                        "text/html");
      } else {
        res.set_content("page:" + r.form.value("PLACEMENT", std::string("")), "text/html");
      }
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~AppStub() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::vector<Received> Requests(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<Received> out;
    for (const auto& r : received_) {
      if (r.path == path) out.push_back(r);
    }
    return out;
  }
  // Requests to `path` whose form has event == name.
  std::vector<Received> Events(const std::string& name) {
    std::vector<Received> out;
    for (auto& r : Requests("/events")) {
      if (r.form.value("event", std::string("")) == name) out.push_back(r);
    }
    return out;
  }
  void set_finish_install(bool finish) { finish_install_ = finish; }
  // Every request, of any path and method.
  size_t Count() {
    std::lock_guard<std::mutex> lock(mutex_);
    return received_.size();
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::vector<Received> received_;
  bool finish_install_ = true;
};

// Installs the emulator's app through the stub's installer and returns the admin's tokens
// (AUTH_ID and REFRESH_ID of the installer request) and the application token the installation
// was given (ONAPPINSTALL carries it; the installer request does not).
struct Tokens {
  std::string access;
  std::string refresh;
  std::string application;
};

inline Tokens Install(Emulator& emulator, AppStub& app,
                      const std::string& scope = "crm,user,department,task,timeman,im,placement") {
  const auto answer =
      emulator.Control("apps/install", {{"application_url", app.Url("/app")},
                                        {"installer_url", app.Url("/install")},
                                        {"install_event_url", app.Url("/install-event")},
                                        {"scope", scope}});
  if (answer.status != 200) throw std::runtime_error("install failed: " + answer.raw);
  const auto installer = app.Requests("/install");
  if (installer.empty()) throw std::runtime_error("no installer request");
  const auto& form = installer.back().form;
  return {form["AUTH_ID"], form["REFRESH_ID"],
          emulator.State("installations").body.at(0)["application_token"]};
}

}  // namespace test
