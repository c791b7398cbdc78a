#include "emulator/server.h"

#include <httplib.h>

#include <chrono>

#include "emulator/control.h"
#include "emulator/dispatcher.h"
#include "emulator/oauth.h"
#include "emulator/pages.h"
#include "emulator/persistence.h"

namespace emu {
namespace {

// Reads the whole body through a ContentReader: cpp-httplib 0.11 refuses url-encoded bodies
// over 8 KiB before a plain handler runs, and batch bodies are often larger.
std::string ReadBody(const httplib::ContentReader& reader) {
  std::string body;
  reader([&body](const char* data, size_t length) {
    body.append(data, length);
    return true;
  });
  return body;
}

std::string QueryOf(const httplib::Request& req) {
  const auto q = req.target.find('?');
  return q == std::string::npos ? "" : req.target.substr(q + 1);
}

void Answer(httplib::Response& res, const HttpOut& out) {
  res.status = out.status;
  if (!out.location.empty()) res.set_header("Location", out.location);
  res.set_content(out.body, out.content_type);
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)) {
  state_.app = {options_.client_id, options_.client_secret};
  state_.token_lifetime = options_.token_lifetime;
}

Server::~Server() { Stop(); }

void Server::Route(httplib::Server& server) {
  // Headers and body are two writes: without TCP_NODELAY the body waits for a delayed ACK.
  server.set_tcp_nodelay(true);
  server.Get(R"(/rest/.*)", [this](const httplib::Request& req, httplib::Response& res) {
    Answer(res, HandleRest(state_, *deliverer_,
                           {req.path, QueryOf(req), "", "", req.get_header_value("Authorization"),
                            options_.host + ":" + std::to_string(req.local_port)}));
  });
  server.Post(R"(/rest/.*)", [this](const httplib::Request& req, httplib::Response& res,
                                    const httplib::ContentReader& reader) {
    const std::string body = ReadBody(reader);
    Answer(res, HandleRest(state_, *deliverer_,
                           {req.path, QueryOf(req), req.get_header_value("Content-Type"), body,
                            req.get_header_value("Authorization"),
                            options_.host + ":" + std::to_string(req.local_port)}));
  });
  auto oauth = [this](const httplib::Request& req, httplib::Response& res,
                      const std::string& body) {
    auto params = ParseParams(QueryOf(req), req.get_header_value("Content-Type"), body);
    if (!params) return Answer(res, ErrorOut(params.error()));
    Answer(res, HandleOAuthToken(state_, *params));
  };
  server.Get("/oauth/token/",
             [oauth](const httplib::Request& req, httplib::Response& res) { oauth(req, res, ""); });
  server.Post("/oauth/token/",
              [oauth](const httplib::Request& req, httplib::Response& res,
                      const httplib::ContentReader& reader) { oauth(req, res, ReadBody(reader)); });
  RegisterControlRoutes(server, state_, *deliverer_, [this] { return OpenListener(); });
  RegisterPageRoutes(server, state_, options_.host);
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) {
      res.set_content(R"({"error":"NOT_FOUND","error_description":"No such path"})",
                      "application/json");
    }
  });
  server.set_exception_handler(
      [](const httplib::Request& req, httplib::Response& res, std::exception_ptr ep) {
        // A bug in the emulator: say where on stderr, answer a generic 500.
        try {
          if (ep) std::rethrow_exception(ep);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "b24-emulator: %s %s: %s\n", req.method.c_str(), req.path.c_str(),
                       e.what());
        } catch (...) {
          std::fprintf(stderr, "b24-emulator: %s %s: unknown exception\n", req.method.c_str(),
                       req.path.c_str());
        }
        res.status = 500;
        res.set_content(R"({"error":"INTERNAL_ERROR","error_description":"Internal error"})",
                        "application/json");
      });
}

