#include "app/config.h"

#include <charconv>
#include <cstdlib>

namespace app {
namespace {

void FromEnv(const char* name, std::string& field) {
  if (const char* v = std::getenv(name); v != nullptr && *v != '\0') field = v;
}

// A number of seconds; text that is not one becomes -1, which Validate refuses by name.
void SecondsFromEnv(const char* name, double& field) {
  std::string text;
  FromEnv(name, text);
  if (text.empty()) return;
  char* end = nullptr;
  const double seconds = std::strtod(text.c_str(), &end);
  field = end != nullptr && *end == '\0' ? seconds : -1;
}

core::Result<void> Invalid(const std::string& message) {
  return core::Fail(core::ErrorCode::kInvalidArgument, message);
}

}  // namespace

core::Result<HostPort> ParseHostPort(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "expected host:port, got '" + text + "'");
  }
  int port = -1;
  const char* first = text.data() + colon + 1;
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, port);
  if (ec != std::errc() || end != last || port < 0 || port > 65535) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "bad port in '" + text + "'");
  }
  return HostPort{text.substr(0, colon), port};
}

void ApplyEnvironment(Config& config) {
  FromEnv("CONVEYOR_LISTEN", config.listen);
  FromEnv("CONVEYOR_PUBLIC_URL", config.public_url);
  FromEnv("CONVEYOR_DB", config.db);
  FromEnv("CONVEYOR_CLIENT_ID", config.client_id);
  FromEnv("CONVEYOR_CLIENT_SECRET", config.client_secret);
  FromEnv("CONVEYOR_OAUTH_URL", config.oauth_url);
  FromEnv("CONVEYOR_ENCRYPTION_KEY", config.encryption_key);
  FromEnv("CONVEYOR_TLS_CERT", config.tls_cert);
  FromEnv("CONVEYOR_TLS_KEY", config.tls_key);
  FromEnv("CONVEYOR_LOG_LEVEL", config.log_level);
  FromEnv("CONVEYOR_API_TOKEN", config.api_token);
  FromEnv("CONVEYOR_CLOCK_URL", config.clock_url);
  // Set but empty turns the library off, so this one is read even when empty.
  if (const char* v = std::getenv("CONVEYOR_BX24_URL")) config.bx24_url = v;
  SecondsFromEnv("CONVEYOR_SWEEP_SECONDS", config.sweep_seconds);
  SecondsFromEnv("CONVEYOR_REST_TIMEOUT_SECONDS", config.rest_timeout_seconds);
  std::string dev;
  FromEnv("CONVEYOR_DEV", dev);
  config.dev = dev == "1" || dev == "true";
}

core::Result<void> Validate(const Config& config) {
  if (config.encryption_key.empty() && !config.dev) {
    return Invalid(
        "CONVEYOR_ENCRYPTION_KEY is not set (64 hex characters or base64 of 32 bytes); "
        "CONVEYOR_DEV=1 runs with an insecure development key");
  }
  if (!(config.sweep_seconds >= 0)) {
    return Invalid("CONVEYOR_SWEEP_SECONDS must be a number of seconds, 0 or more");
  }
  if (!(config.rest_timeout_seconds > 0 && config.rest_timeout_seconds <= 300)) {
    return Invalid(
        "CONVEYOR_REST_TIMEOUT_SECONDS must be a number of seconds, above 0 and up to 300");
  }
  if (config.client_id.empty() || config.client_secret.empty()) {
    return Invalid("CONVEYOR_CLIENT_ID and CONVEYOR_CLIENT_SECRET must be set");
  }
  if (config.tls_cert.empty() != config.tls_key.empty()) {
    return Invalid("CONVEYOR_TLS_CERT and CONVEYOR_TLS_KEY go together");
  }
  if (config.db.empty()) return Invalid("CONVEYOR_DB is empty");
  if (!config.clock_url.empty() && !config.dev) {
    return Invalid("CONVEYOR_CLOCK_URL is for development (CONVEYOR_DEV=1) only");
  }
  if (!config.api_token.empty() && config.api_token.size() < 16) {
    return Invalid("CONVEYOR_API_TOKEN must be at least 16 characters");
  }
  return {};
}

}  // namespace app
