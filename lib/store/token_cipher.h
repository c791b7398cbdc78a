// Encryption of OAuth and application tokens at rest: AES-256-GCM with a random 96-bit nonce per
// value, so a copy of the database file alone does not give access to anyone's portal.
//
// Sealed format: nonce (12 bytes) || ciphertext || tag (16 bytes), as a binary string.
// Optional associated data binds a value to where it is stored (portal and column), so a blob
// copied to another row fails to open.
//
// Thread-safety: an immutable value; Seal and Open may run concurrently on one instance.
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "lib/core/error.h"

namespace store {

class TokenCipher {
 public:
  static constexpr std::size_t kKeySize = 32;
  static constexpr std::size_t kNonceSize = 12;
  static constexpr std::size_t kTagSize = 16;

  // Accepts 64 hex characters or the base64 of exactly 32 bytes (standard alphabet, padding
  // optional). Anything else fails with kInvalidArgument; the message never echoes the key.
  [[nodiscard]] static core::Result<TokenCipher> FromKey(std::string_view key);

  // A fixed, publicly known key for development mode only: anything sealed with it is readable
  // by anyone with this source code.
  static TokenCipher ForDevelopment();

  TokenCipher(const TokenCipher&) = default;
  TokenCipher& operator=(const TokenCipher&) = default;
  ~TokenCipher();

  // Fails with kInternal only if OpenSSL fails (no randomness, allocation).
  [[nodiscard]] core::Result<std::string> Seal(std::string_view plaintext,
                                               std::string_view associated_data = {}) const;
  // Fails with kInternal "token decryption failed" for a wrong key, other associated data, or any
  // changed, missing or extra byte.
  [[nodiscard]] core::Result<std::string> Open(std::string_view sealed,
                                               std::string_view associated_data = {}) const;

  // A key for another purpose (e.g. signing page sessions), derived from this one with
  // HMAC-SHA256, so one secret serves both and neither reveals the other. 32 raw bytes.
  std::string DeriveKey(std::string_view purpose) const;

 private:
  using Key = std::array<unsigned char, kKeySize>;
  explicit TokenCipher(const Key& key) : key_(key) {}

  Key key_;
};

}  // namespace store
