// OpenSSL contexts for the server and the client, and readable TLS error texts. Plain OpenSSL:
// the Asio wrappers in server.cc/client.cc take ownership of the SSL_CTX.

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "internal.h"
#include "takahe/util/error.h"

namespace takahe::http::detail {

namespace {

struct CtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using CtxPtr = std::unique_ptr<SSL_CTX, CtxDeleter>;

/// The reason of the earliest queued OpenSSL error (the root cause; later entries only say
/// which call failed), and clears the queue.
std::string takeOpenSslReason() {
  const unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) {
    return "unknown OpenSSL error";
  }
  const char* reason = ERR_reason_error_string(first);
  if (reason != nullptr) {
    return reason;
  }
  char buf[256];
  ERR_error_string_n(first, buf, sizeof(buf));
  return buf;
}

/// Empty when `path` can be read (a directory when `directory_ok`), else why not.
std::string unreadable(const std::string& path, bool* is_directory = nullptr) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::strerror(errno);
  }
  if (is_directory != nullptr) {
    *is_directory = S_ISDIR(st.st_mode);
  } else if (S_ISDIR(st.st_mode)) {
    return "is a directory";
  }
  if (::access(path.c_str(), R_OK) != 0) {
    return std::strerror(errno);
  }
  return "";
}

/// Loads trust anchors from a CA file or a hashed CA directory; empty on success, else why not.
std::string loadTrustAnchor(SSL_CTX* ctx, const std::string& path, bool send_ca_names) {
  bool is_dir = false;
  if (auto why = unreadable(path, &is_dir); !why.empty()) {
    return "cannot read trust-anchor '" + path + "': " + why;
  }
  const int ok = is_dir ? SSL_CTX_load_verify_locations(ctx, nullptr, path.c_str())
                        : SSL_CTX_load_verify_locations(ctx, path.c_str(), nullptr);
  if (ok != 1) {
    return "cannot load trust-anchor '" + path + "': " + takeOpenSslReason();
  }
  if (send_ca_names && !is_dir) {
    // Tells clients which CAs are accepted, so they pick the right certificate.
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(path.c_str())) {
      SSL_CTX_set_client_CA_list(ctx, names);
    }
    ERR_clear_error();
  }
  return "";
}

/// Loads the certificate chain and its key and checks they match; empty on success.
std::string loadCertAndKey(SSL_CTX* ctx, const TlsConfig& tls) {
  if (auto why = unreadable(tls.cert_file); !why.empty()) {
    return "cannot read cert-file '" + tls.cert_file + "': " + why;
  }
  if (auto why = unreadable(tls.key_file); !why.empty()) {
    return "cannot read key-file '" + tls.key_file + "': " + why;
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, tls.cert_file.c_str()) != 1) {
    return "cannot load cert-file '" + tls.cert_file + "': " + takeOpenSslReason();
  }
  if (SSL_CTX_use_PrivateKey_file(ctx, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    return "cannot load key-file '" + tls.key_file + "': " + takeOpenSslReason();
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return "key-file '" + tls.key_file + "' does not match cert-file '" + tls.cert_file +
           "': " + takeOpenSslReason();
  }
  return "";
}

/// RFC 2253 text of a certificate's subject ("CN=client,O=Takahe").
std::string subjectText(X509* cert) {
  std::string text;
  if (BIO* bio = BIO_new(BIO_s_mem())) {
    if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0,
                           XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
      char* data = nullptr;
      const long len = BIO_get_mem_data(bio, &data);
      if (len > 0 && data != nullptr) {
        text.assign(data, static_cast<size_t>(len));
      }
    }
    BIO_free(bio);
  }
  return text;
}

void freeSubject(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::string*>(ptr);
}

/// The SSL ex_data slot holding the subject of the certificate the peer presented.
int subjectSlot() {
  static const int slot = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, freeSubject);
  return slot;
}

/// Verify callback of both contexts: records the subject of the peer's certificate before the
/// verdict is known, so that a failure can name it (OpenSSL keeps no rejected certificate).
int recordSubject(int preverify_ok, X509_STORE_CTX* store) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  X509* leaf = X509_STORE_CTX_get0_cert(store);
  if (ssl != nullptr && leaf != nullptr && SSL_get_ex_data(ssl, subjectSlot()) == nullptr) {
    SSL_set_ex_data(ssl, subjectSlot(), new std::string(subjectText(leaf)));
  }
  return preverify_ok;
}

CtxPtr newContext(const SSL_METHOD* method) {
  ERR_clear_error();
  CtxPtr ctx(SSL_CTX_new(method));
  if (ctx) {
    SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
    SSL_CTX_set_options(ctx.get(), SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  }
  return ctx;
}

}  // namespace

