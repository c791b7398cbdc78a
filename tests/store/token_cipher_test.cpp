#include "lib/store/token_cipher.h"

#include <string>

#include <catch2/catch.hpp>

namespace token_cipher_test {

namespace {

using std::string_literals::operator""s;

// The bytes 0x00..0x1f in both accepted spellings.
constexpr std::string_view kHexKey =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
constexpr std::string_view kBase64Key = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
constexpr std::string_view kOtherHexKey =
    "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

store::TokenCipher MustCipher(std::string_view key) {
  auto cipher = store::TokenCipher::FromKey(key);
  REQUIRE(cipher.has_value());
  return *cipher;
}

std::string MustSeal(const store::TokenCipher& cipher, std::string_view plaintext,
                     std::string_view associated_data = {}) {
  auto sealed = cipher.Seal(plaintext, associated_data);
  REQUIRE(sealed.has_value());
  return *sealed;
}

void CheckDecryptionFails(const core::Result<std::string>& opened) {
  REQUIRE_FALSE(opened.has_value());
  CHECK(opened.error().code == core::ErrorCode::kInternal);
  CHECK(opened.error().message == "token decryption failed");
}

}  // namespace

TEST_CASE("sealed tokens open again with the same key") {
  const auto cipher = MustCipher(kHexKey);
  const struct {
    const char* name;
    std::string plaintext;
    std::string associated_data;
  } rows[] = {
      {"empty", "", ""},
      {"short", "a", ""},
      {"typical token", "6f5e4d3c0000071e00000001000000a1b2c3d4e5f6", ""},
      {"binary with NUL", "\0\x01\xff\0"s, ""},
      {"utf-8", "токен", ""},
      {"long", std::string(100000, 'x'), ""},
      {"with associated data", "token", "portals/m1/access_token"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const std::string sealed = MustSeal(cipher, row.plaintext, row.associated_data);
    CHECK(sealed.size() ==
          store::TokenCipher::kNonceSize + row.plaintext.size() + store::TokenCipher::kTagSize);
    if (row.plaintext.size() >= 4) CHECK(sealed.find(row.plaintext) == std::string::npos);
    auto opened = cipher.Open(sealed, row.associated_data);
    REQUIRE(opened.has_value());
    CHECK(*opened == row.plaintext);
  }
}

TEST_CASE("every seal uses a fresh nonce") {
  const auto cipher = MustCipher(kHexKey);
  const std::string first = MustSeal(cipher, "same token");
  const std::string second = MustSeal(cipher, "same token");
  CHECK(first.substr(0, store::TokenCipher::kNonceSize) !=
        second.substr(0, store::TokenCipher::kNonceSize));
  CHECK(first != second);
}

TEST_CASE("a wrong key — other associated data or a changed length fails to open") {
  const auto cipher = MustCipher(kHexKey);
  const std::string sealed = MustSeal(cipher, "access-token", "portals/m1/access_token");

  CheckDecryptionFails(MustCipher(kOtherHexKey).Open(sealed, "portals/m1/access_token"));
  CheckDecryptionFails(
      store::TokenCipher::ForDevelopment().Open(sealed, "portals/m1/access_token"));
  CheckDecryptionFails(cipher.Open(sealed, "portals/m2/access_token"));
  CheckDecryptionFails(cipher.Open(sealed));
  CheckDecryptionFails(cipher.Open(sealed.substr(0, sealed.size() - 1), "portals/m1/access_token"));
  CheckDecryptionFails(cipher.Open(sealed + "x", "portals/m1/access_token"));
  CheckDecryptionFails(cipher.Open(""));
  CheckDecryptionFails(cipher.Open(std::string(27, '\0')));
}

TEST_CASE("changing any single byte of a sealed token makes it fail to open") {
  const auto cipher = MustCipher(kHexKey);
  const std::string sealed = MustSeal(cipher, "refresh-token-value");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    INFO("byte " << i);
    std::string tampered = sealed;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x01);
    CheckDecryptionFails(cipher.Open(tampered));
  }
}

TEST_CASE("hex and base64 spellings of one key are the same key") {
  const auto from_hex = MustCipher(kHexKey);
  const auto from_upper_hex =
      MustCipher("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F");
  const auto from_base64 = MustCipher(kBase64Key);
  const auto from_unpadded = MustCipher(kBase64Key.substr(0, kBase64Key.size() - 1));
  const std::string sealed = MustSeal(from_hex, "token");
  for (const auto* cipher : {&from_upper_hex, &from_base64, &from_unpadded}) {
    auto opened = cipher->Open(sealed);
    REQUIRE(opened.has_value());
    CHECK(*opened == "token");
  }
}

TEST_CASE("malformed keys are refused without echoing them") {
  const struct {
    const char* name;
    std::string key;
  } rows[] = {
      {"empty", ""},
      {"63 hex", std::string(kHexKey.substr(1))},
      {"65 hex", std::string(kHexKey) + "0"},
      {"64 chars, not hex", "zz" + std::string(kHexKey.substr(2))},
      {"hex with a space", " " + std::string(kHexKey.substr(1))},
      {"base64 of 31 bytes", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg=="},
      {"base64 of 33 bytes", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"},
      {"base64 with a bad character", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd*h8="},
      {"base64 non-canonical last character", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh9="},
      {"base64 with two pads", std::string(kBase64Key) + "="},
      {"base64 with a trailing newline", std::string(kBase64Key) + "\n"},
      {"url-safe base64", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwd_h8="},
      {"a passphrase", "correct horse battery staple"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto cipher = store::TokenCipher::FromKey(row.key);
    REQUIRE_FALSE(cipher.has_value());
    CHECK(cipher.error().code == core::ErrorCode::kInvalidArgument);
    if (!row.key.empty()) CHECK(cipher.error().message.find(row.key) == std::string::npos);
  }
}

TEST_CASE("the development key is fixed — so dev data survives restarts — and is not a real key") {
  const std::string sealed = MustSeal(store::TokenCipher::ForDevelopment(), "dev-token");
  auto opened = store::TokenCipher::ForDevelopment().Open(sealed);
  REQUIRE(opened.has_value());
  CHECK(*opened == "dev-token");
  CheckDecryptionFails(MustCipher(kHexKey).Open(sealed));
}

}  // namespace token_cipher_test
