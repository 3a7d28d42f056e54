// Base64, basic authentication, JSON status bodies and Content-Type checks (no Beast here).

#include <openssl/crypto.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>

#include "internal.h"
#include "takahe/cc/value.h"

namespace takahe::http::detail {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64Value(char c) {
  if (c >= 'A' && c <= 'Z') {
    return c - 'A';
  }
  if (c >= 'a' && c <= 'z') {
    return c - 'a' + 26;
  }
  if (c >= '0' && c <= '9') {
    return c - '0' + 52;
  }
  if (c == '+') {
    return 62;
  }
  if (c == '/') {
    return 63;
  }
  return -1;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

std::string base64Encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(data[i]) << 16) |
                       (static_cast<uint8_t>(data[i + 1]) << 8) | static_cast<uint8_t>(data[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  const size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(data[i]) << 16;
    if (rest == 2) {
      v |= static_cast<uint8_t>(data[i + 1]) << 8;
    }
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64Decode(std::string_view text) {
  while (!text.empty() && text.back() == '=') {
    text.remove_suffix(1);
  }
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(text.size() * 3 / 4);
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = base64Value(c);
    if (v < 0) {
      return std::nullopt;
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string jsonStatusBody(unsigned status, std::string_view text) {
  // The same JSON writer as every other answer, so escaping cannot drift.
  cc::Value body = cc::Value::makeMap();
  body.set("result", static_cast<int64_t>(status));
  body.set("text", text);
  return body.toJson();
}

bool isJsonContentType(std::string_view value) {
  const auto semi = value.find(';');
  return equalsIgnoreCase(trim(value.substr(0, semi)), "application/json");
}

std::string basicAuthHeader(const BasicAuthClient& client) {
  return "Basic " + base64Encode(client.user + ":" + client.password);
}

AuthResult checkBasicAuth(const BasicAuthConfig& config, std::string_view header) {
  AuthResult result;
  header = trim(header);
  const auto space = header.find(' ');
  if (space == std::string_view::npos || !equalsIgnoreCase(header.substr(0, space), "Basic")) {
    return result;
  }
  const auto decoded = base64Decode(trim(header.substr(space + 1)));
  if (!decoded) {
    return result;
  }
  const auto colon = decoded->find(':');
  if (colon == std::string::npos) {
    return result;
  }
  result.user = decoded->substr(0, colon);
  // Every client is compared, each in constant time, so the time taken does not tell which
  // user exists or how much of a password matched.
  const BasicAuthClient* match = nullptr;
  for (const auto& client : config.clients) {
    const std::string expected = client.user + ":" + client.password;
    const bool same = expected.size() == decoded->size() &&
                      CRYPTO_memcmp(expected.data(), decoded->data(), expected.size()) == 0;
    if (same && match == nullptr) {
      match = &client;
    }
  }
  result.ok = match != nullptr;
  return result;
}

}  // namespace takahe::http::detail
