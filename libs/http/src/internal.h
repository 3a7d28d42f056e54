#pragma once

// Helpers shared by the server and the client that need neither Beast nor Asio (kept apart so
// that they compile fast and can be unit-tested directly).

#include <optional>
#include <string>
#include <string_view>

#include "takahe/http/http.h"

using SSL = struct ssl_st;
using SSL_CTX = struct ssl_ctx_st;

namespace takahe::log {
class Logger;
}

namespace takahe::http::detail {

/// The library's logger ("http", i.e. "takahe-dhcp4.http").
const log::Logger& logger();

/// "host:port", with an IPv6 literal in brackets: "[::1]:8000".
std::string hostPort(const std::string& host, uint16_t port);

/// "" when the client settings can go into a request, else why not (CR/LF in host or path, a
/// colon or CR/LF in the user name).
std::string checkClientConfig(const ClientConfig& config);

/// The complete HTTP/1.1 POST (header and body) for `config`; `keep_alive` false adds
/// "Connection: close".
std::string buildRequest(const ClientConfig& config, std::string_view body, bool keep_alive);

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

/// The subject of the certificate the peer presented, also one that failed verification
/// (recorded by the verify callback both contexts above install); "" if none.
std::string presentedSubject(SSL* ssl);

/// X509_verify_cert_error_string of the failed certificate check; "" when it passed (or did
/// not run).
std::string verifyError(SSL* ssl);

/// Fills the TLS failure fields of a client result: tls_failed, the server's certificate
/// subject and verify error (from `ssl`, may be null), and `error` = "TLS handshake with
/// <where> failed: <reason>[; server certificate subject: <subject>]".
void setTlsFailure(ClientResult& result, const std::string& where, const std::string& reason,
                   SSL* ssl);

}  // namespace takahe::http::detail
