// TLS between Connection and real PostgreSQL and MariaDB servers (suite 'db'): trust-anchor,
// cert-file, key-file and (MariaDB) cipher-list. The servers come from test/lib/db.sh started
// with DB_TLS_DIR (certificates from tkh_make_pki): they offer TLS with server.crt (signed by
// ca.crt, naming IP 127.0.0.1), and their user "operator" must log in over TLS with a client
// certificate. Without them every test fails and says how to start them.

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <soci/soci.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "takahe/db/connection.h"

using namespace takahe::db;

namespace {

const char* portVar(Backend b) {
  return b == Backend::kPostgresql ? "TAKAHE_TEST_PGSQL_PORT" : "TAKAHE_TEST_MYSQL_PORT";
}
const char* tlsVar(Backend b) {
  return b == Backend::kPostgresql ? "TAKAHE_TEST_PGSQL_TLS_DIR" : "TAKAHE_TEST_MYSQL_TLS_DIR";
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') {
    FAIL(std::string(name) +
         " not set: start the servers with TLS, e.g. `. test/lib/common.sh; . test/lib/db.sh; "
         "TKH_TMP=/tmp tkh_make_pki /tmp/db-pki; DB_TLS_DIR=/tmp/db-pki db_start_all`");
  }
  return v;
}

std::string pki(Backend b, const std::string& file) { return env(tlsVar(b)) + "/" + file; }

// The server as user "takahe" (password), trusting the test CA.
DbConfig tlsServer(Backend b) {
  DbConfig c;
  c.backend = b;
  c.name = "takahe_test";
  c.host = "127.0.0.1";
  c.port = static_cast<uint16_t>(std::atoi(env(portVar(b)).c_str()));
  c.user = "takahe";
  c.password = "takahe-test";
  c.connect_timeout = 5;
  c.trust_anchor = pki(b, "ca.crt");
  return c;
}

// The server as user "operator", who may log in only with a client certificate.
DbConfig certUser(Backend b) {
  DbConfig c = tlsServer(b);
  c.user = "operator";
  c.password.clear();
  c.cert_file = pki(b, "client.crt");
  c.key_file = pki(b, "client.key");
  return c;
}

struct ConnectError {
  std::string what;
  bool lost = false;
};

ConnectError connectError(const DbConfig& c) {
  try {
    Connection conn(c);
  } catch (const DbError& e) {
    return {e.what(), e.connectionLost()};
  }
  return {"(connected)", false};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Whether the session is encrypted, asked of the server: PostgreSQL's pg_stat_ssl row of this
// backend, MariaDB's Ssl_cipher session status (empty without TLS).
std::string sessionCipher(Connection& c) {
  std::string cipher;
  soci::indicator ind = soci::i_ok;
  if (c.backend() == Backend::kPostgresql) {
    c.session() << "SELECT CASE WHEN ssl THEN cipher ELSE '' END FROM pg_stat_ssl "
                   "WHERE pid = pg_backend_pid()",
        soci::into(cipher, ind);
  } else {
    std::string name;
    c.session() << "SHOW SESSION STATUS LIKE 'Ssl_cipher'", soci::into(name),
        soci::into(cipher, ind);
  }
  return ind == soci::i_ok ? cipher : "";
}

// A self-signed CA that signed nothing the servers have: a wrong trust anchor.
class OtherCa {
 public:
  OtherCa() {
    char dir[] = "/tmp/takahe-tls-test.XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    dir_ = dir;
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
    REQUIRE((key && cert));
    X509* x = cert.get();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 2 * 86400);
    X509_set_pubkey(x, key.get());
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("Not the Takahe test CA"), -1,
                               -1, 0);
    X509_set_issuer_name(x, name);
    X509_EXTENSION* ext =
        X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "critical,CA:TRUE");
    REQUIRE(ext != nullptr);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    REQUIRE(X509_sign(x, key.get(), EVP_sha256()) > 0);
    FILE* f = std::fopen(path().c_str(), "w");
    REQUIRE(f != nullptr);
    bool written = PEM_write_X509(f, x) == 1;
    std::fclose(f);
    REQUIRE(written);
  }
  ~OtherCa() { std::filesystem::remove_all(dir_); }
  OtherCa(const OtherCa&) = delete;
  OtherCa& operator=(const OtherCa&) = delete;
  std::string path() const { return dir_ + "/ca.crt"; }

 private:
  std::string dir_;
};

