// The HTTP port of the REST client: one POST, no redirects followed (a 302 from a portal that
// changed its domain must be seen, not silently turned into a GET).
// Thread-safety: implementations must allow concurrent Post calls.
#pragma once

#include <string>

namespace b24 {

struct HttpReply {
  int status = 0;  // 0: no answer (connection refused, timeout)
  std::string body;
  std::string location;  // for 3xx
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual HttpReply Post(const std::string& url, const std::string& content_type,
                         const std::string& body, double timeout_seconds) = 0;
  virtual HttpReply Get(const std::string& url, double timeout_seconds) = 0;
};

// cpp-httplib over plain HTTP or HTTPS (certificates verified unless told otherwise).
class HttplibTransport : public Transport {
 public:
  explicit HttplibTransport(bool verify_certificates = true) : verify_(verify_certificates) {}
  HttpReply Post(const std::string& url, const std::string& content_type, const std::string& body,
                 double timeout_seconds) override;
  HttpReply Get(const std::string& url, double timeout_seconds) override;

 private:
  bool verify_;
};

}  // namespace b24