SSL_CTX* makeServerTlsContext(const TlsConfig& tls) {
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    throw Error("TLS needs both cert-file and key-file");
  }
  if (tls.cert_required && tls.trust_anchor.empty()) {
    throw Error("cert-required is true but no trust-anchor is set to verify client certificates");
  }
  CtxPtr ctx = newContext(TLS_server_method());
  if (!ctx) {
    throw Error("cannot create a TLS context: " + takeOpenSslReason());
  }
  if (auto why = loadCertAndKey(ctx.get(), tls); !why.empty()) {
    throw Error(why);
  }
  int mode = SSL_VERIFY_NONE;
  if (!tls.trust_anchor.empty()) {
    if (auto why = loadTrustAnchor(ctx.get(), tls.trust_anchor, true); !why.empty()) {
      throw Error(why);
    }
    // Without cert-required a client certificate is optional, but one that is presented must
    // still verify.
    mode = tls.cert_required ? SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT : SSL_VERIFY_PEER;
  }
  SSL_CTX_set_verify(ctx.get(), mode, recordSubject);
  // Needed for session resumption when client certificates are verified.
  static constexpr unsigned char kSessionContext[] = "takahe-http";
  SSL_CTX_set_session_id_context(ctx.get(), kSessionContext, sizeof(kSessionContext) - 1);
  return ctx.release();
}

SSL_CTX* makeClientTlsContext(const TlsConfig& tls, std::string& error) {
  CtxPtr ctx = newContext(TLS_client_method());
  if (!ctx) {
    error = "cannot create a TLS context: " + takeOpenSslReason();
    return nullptr;
  }
  if (!tls.trust_anchor.empty()) {
    if (auto why = loadTrustAnchor(ctx.get(), tls.trust_anchor, false); !why.empty()) {
      error = why;
      return nullptr;
    }
  } else if (SSL_CTX_set_default_verify_paths(ctx.get()) != 1) {
    error = "cannot load the system's CA certificates: " + takeOpenSslReason();
    return nullptr;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, recordSubject);
  if (!tls.cert_file.empty() || !tls.key_file.empty()) {
    if (tls.cert_file.empty() || tls.key_file.empty()) {
      error = "a client certificate needs both cert-file and key-file";
      return nullptr;
    }
    if (auto why = loadCertAndKey(ctx.get(), tls); !why.empty()) {
      error = why;
      return nullptr;
    }
  }
  return ctx.release();
}

bool setClientPeerName(SSL* ssl, const std::string& host, std::string& error) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1) {
    return true;  // an address literal: no SNI (RFC 6066 allows only names)
  }
  ERR_clear_error();
  if (SSL_set_tlsext_host_name(ssl, host.c_str()) != 1 || SSL_set1_host(ssl, host.c_str()) != 1) {
    error = "cannot set the TLS server name '" + host + "': " + takeOpenSslReason();
    return false;
  }
  return true;
}

std::string tlsReason(unsigned long error, SSL* ssl) {
  std::string text;
  if (const char* reason = ERR_reason_error_string(error)) {
    text = reason;
  } else {
    char buf[256];
    ERR_error_string_n(error, buf, sizeof(buf));
    text = buf;
  }
  if (const std::string verify = verifyError(ssl); !verify.empty()) {
    text += " (" + verify + ")";
  }
  return text;
}

std::string peerSubject(SSL* ssl) {
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) {
    return "";
  }
  std::string text = subjectText(cert);
  X509_free(cert);
  return text;
}

std::string presentedSubject(SSL* ssl) {
  if (ssl == nullptr) {
    return "";
  }
  if (const auto* recorded = static_cast<const std::string*>(SSL_get_ex_data(ssl, subjectSlot()))) {
    return *recorded;
  }
  return peerSubject(ssl);
}

std::string verifyError(SSL* ssl) {
  if (ssl == nullptr) {
    return "";
  }
  const long verify = SSL_get_verify_result(ssl);
  return verify == X509_V_OK ? "" : X509_verify_cert_error_string(verify);
}

void setTlsFailure(ClientResult& result, const std::string& where, const std::string& reason,
                   SSL* ssl) {
  result.ok = false;
  result.tls_failed = true;
  result.tls_peer_subject = presentedSubject(ssl);
  result.tls_verify_error = verifyError(ssl);
  result.error = "TLS handshake with " + where + " failed: " + reason;
  if (!result.tls_peer_subject.empty()) {
    result.error += "; server certificate subject: " + result.tls_peer_subject;
  }
}

}  // namespace takahe::http::detail
