#include "lib/store/token_cipher.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <memory>
#include <string>

namespace store {
namespace {

// Exactly 32 characters; see ForDevelopment().
constexpr char kInsecureDevelopmentKey[] = "INSECURE-conveyor-dev-key-000000";
static_assert(sizeof(kInsecureDevelopmentKey) - 1 == TokenCipher::kKeySize);

constexpr const char* kDecryptionFailed = "token decryption failed";

using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, decltype(&EVP_CIPHER_CTX_free)>;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

template <class Key>
bool DecodeHex(std::string_view text, Key& key) {
  if (text.size() != key.size() * 2) return false;
  for (std::size_t i = 0; i < key.size(); ++i) {
    const int hi = HexValue(text[2 * i]);
    const int lo = HexValue(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    key[i] = static_cast<unsigned char>(hi * 16 + lo);
  }
  return true;
}

// Strict: only the canonical encoding of exactly key.size() bytes is accepted, so one key has
// one spelling (with or without its padding).
template <class Key>
bool DecodeBase64(std::string_view text, Key& key) {
  std::size_t padding = 0;
  while (!text.empty() && text.back() == '=' && padding < 2) {
    text.remove_suffix(1);
    ++padding;
  }
  // 32 bytes are 43 characters of data (258 bits, the last 2 zero) plus one '='.
  constexpr std::size_t kDataChars = (TokenCipher::kKeySize * 8 + 5) / 6;
  if (text.size() != kDataChars) return false;
  if (padding != 0 && (text.size() + padding) % 4 != 0) return false;
  uint32_t buffer = 0;
  int bits = 0;
  std::size_t out = 0;
  for (char c : text) {
    const int value = Base64Value(c);
    if (value < 0) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (out == key.size()) return false;
      key[out++] = static_cast<unsigned char>((buffer >> bits) & 0xffu);
    }
  }
  const uint32_t leftover = buffer & ((1u << bits) - 1u);
  return out == key.size() && leftover == 0;
}

const unsigned char* Bytes(std::string_view text) {
  return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

core::Result<TokenCipher> TokenCipher::FromKey(std::string_view key) {
  Key bytes{};
  if (DecodeHex(key, bytes) || DecodeBase64(key, bytes)) {
    TokenCipher cipher(bytes);
    OPENSSL_cleanse(bytes.data(), bytes.size());
    return cipher;
  }
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return core::Fail(core::ErrorCode::kInvalidArgument,
                    "token key must be 64 hex characters or the base64 of 32 bytes (got " +
                        std::to_string(key.size()) + " characters)");
}

TokenCipher TokenCipher::ForDevelopment() {
  Key bytes{};
  for (std::size_t i = 0; i < kKeySize; ++i) {
    bytes[i] = static_cast<unsigned char>(kInsecureDevelopmentKey[i]);
  }
  return TokenCipher(bytes);
}

TokenCipher::~TokenCipher() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string TokenCipher::DeriveKey(std::string_view purpose) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(purpose.data()), purpose.size(), out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
}

core::Result<std::string> TokenCipher::Seal(std::string_view plaintext,
                                            std::string_view associated_data) const {
  constexpr const char* kFailed = "token encryption failed";
  if (plaintext.size() > INT_MAX - kNonceSize - kTagSize || associated_data.size() > INT_MAX) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "token encryption: value too large");
  }
  std::string sealed(kNonceSize + plaintext.size() + kTagSize, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  if (RAND_bytes(out, static_cast<int>(kNonceSize)) != 1) {
    return core::Fail(core::ErrorCode::kInternal, kFailed);
  }
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  // GCM's default IV length is the 12 bytes we use.
  if (ctx == nullptr ||
      EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out) != 1 ||
      (!associated_data.empty() &&
       EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(associated_data),
                         static_cast<int>(associated_data.size())) != 1) ||
      EVP_EncryptUpdate(ctx.get(), out + kNonceSize, &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), out + kNonceSize + len, &len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          out + kNonceSize + plaintext.size()) != 1) {
    return core::Fail(core::ErrorCode::kInternal, kFailed);
  }
  return sealed;
}

core::Result<std::string> TokenCipher::Open(std::string_view sealed,
                                            std::string_view associated_data) const {
  if (sealed.size() < kNonceSize + kTagSize || sealed.size() > INT_MAX ||
      associated_data.size() > INT_MAX) {
    return core::Fail(core::ErrorCode::kInternal, kDecryptionFailed);
  }
  const std::size_t text_size = sealed.size() - kNonceSize - kTagSize;
  std::array<unsigned char, kTagSize> tag{};
  std::copy_n(Bytes(sealed) + kNonceSize + text_size, kTagSize, tag.begin());
  std::string plaintext(text_size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  CipherCtx ctx(EVP_CIPHER_CTX_new(), &EVP_CIPHER_CTX_free);
  int len = 0;
  const bool ok =
      ctx != nullptr &&
      EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), Bytes(sealed)) == 1 &&
      (associated_data.empty() ||
       EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(associated_data),
                         static_cast<int>(associated_data.size())) == 1) &&
      EVP_DecryptUpdate(ctx.get(), out, &len, Bytes(sealed) + kNonceSize,
                        static_cast<int>(text_size)) == 1 &&
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize),
                          tag.data()) == 1 &&
      // Final verifies the tag; only then is the plaintext trustworthy.
      EVP_DecryptFinal_ex(ctx.get(), out + len, &len) == 1;
  if (!ok) {
    OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return core::Fail(core::ErrorCode::kInternal, kDecryptionFailed);
  }
  return plaintext;
}

}  // namespace store
