#include "emulator/http_post.h"

#include <httplib.h>

namespace emu {

PostResult PostForm(const std::string& url, const std::string& extra_query, const std::string& form,
                    double timeout_seconds) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return {};
  const auto path_start = url.find('/', scheme_end + 3);
  const std::string origin = url.substr(0, path_start);
  std::string target = path_start == std::string::npos ? "/" : url.substr(path_start);
  if (!extra_query.empty()) {
    target += (target.find('?') == std::string::npos ? "?" : "&") + extra_query;
  }
  httplib::Client client(origin);
  client.enable_server_certificate_verification(false);
  client.set_tcp_nodelay(true);
  const auto whole = static_cast<time_t>(timeout_seconds);
  const auto micro = static_cast<time_t>((timeout_seconds - static_cast<double>(whole)) * 1e6);
  client.set_connection_timeout(whole, micro);
  client.set_read_timeout(whole, micro);
  client.set_write_timeout(whole, micro);
  auto res = client.Post(target, form, "application/x-www-form-urlencoded");
  if (!res) return {};
  return {res->status, res->body, res->get_header_value("Content-Type")};
}

}  // namespace emu
