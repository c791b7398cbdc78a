// Test helpers for the REST client: a TokenStore in memory, counting what the client persisted,
// client options for an emulator, and a fixture with both.
#pragma once

#include <atomic>
#include <mutex>

#include "lib/b24/rest_client.h"
#include "lib/b24/token_store.h"
#include "lib/engine/system_clock.h"
#include "tests/emulator/harness.h"

namespace test {

class MemoryTokenStore : public b24::TokenStore {
 public:
  explicit MemoryTokenStore(b24::PortalAuth auth) : auth_(std::move(auth)) {}
  b24::Result<b24::PortalAuth> Load(const std::string& member_id) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (member_id != auth_.member_id) {
      return tl::unexpected(
          b24::Failure{b24::FailureKind::kUnknownPortal, 0, "", "unknown portal"});
    }
    if (needs_reinstall_) {
      return tl::unexpected(b24::Failure{b24::FailureKind::kNeedsReinstall, 0, "", "reinstall"});
    }
    return auth_;
  }
  b24::Result<void> SaveTokens(const std::string&, const std::string& access,
                               const std::string& refresh, int64_t expires) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auth_.access_token = access;
    auth_.refresh_token = refresh;
    auth_.expires = expires;
    ++saves_;
    return {};
  }
  b24::Result<void> SaveEndpoint(const std::string&, const std::string& endpoint) override {
    std::lock_guard<std::mutex> lock(mutex_);
    auth_.client_endpoint = endpoint;
    return {};
  }
  void MarkNeedsReinstall(const std::string&) override {
    std::lock_guard<std::mutex> lock(mutex_);
    needs_reinstall_ = true;
  }
  b24::PortalAuth auth() {
    std::lock_guard<std::mutex> lock(mutex_);
    return auth_;
  }
  int saves() {
    std::lock_guard<std::mutex> lock(mutex_);
    return saves_;
  }
  bool needs_reinstall() {
    std::lock_guard<std::mutex> lock(mutex_);
    return needs_reinstall_;
  }

 private:
  std::mutex mutex_;
  b24::PortalAuth auth_;
  int saves_ = 0;
  bool needs_reinstall_ = false;
};

// Client options for the emulator at `base` ("http://127.0.0.1:P"), with short backoffs.
inline b24::ClientOptions ClientOptionsFor(const std::string& base) {
  b24::ClientOptions o;
  o.oauth_url = base + "/oauth/token/";
  o.client_id = "local.conveyor";
  o.client_secret = "conveyor-secret";
  o.backoff_seconds = 0.01;
  return o;
}

// Real time plus an offset a test moves forward together with the emulator's clock, so that
// timers become due without waiting.
class ShiftableClock : public core::Clock {
 public:
  double Now() const override { return real_.Now() + offset_.load(); }
  void Sleep(double seconds) override { real_.Sleep(seconds); }
  void Advance(double seconds) { offset_ = offset_.load() + seconds; }

 private:
  engine::SystemClock real_;
  std::atomic<double> offset_{0};
};

// An emulator with the app installed and a REST client holding the admin's tokens.
struct ClientFixture {
  static constexpr const char* kMember = "testportal0000000000000000000001";
  Emulator emu;
  AppStub app;
  Tokens tokens = Install(emu, app);
  MemoryTokenStore token_store{{kMember, emu.Base() + "/rest/", tokens.access, tokens.refresh, 0}};
  b24::HttplibTransport transport;
  ShiftableClock clock;
  b24::RateLimiter limiter{{}, clock};
  b24::RestClient client{ClientOptionsFor(emu.Base()), transport, token_store, limiter, clock};

  // Moves the portal's time and the app's time on together.
  void Advance(double seconds) {
    REQUIRE(emu.Control("clock", {{"advance", seconds}}).status == 200);
    clock.Advance(seconds);
  }
};

}  // namespace test
