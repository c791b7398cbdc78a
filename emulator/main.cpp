// b24-emulator: a Bitrix24 portal on 127.0.0.1 for tests and the demo. See docs/emulator.md.
#include <pthread.h>
#include <csignal>
#include <fstream>
#include <iostream>

#include <CLI/CLI.hpp>

#include "emulator/server.h"

int main(int argc, char** argv) {
  CLI::App cli{"b24-emulator: a faithful Bitrix24 portal for tests"};
  emu::ServerOptions options;
  std::vector<std::string> webhooks;
  std::string port_file;
  cli.add_option("--host", options.host, "address to listen on")->capture_default_str();
  cli.add_option("--port", options.port, "HTTP port (0: any free port)")->capture_default_str();
  cli.add_option("--tls-port", options.tls_port, "HTTPS port (0: any free port; -1: none)")
      ->capture_default_str();
  cli.add_option("--tls-cert", options.tls_cert, "PEM certificate for HTTPS");
  cli.add_option("--tls-key", options.tls_key, "PEM private key for HTTPS");
  cli.add_option("--client-id", options.client_id, "the app's client_id accepted by /oauth/token/")
      ->capture_default_str();
  cli.add_option("--client-secret", options.client_secret, "the app's client_secret");
  cli.add_option("--webhook", webhooks, "USER_ID:CODE incoming webhook to create (repeatable)");
  cli.add_option("--state", options.state_file,
                 "SQLite file to keep the state in (default: memory)");
  cli.add_option("--member-id", options.member_id,
                 "member_id of the default portal (default: random)");
  cli.add_option("--plan", options.plan,
                 "free (as basic, no timeman), basic (50 req, 2/s) or enterprise (250, 5/s)")
      ->check(CLI::IsMember({"free", "basic", "enterprise"}))
      ->capture_default_str();
  cli.add_option("--token-lifetime", options.token_lifetime, "access token lifetime, seconds")
      ->capture_default_str();
  cli.add_option("--clock-speed", options.clock_speed,
                 "virtual seconds per real second of the portal's clock")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  double clock_start = 0;
  cli.add_option("--clock-start", clock_start,
                 "unix time (seconds) the portal's clock starts at (default: now)")
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--port-file", port_file, "write {\"http\":P,\"https\":Q} here once listening");
  CLI11_PARSE(cli, argc, argv);
  if (cli.count("--clock-start") > 0) options.clock_start = clock_start;

  if (options.tls_port >= 0 && (options.tls_cert.empty() || options.tls_key.empty())) {
    std::cerr << "b24-emulator: --tls-port needs --tls-cert and --tls-key\n";
    return 2;
  }
  for (const auto& hook : webhooks) {
    const auto colon = hook.find(':');
    long user = 0;
    try {
      user = colon == std::string::npos ? 0 : std::stol(hook.substr(0, colon));
    } catch (...) {
      user = 0;
    }
    if (user <= 0 || colon + 1 >= hook.size()) {
      std::cerr << "b24-emulator: --webhook expects USER_ID:CODE, got '" << hook << "'\n";
      return 2;
    }
    options.webhooks.emplace_back(user, hook.substr(colon + 1));
  }

  // SIGTERM/SIGINT are blocked in every thread and taken by sigwait below: shutdown then runs
  // on the main thread, outside any signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  emu::Server server(options);
  std::string error;
  if (!server.Start(error)) {
    std::cerr << "b24-emulator: " << error << "\n";
    return 1;
  }
  std::cout << "b24-emulator listening on " << server.BaseUrl() << "\n";
  if (server.tls_port() >= 0) {
    std::cout << "b24-emulator TLS on https://" << options.host << ":" << server.tls_port() << "\n";
  }
  std::cout << "portal REST: " << server.BaseUrl() << "/rest/  control: " << server.BaseUrl()
            << "/_emulator/state" << std::endl;
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp")
        << "{\"http\":" << server.port() << ",\"https\":" << server.tls_port() << "}\n";
    std::rename((port_file + ".tmp").c_str(), port_file.c_str());
  }
  int signal = 0;
  sigwait(&signals, &signal);
  server.Stop();
  return 0;
}
