// The conveyor executable: command line, configuration and wiring. Nothing else lives here.
#include <pthread.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <thread>

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "app/config.h"
#include "handlers/deps.h"
#include "handlers/routes.h"

namespace {

int Serve(const app::Config& config) {
  spdlog::set_level(spdlog::level::from_str(config.log_level));
  auto listen = app::ParseHostPort(config.listen);
  if (!listen) {
    std::cerr << "conveyor: CONVEYOR_LISTEN: " << listen.error().message << "\n";
    return 2;
  }
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // inherited by every thread started below

  handlers::Deps deps;
  deps.version = CONVEYOR_VERSION;
  httplib::Server server;
  handlers::RegisterRoutes(server, deps);
  server.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::info("{} {} {}", req.method, req.path, res.status);
  });

  int port = listen->port;
  if (port == 0) {
    port = server.bind_to_any_port(listen->host);
  } else if (!server.bind_to_port(listen->host, port)) {
    port = -1;
  }
  if (port < 0) {
    std::cerr << "conveyor: cannot listen on " << config.listen << "\n";
    return 1;
  }
  if (!config.port_file.empty()) std::ofstream(config.port_file) << "{\"port\":" << port << "}\n";
  spdlog::info("conveyor {} listening on http://{}:{}", deps.version, listen->host, port);

  // Graceful shutdown: SIGTERM/SIGINT are taken by sigwait on the main thread while the
  // server runs on its own; in-flight requests finish before stop() returns.
  std::thread serving([&server] { server.listen_after_bind(); });
  int signal = 0;
  sigwait(&signals, &signal);
  server.stop();
  serving.join();
  spdlog::info("conveyor stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Conveyor: call center -> sales -> production for Bitrix24"};
  cli.require_subcommand(1);
  app::Config config;
  app::ApplyEnvironment(config);  // flags parsed below override the environment
  auto* serve = cli.add_subcommand("serve", "Run the HTTP server");
  serve->add_option("--listen", config.listen, "host:port (env CONVEYOR_LISTEN)");
  serve->add_option("--log-level", config.log_level, "trace|debug|info|warn|error");
  serve->add_option("--port-file", config.port_file, "write {\"port\":N} here once listening");
  CLI11_PARSE(cli, argc, argv);
  try {
    return Serve(config);
  } catch (const std::exception& e) {
    std::cerr << "conveyor: fatal: " << e.what() << "\n";
    return 1;
  }
}