bool Server::Start(std::string& error) {
  if (!(options_.clock_speed > 0)) {
    error = "the clock speed must be positive";
    return false;
  }
  // Before the portal exists, so that its creation dates are virtual time already.
  if (options_.clock_start) state_.clock.SetNow(*options_.clock_start);
  state_.clock.SetSpeed(options_.clock_speed);
  deliverer_ = std::make_unique<Deliverer>(state_);
  http_ = std::make_unique<httplib::Server>();
  Route(*http_);
  port_ = options_.port == 0
              ? http_->bind_to_any_port(options_.host)
              : (http_->bind_to_port(options_.host, options_.port) ? options_.port : -1);
  if (port_ < 0) {
    error = "cannot listen on " + options_.host + ":" + std::to_string(options_.port);
    return false;
  }
  if (options_.tls_port >= 0) {
    https_ =
        std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!https_->is_valid()) {
      error = "cannot load the TLS certificate or key (" + options_.tls_cert + ", " +
              options_.tls_key + ")";
      return false;
    }
    Route(*https_);
    tls_port_ =
        options_.tls_port == 0
            ? https_->bind_to_any_port(options_.host)
            : (https_->bind_to_port(options_.host, options_.tls_port) ? options_.tls_port : -1);
    if (tls_port_ < 0) {
      error = "cannot listen on " + options_.host + ":" + std::to_string(options_.tls_port);
      return false;
    }
  }
  {
    std::lock_guard<std::mutex> lock(state_.mutex);
    state_.public_http = BaseUrl();
    std::optional<nlohmann::json> snapshot;
    if (!options_.state_file.empty() && !LoadSnapshot(options_.state_file, snapshot, error))
      return false;
    if (snapshot) {
      try {
        state_.LoadJson(*snapshot);
      } catch (const std::exception& e) {
        error =
            options_.state_file + ": the stored state does not match this emulator: " + e.what();
        return false;
      }
    } else {
      const std::string member_id =
          options_.member_id.empty() ? state_.RandomHex(32) : options_.member_id;
      state_.CreatePortal(member_id, options_.host + ":" + std::to_string(port_), options_.plan);
    }
    // The default portal lives on the main port (and the TLS port); every other portal gets a
    // listener of its own, as each real portal has its own domain.
    const std::string main = options_.host + ":" + std::to_string(port_);
    state_.listener_owner[main] = state_.default_member_id;
    if (tls_port_ >= 0) {
      state_.listener_owner[options_.host + ":" + std::to_string(tls_port_)] =
          state_.default_member_id;
    }
    for (auto& [id, portal] : state_.portals) {
      portal.previous_domains.clear();
      portal.domain = id == state_.default_member_id ? main : OpenListener();
      if (portal.domain.empty()) {
        error = "cannot open a listener for portal " + id;
        return false;
      }
      state_.listener_owner[portal.domain] = id;
    }
    for (const auto& [user, code] : options_.webhooks) {
      Portal& portal = state_.DefaultPortal();
      if (portal.users.count(user) == 0) {
        error = "--webhook: portal has no user " + std::to_string(user);
        return false;
      }
      portal.webhooks[code] = user;
    }
  }
  threads_.emplace_back([this] { http_->listen_after_bind(); });
  if (https_) threads_.emplace_back([this] { https_->listen_after_bind(); });
  if (!options_.state_file.empty()) threads_.emplace_back([this] { SaveLoop(); });
  while (!http_->is_running() || (https_ && !https_->is_running())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

std::string Server::OpenListener() {
  auto server = std::make_unique<httplib::Server>();
  Route(*server);
  const int port = server->bind_to_any_port(options_.host);
  if (port < 0) return "";
  httplib::Server* raw = server.get();
  std::lock_guard<std::mutex> lock(listeners_mutex_);
  extra_threads_.emplace_back([raw] { raw->listen_after_bind(); });
  extra_.push_back(std::move(server));
  while (!raw->is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return options_.host + ":" + std::to_string(port);
}

void Server::SaveLoop() {
  for (;;) {
    bool stop;
    {
      std::unique_lock<std::mutex> lock(stop_mutex_);
      stop = stop_cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; });
    }
    std::string text;
    {
      std::lock_guard<std::mutex> lock(state_.mutex);
      if (state_.dirty) {
        text = state_.ToJson().dump();
        state_.dirty = false;
      }
    }
    std::string error;
    if (!text.empty() && !SaveSnapshot(options_.state_file, text, error)) {
      std::fprintf(stderr, "b24-emulator: saving state: %s\n", error.c_str());
    }
    if (stop) return;
  }
}

void Server::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (http_) http_->stop();
  if (https_) https_->stop();
  {
    std::lock_guard<std::mutex> lock(listeners_mutex_);
    for (auto& server : extra_) server->stop();
    for (auto& t : extra_threads_) t.join();
    extra_threads_.clear();
    extra_.clear();
  }
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  deliverer_.reset();
}

}  // namespace emu
