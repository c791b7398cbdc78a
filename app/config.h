// The conveyor's configuration: flags override environment variables, which override defaults.
// Secrets are read from the environment only, never from flags (they would show in `ps`).
#pragma once

#include <string>

#include "lib/core/error.h"

namespace app {

struct Config {
  std::string listen = "127.0.0.1:8080";  // CONVEYOR_LISTEN
  std::string log_level = "info";         // CONVEYOR_LOG_LEVEL
  std::string port_file;                  // written with {"port":N} once listening
};

struct HostPort {
  std::string host;
  int port = 0;
};

// Splits "host:port"; fails with kInvalidArgument on a missing or out-of-range port.
[[nodiscard]] core::Result<HostPort> ParseHostPort(const std::string& text);

// Fills unset fields from the environment.
void ApplyEnvironment(Config& config);

}  // namespace app
