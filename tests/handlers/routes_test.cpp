// The conveyor's routes over real HTTP on 127.0.0.1.
#include "handlers/routes.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <thread>

namespace routes_test {

namespace {

struct RunningServer {
  httplib::Server server;
  handlers::Deps deps;
  std::thread thread;
  int port = 0;
  RunningServer() {
    deps.version = "9.9.9";
    handlers::RegisterRoutes(server, deps);
    port = server.bind_to_any_port("127.0.0.1");
    thread = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::yield();
  }
  ~RunningServer() {
    server.stop();
    thread.join();
  }
};

}  // namespace

TEST_CASE("GET /health answers JSON with the version") {
  RunningServer s;
  httplib::Client client("127.0.0.1", s.port);
  auto res = client.Get("/health");
  REQUIRE(res);
  CHECK(res->status == 200);
  const auto body = nlohmann::json::parse(res->body);
  CHECK(body["status"] == "ok");
  CHECK(body["version"] == "9.9.9");
}

TEST_CASE("an unknown route answers a JSON 404") {
  RunningServer s;
  httplib::Client client("127.0.0.1", s.port);
  auto res = client.Get("/no/such/route");
  REQUIRE(res);
  CHECK(res->status == 404);
  CHECK(nlohmann::json::parse(res->body)["error"] == "not_found");
}

}  // namespace routes_test
