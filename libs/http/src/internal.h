#pragma once

// Helpers shared by the server and the client that need neither Beast nor Asio (kept apart so
// that they compile fast and can be unit-tested directly).

#include <optional>
#include <string>
#include <string_view>

#include "takahe/http/http.h"

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace takahe::http::detail {

/// RFC 4648 base64 with padding.
std::string base64Encode(std::string_view data);
/// Decodes padded or unpadded base64; nullopt on any other character or a bad length.
std::optional<std::string> base64Decode(std::string_view text);

/// `{"result": <status>, "text": "<text>"}` with the text JSON-escaped.
std::string jsonStatusBody(unsigned status, std::string_view text);

/// Whether a Content-Type value names application/json (case-insensitive, parameters such as
/// "; charset=utf-8" allowed).
bool isJsonContentType(std::string_view value);

/// The value of an Authorization header for basic auth.
std::string basicAuthHeader(const BasicAuthClient& client);

/// Outcome of checking an Authorization header against the configured clients.
struct AuthResult {
  bool ok = false;
  std::string user;  // the authenticated user, or the name offered when !ok ("" if none)
};

/// Checks `header` ("Basic <base64 user:password>") against every client, comparing in constant
/// time per candidate (CRYPTO_memcmp) and without stopping at the first match.
AuthResult checkBasicAuth(const BasicAuthConfig& config, std::string_view header);

/// Builds the server's SSL_CTX from the TLS settings (TLS 1.2+). Throws takahe::Error naming the
/// file and OpenSSL's reason. The caller owns the result.
SSL_CTX* makeServerTlsContext(const TlsConfig& tls);

/// Builds the client's SSL_CTX: the server is always verified (against trust_anchor, else the
/// system's default CA paths); cert_file/key_file are sent when set. nullptr + `error` on failure.
SSL_CTX* makeClientTlsContext(const TlsConfig& tls, std::string& error);

/// Per-connection client settings: SNI (names only) and the expected name or IP address in the
/// server certificate. False + `error` on failure.
bool setClientPeerName(SSL* ssl, const std::string& host, std::string& error);

/// OpenSSL's reason for a packed error code, plus the certificate verification result of `ssl`
/// (may be null) when verification failed: "certificate verify failed (unable to get local
/// issuer certificate)".
std::string tlsReason(unsigned long error, SSL* ssl);

/// The subject of the peer's certificate in RFC 2253 form ("CN=client,O=Takahe"); "" if none.
std::string peerSubject(SSL* ssl);

}  // namespace takahe::http::detail
