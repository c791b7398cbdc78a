// The conveyor's configuration: flags override environment variables, which override defaults.
// Secrets (client secret, encryption key) come from the environment only, never from flags
// (they would show in `ps`).
#pragma once

#include <string>

#include "lib/core/error.h"

namespace app {

struct Config {
  std::string listen = "127.0.0.1:8080";  // CONVEYOR_LISTEN
  std::string public_url;                 // CONVEYOR_PUBLIC_URL; default http://<listen>
  std::string db = "./conveyor.db";       // CONVEYOR_DB
  std::string client_id;                  // CONVEYOR_CLIENT_ID (environment only)
  std::string client_secret;              // CONVEYOR_CLIENT_SECRET (environment only)
  std::string oauth_url = "https://oauth.bitrix.info/oauth/token/";  // CONVEYOR_OAUTH_URL
  std::string encryption_key;  // CONVEYOR_ENCRYPTION_KEY (environment only)
  bool dev = false;      // CONVEYOR_DEV=1 or --dev: a fixed, insecure encryption key is allowed
  std::string tls_cert;  // CONVEYOR_TLS_CERT
  std::string tls_key;   // CONVEYOR_TLS_KEY
  std::string log_level = "info";  // CONVEYOR_LOG_LEVEL
  double sweep_seconds = 300;      // CONVEYOR_SWEEP_SECONDS; 0 turns the reconciliation sweep off
  // CONVEYOR_REST_TIMEOUT_SECONDS: how long a portal's answer is awaited. A write that times out
  // is never resent blind: the executor looks for what it made first.
  double rest_timeout_seconds = 30;
  std::string port_file;  // written with {"port":N} once listening
  std::string api_token;  // CONVEYOR_API_TOKEN (environment only): the operations API's token
  // CONVEYOR_CLOCK_URL (development only): follow this virtual clock (the emulator's
  // /_emulator/clock) instead of the system clock, for the demo's simulated day.
  std::string clock_url;
  // CONVEYOR_BX24_URL: the BX24 library the pages load (docs: sdk/bx24-js-sdk); empty: none,
  // and the pages work without it.
  std::string bx24_url = "//api.bitrix24.com/api/v1/";
};

struct HostPort {
  std::string host;
  int port = 0;
};

// Splits "host:port"; fails with kInvalidArgument on a missing or out-of-range port.
[[nodiscard]] core::Result<HostPort> ParseHostPort(const std::string& text);

// Fills fields from the environment (before flags are parsed, so flags win).
void ApplyEnvironment(Config& config);

// Checks the combination: an encryption key outside dev mode, client credentials, a TLS key with
// a certificate. Fails with kInvalidArgument and a message naming the variable.
[[nodiscard]] core::Result<void> Validate(const Config& config);

}  // namespace app