void encrypted(Backend b) {
  DbConfig c = tlsServer(b);
  Connection conn(c);
  CHECK(conn.alive());
  CHECK_FALSE(sessionCipher(conn).empty());
  if (b == Backend::kMysql) {
    // The same check says "not encrypted" for a plain session: MariaDB's client does not
    // turn TLS on by itself (libpq's default sslmode=prefer does, so PostgreSQL has no such
    // contrast here).
    c.trust_anchor.clear();
    Connection plain(c);
    CHECK(sessionCipher(plain).empty());
  }
}

void wrongTrustAnchor(Backend b) {
  OtherCa other;
  DbConfig c = tlsServer(b);
  c.trust_anchor = other.path();
  ConnectError e = connectError(c);
  INFO(e.what);
  CHECK(e.what.rfind(
            "cannot connect to " + describe(c) + ": the server's certificate was not accepted: ",
            0) == 0);
  CHECK(contains(e.what,
                 "(check trust-anchor: it must hold the CA that signed the server's certificate)"));
  CHECK_FALSE(e.lost);
}

// With a trust anchor the server's name is verified too. The certificate names IP 127.0.0.1
// (and has CN 127.0.0.1): "localhost" (PostgreSQL) and "127.1" (MariaDB, where "localhost" means
// the UNIX socket; libpq takes "127.1" for the address itself) reach the server under a name it
// does not carry.
void wrongHostName(Backend b) {
  DbConfig c = tlsServer(b);
  c.host = b == Backend::kPostgresql ? "localhost" : "127.1";
  ConnectError e = connectError(c);
  CHECK(e.what == "cannot connect to " + describe(c) +
                      ": the server's certificate does not name host '" + c.host +
                      "' (check host: with trust-anchor set it must be a name or address in the "
                      "server's certificate)");
  CHECK_FALSE(e.lost);
}

void clientCertificate(Backend b) {
  Connection conn(certUser(b));
  CHECK_FALSE(sessionCipher(conn).empty());
  std::string who;
  if (b == Backend::kPostgresql) {
    conn.session() << "SELECT current_user || ' ' || client_dn FROM pg_stat_ssl "
                      "WHERE pid = pg_backend_pid()",
        soci::into(who);
    CHECK(who == "operator /CN=operator");
  } else {
    std::string name;
    conn.session() << "SELECT CURRENT_USER()", soci::into(who);
    CHECK(who == "operator@%");
    // The server saw the certificate (REQUIRE X509 let the user in with it).
    conn.session() << "SHOW SESSION STATUS LIKE 'Ssl_version'", soci::into(name), soci::into(who);
    CHECK(who.rfind("TLSv1.", 0) == 0);
  }
}

void missingClientCertificate(Backend b) {
  DbConfig c = certUser(b);
  c.cert_file.clear();
  c.key_file.clear();
  ConnectError e = connectError(c);
  if (b == Backend::kPostgresql) {
    CHECK(e.what == "cannot connect to " + describe(c) +
                        ": the server requires a client certificate (set cert-file and key-file)");
  } else {
    // MariaDB answers a missing certificate exactly as a wrong password.
    CHECK(e.what == "cannot connect to " + describe(c) +
                        ": authentication failed for user 'operator' (check user and password; if "
                        "the user must present a client certificate (REQUIRE X509), set "
                        "cert-file and key-file)");
  }
  CHECK_FALSE(e.lost);
}

void unreadableFiles(Backend b) {
  for (const char* key : {"trust-anchor", "cert-file", "key-file"}) {
    DbConfig c = certUser(b);
    std::string missing = pki(b, "no-such-file.pem");
    std::string k = key;
    (k == "trust-anchor" ? c.trust_anchor : k == "cert-file" ? c.cert_file : c.key_file) = missing;
    ConnectError e = connectError(c);
    CHECK(e.what == "cannot connect to " + describe(c) + ": cannot read " + k + " '" + missing +
                        "': No such file or directory (check " + k + ")");
    CHECK_FALSE(e.lost);
  }
}

