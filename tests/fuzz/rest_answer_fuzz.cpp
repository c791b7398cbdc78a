// Fuzz target: what a portal or the OAuth server answers. The first byte picks the HTTP status,
// the rest is the body; the REST client's call, batch (its envelope), paging and keyset scan,
// the OAuth exchange and the page's user check all read it. An answer of any shape is a
// failed call or a result, never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>

#include "lib/b24/rate_limiter.h"
#include "lib/b24/rest_client.h"
#include "lib/b24/token_store.h"
#include "lib/b24/vouch.h"

namespace {

class Answer : public b24::Transport {
 public:
  Answer(int status, std::string body) : status_(status), body_(std::move(body)) {}
  b24::HttpReply Post(const std::string&, const std::string&, const std::string&, double) override {
    return {status_, body_, status_ == 302 ? "https://moved.bitrix24.ru/rest/batch.json" : ""};
  }
  b24::HttpReply Get(const std::string&, double) override { return {status_, body_, ""}; }

 private:
  int status_;
  std::string body_;
};

// Time moves only when someone waits, so a hold or a backoff costs nothing.
class WaitingClock : public core::Clock {
 public:
  double Now() const override { return now_; }
  void Sleep(double seconds) override { now_ += seconds > 0 ? seconds : 0; }

 private:
  double now_ = 1.8e9;
};

class OnePortal : public b24::TokenStore {
 public:
  b24::Result<b24::PortalAuth> Load(const std::string& member_id) override {
    return b24::PortalAuth{member_id, endpoint_, "access", "refresh", 0};
  }
  b24::Result<void> SaveTokens(const std::string&, const std::string&, const std::string&,
                               int64_t) override {
    return {};
  }
  b24::Result<void> SaveEndpoint(const std::string&, const std::string& endpoint) override {
    endpoint_ = endpoint;
    return {};
  }
  void MarkNeedsReinstall(const std::string&) override {}

 private:
  std::string endpoint_ = "https://portal.bitrix24.ru/rest/";
};

constexpr int kStatuses[] = {200, 200, 200, 400, 401, 403, 404, 429, 500, 503, 302, 0};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int status = kStatuses[data[0] % (sizeof(kStatuses) / sizeof(kStatuses[0]))];
  Answer transport(status, std::string(reinterpret_cast<const char*>(data) + 1, size - 1));
  WaitingClock clock;
  OnePortal tokens;
  b24::RateLimiter limiter({}, clock);
  b24::ClientOptions options;
  options.max_attempts = 2;
  options.backoff_seconds = 1;
  b24::RestClient client(options, transport, tokens, limiter, clock);
  const std::string member = "portal";
  (void)client.Call(member, "crm.lead.get", {{"id", 1}});
  (void)client.Call(member, "crm.lead.add", {{"fields", {{"TITLE", "x"}}}});
  (void)client.Batch(member, {{"a", "crm.lead.get", {{"id", 1}}},
                              {"b", "user.current", nlohmann::json::object()},
                              {"c", "crm.deal.update", {{"id", 2}}}});
  (void)client.ListAll(member, "crm.status.list");
  (void)client.ScanById(member, "crm.lead.list", nlohmann::json::object(),
                        [](const nlohmann::json& rows) { return rows.size() < 1000; });
  (void)b24::ExchangeRefreshToken(transport, options, "refresh", 1800000000);
  (void)b24::WhoHolds(transport, "https://portal.bitrix24.ru/rest/", "access", 1);
  return 0;
}
