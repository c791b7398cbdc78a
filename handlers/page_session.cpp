#include "handlers/page_session.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstdlib>
#include <vector>

#include "handlers/reply.h"
#include "lib/core/payloads.h"

namespace handlers {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64Url(std::string_view bytes) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : bytes) {
    buffer = (buffer << 8) | static_cast<unsigned char>(c);
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 63u];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 63u];
  return out;
}

bool FromBase64Url(std::string_view text, std::string& out) {
  uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    const char* at = std::char_traits<char>::find(kAlphabet, 64, c);
    if (at == nullptr) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(at - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xffu);
    }
  }
  // Canonical only: leftover bits must be zero, so a token has one spelling.
  return (buffer & ((1u << bits) - 1u)) == 0;
}

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts(1);
  for (const char c : text) {
    if (c == separator) {
      parts.emplace_back();
    } else {
      parts.back() += c;
    }
  }
  return parts;
}

tl::unexpected<core::Error> Refuse() {
  return core::Fail(core::ErrorCode::kUnauthorized, "The page session is invalid or expired");
}

}  // namespace

std::string PageSessions::Mac(std::string_view payload) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
}

std::string PageSessions::Issue(PageSession session, int64_t now) const {
  const std::string payload = "v2|" + session.member_id + "|" + std::to_string(session.user_id) +
                              "|" + (session.admin ? "1" : "0") + "|" + session.entity_type + "|" +
                              std::to_string(session.entity_id) + "|" +
                              std::to_string(now + kLifetimeSeconds);
  return Base64Url(payload) + "." + Base64Url(Mac(payload));
}

core::Result<PageSession> PageSessions::Verify(std::string_view token, int64_t now) const {
  const auto dot = token.find('.');
  std::string payload, mac;
  if (token.size() > 512 || dot == std::string_view::npos ||
      !FromBase64Url(token.substr(0, dot), payload) || !FromBase64Url(token.substr(dot + 1), mac) ||
      !core::ConstantTimeEquals(mac, Mac(payload))) {
    return Refuse();
  }
  const auto parts = Split(payload, '|');
  PageSession session;
  if (parts.size() != 7 || parts[0] != "v2" || !ParseWhole(parts[2], session.user_id) ||
      (parts[3] != "0" && parts[3] != "1") ||
      (parts[4] != "" && parts[4] != "lead" && parts[4] != "deal") ||
      !ParseWhole(parts[5], session.entity_id) || !ParseWhole(parts[6], session.expires_at)) {
    return Refuse();
  }
  session.member_id = parts[1];
  session.admin = parts[3] == "1";
  session.entity_type = parts[4];
  if (session.expires_at <= now) return Refuse();
  return session;
}

}  // namespace handlers