// A client key that is not the certificate's: refused before anything reaches the server.
void mismatchedKey(Backend b) {
  DbConfig c = certUser(b);
  c.key_file = pki(b, "server.key");
  ConnectError e = connectError(c);
  INFO(e.what);
  CHECK(e.what.rfind("cannot connect to " + describe(c) + ": ", 0) == 0);
  CHECK(contains(e.what, "(check key-file: it must be the private key of cert-file)"));
  CHECK_FALSE(e.lost);
}

}  // namespace

TEST_CASE("postgresql TLS: with trust-anchor the session is encrypted") {
  encrypted(Backend::kPostgresql);
}
TEST_CASE("postgresql TLS: a trust-anchor that did not sign the server certificate is refused") {
  wrongTrustAnchor(Backend::kPostgresql);
}
TEST_CASE("postgresql TLS: a host the server certificate does not name is refused") {
  wrongHostName(Backend::kPostgresql);
}
TEST_CASE("postgresql TLS: a user that needs a client certificate logs in with cert-file") {
  clientCertificate(Backend::kPostgresql);
}
TEST_CASE("postgresql TLS: without cert-file that user is refused, naming cert-file") {
  missingClientCertificate(Backend::kPostgresql);
}
TEST_CASE("postgresql TLS: unreadable trust-anchor, cert-file or key-file are named") {
  unreadableFiles(Backend::kPostgresql);
}
TEST_CASE("postgresql TLS: a key-file that does not match cert-file is named") {
  mismatchedKey(Backend::kPostgresql);
}

TEST_CASE("mysql TLS: with trust-anchor the session is encrypted") { encrypted(Backend::kMysql); }
TEST_CASE("mysql TLS: a trust-anchor that did not sign the server certificate is refused") {
  wrongTrustAnchor(Backend::kMysql);
}
TEST_CASE("mysql TLS: a host the server certificate does not name is refused") {
  wrongHostName(Backend::kMysql);
}
TEST_CASE("mysql TLS: a REQUIRE X509 user logs in with cert-file and key-file") {
  clientCertificate(Backend::kMysql);
}
TEST_CASE("mysql TLS: without cert-file that user is refused, naming cert-file") {
  missingClientCertificate(Backend::kMysql);
}
TEST_CASE("mysql TLS: unreadable trust-anchor, cert-file or key-file are named") {
  unreadableFiles(Backend::kMysql);
}
TEST_CASE("mysql TLS: a key-file that does not match cert-file is named") {
  mismatchedKey(Backend::kMysql);
}
TEST_CASE("mysql TLS: cipher-list chooses the cipher") {
  DbConfig c = tlsServer(Backend::kMysql);
  // TLS 1.2 ciphers only: the session is TLS 1.2 with one of them.
  c.cipher_list = "ECDHE-RSA-AES128-GCM-SHA256";
  Connection tls12(c);
  CHECK(sessionCipher(tls12) == "ECDHE-RSA-AES128-GCM-SHA256");
  c.cipher_list = "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305";
  Connection other(c);
  CHECK(sessionCipher(other) == "ECDHE-RSA-AES256-GCM-SHA384");
  // A TLS 1.3 suite in the list: TLS 1.3 with that suite (the server prefers another by default).
  c.cipher_list = "TLS_AES_128_GCM_SHA256";
  Connection tls13(c);
  CHECK(sessionCipher(tls13) == "TLS_AES_128_GCM_SHA256");
  // Statements run on the handle Takahe opened (it replaced SOCI's own).
  std::string db, user;
  tls13.session() << "SELECT DATABASE(), CURRENT_USER()", soci::into(db), soci::into(user);
  CHECK(db == "takahe_test");
  CHECK(user == "takahe@%");
}
TEST_CASE("mysql TLS: a cipher-list the client cannot use is refused, naming cipher-list") {
  DbConfig c = tlsServer(Backend::kMysql);
  c.cipher_list = "NO-SUCH-CIPHER";
  ConnectError e = connectError(c);
  INFO(e.what);
  CHECK(e.what.rfind("cannot connect to " + describe(c) + ": ", 0) == 0);
  CHECK(contains(e.what, "(check cipher-list)"));
  CHECK_FALSE(e.lost);
}
