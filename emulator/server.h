// The emulator process: HTTP (and optionally HTTPS) listeners on 127.0.0.1 serving the portal
// REST API (/rest/...), the OAuth server (/oauth/token/), the control API (/_emulator/...) and
// the pages a browser opens (pages.h: the placement frame, cards, bx24.js).
// Thread-safety: Start/Stop from one thread; the servers run on their own threads.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "emulator/deliverer.h"
#include "emulator/state.h"

namespace httplib {
class Server;
}

namespace emu {

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 0;       // 0: any free port
  int tls_port = -1;  // -1: no TLS listener
  std::string tls_cert;
  std::string tls_key;
  std::string client_id = "local.conveyor";
  std::string client_secret = "conveyor-secret";
  std::vector<std::pair<long, std::string>> webhooks;  // user id, code
  std::string state_file;                              // SQLite; empty: memory only
  std::string member_id;                               // of the default portal; random when empty
  std::string plan = "basic";
  double token_lifetime = 3600;
  double clock_speed = 1;             // virtual seconds per real second; > 0
  std::optional<double> clock_start;  // unix seconds virtual time starts at; real time if unset
};

class Server {
 public:
  explicit Server(ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the ports, loads or creates the state and starts serving. False with a message on
  // failure (port taken, bad certificate, unreadable state file).
  bool Start(std::string& error);
  void Stop();

  int port() const { return port_; }
  int tls_port() const { return tls_port_; }
  std::string BaseUrl() const { return "http://" + options_.host + ":" + std::to_string(port_); }
  State& state() { return state_; }
  Deliverer& deliverer() { return *deliverer_; }

 private:
  void Route(httplib::Server& server);
  // Starts one more HTTP listener (a portal of its own, or a portal's new domain) and returns
  // its "host:port", or "" when no port could be had.
  std::string OpenListener();
  void SaveLoop();

  ServerOptions options_;
  State state_;
  std::unique_ptr<Deliverer> deliverer_;
  std::unique_ptr<httplib::Server> http_;
  std::unique_ptr<httplib::Server> https_;
  std::vector<std::thread> threads_;
  std::mutex listeners_mutex_;
  std::vector<std::unique_ptr<httplib::Server>> extra_;  // GUARDED_BY(listeners_mutex_)
  std::vector<std::thread> extra_threads_;               // GUARDED_BY(listeners_mutex_)
  int port_ = 0;
  int tls_port_ = -1;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // GUARDED_BY(stop_mutex_)
};

}  // namespace emu
