#include "lib/b24/transport.h"

#include <httplib.h>

#include <memory>

namespace b24 {
namespace {

// A client for the URL's origin and the path-and-query to ask it for; nullptr on a bad URL.
std::unique_ptr<httplib::Client> ClientFor(const std::string& url, bool verify, double timeout,
                                           std::string& target) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return nullptr;
  const auto path_start = url.find('/', scheme_end + 3);
  auto client = std::make_unique<httplib::Client>(url.substr(0, path_start));
  if (!client->is_valid()) return nullptr;
  client->enable_server_certificate_verification(verify);
  client->set_follow_location(false);
  client->set_tcp_nodelay(true);
  const auto whole = static_cast<time_t>(timeout);
  const auto micro = static_cast<time_t>((timeout - static_cast<double>(whole)) * 1e6);
  client->set_connection_timeout(whole, micro);
  client->set_read_timeout(whole, micro);
  client->set_write_timeout(whole, micro);
  target = path_start == std::string::npos ? "/" : url.substr(path_start);
  return client;
}

HttpReply ToReply(const httplib::Result& res) {
  if (!res) return {};
  return {res->status, res->body, res->get_header_value("Location")};
}

}  // namespace

HttpReply HttplibTransport::Post(const std::string& url, const std::string& content_type,
                                 const std::string& body, double timeout_seconds) {
  std::string target;
  auto client = ClientFor(url, verify_, timeout_seconds, target);
  if (!client) return {};
  return ToReply(client->Post(target, body, content_type));
}

HttpReply HttplibTransport::Get(const std::string& url, double timeout_seconds) {
  std::string target;
  auto client = ClientFor(url, verify_, timeout_seconds, target);
  if (!client) return {};
  return ToReply(client->Get(target));
}

}  // namespace b24
