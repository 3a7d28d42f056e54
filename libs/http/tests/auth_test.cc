// The Beast-free helpers: base64, basic-auth checks, Content-Type and JSON status bodies.

#include <catch2/catch.hpp>

#include "internal.h"

using namespace takahe::http;
using namespace takahe::http::detail;

TEST_CASE("base64 round-trips and follows RFC 4648 test vectors", "[http][auth]") {
  CHECK(base64Encode("") == "");
  CHECK(base64Encode("f") == "Zg==");
  CHECK(base64Encode("fo") == "Zm8=");
  CHECK(base64Encode("foo") == "Zm9v");
  CHECK(base64Encode("foob") == "Zm9vYg==");
  CHECK(base64Encode("fooba") == "Zm9vYmE=");
  CHECK(base64Encode("foobar") == "Zm9vYmFy");
  CHECK(base64Decode("Zm9vYmE=") == std::optional<std::string>("fooba"));
  CHECK(base64Decode("Zm9vYg") == std::optional<std::string>("foob"));
  const std::string binary("\x00\xff\x10\x80 :", 6);
  CHECK(base64Decode(base64Encode(binary)) == std::optional<std::string>(binary));
  CHECK_FALSE(base64Decode("Zm9v!").has_value());
  CHECK_FALSE(base64Decode("Z").has_value());
}

TEST_CASE("basic auth accepts only a configured user with its own password", "[http][auth]") {
  BasicAuthConfig config;
  config.clients = {{"admin", "pa:ss"}, {"ops", "x"}};
  auto ok = checkBasicAuth(config, basicAuthHeader({"admin", "pa:ss"}));
  CHECK(ok.ok);
  CHECK(ok.user == "admin");
  CHECK(checkBasicAuth(config, "basic " + base64Encode("ops:x")).ok);  // scheme case-insensitive

  auto wrong = checkBasicAuth(config, basicAuthHeader({"ops", "pa:ss"}));
  CHECK_FALSE(wrong.ok);
  CHECK(wrong.user == "ops");
  CHECK_FALSE(checkBasicAuth(config, basicAuthHeader({"admin", "pa:s"})).ok);
  CHECK_FALSE(checkBasicAuth(config, basicAuthHeader({"admin", "pa:sss"})).ok);
  CHECK_FALSE(checkBasicAuth(config, "").ok);
  CHECK_FALSE(checkBasicAuth(config, "Bearer abc").ok);
  CHECK_FALSE(checkBasicAuth(config, "Basic !!!").ok);
  CHECK_FALSE(checkBasicAuth(config, "Basic " + base64Encode("nocolon")).ok);
}

TEST_CASE("Content-Type must be application/json, parameters allowed", "[http][auth]") {
  CHECK(isJsonContentType("application/json"));
  CHECK(isJsonContentType("Application/JSON"));
  CHECK(isJsonContentType("application/json; charset=utf-8"));
  CHECK(isJsonContentType(" application/json ;charset=UTF-8"));
  CHECK_FALSE(isJsonContentType(""));
  CHECK_FALSE(isJsonContentType("text/plain"));
  CHECK_FALSE(isJsonContentType("application/jsonx"));
  CHECK_FALSE(isJsonContentType("application/json-patch+json"));
}

TEST_CASE("status bodies are valid JSON with escaped text", "[http][auth]") {
  CHECK(jsonStatusBody(400, "Bad \"x\"\n\\") == R"({"result":400,"text":"Bad \"x\"\n\\"})");
  CHECK(jsonStatusBody(401, "Unauthorized") == R"({"result":401,"text":"Unauthorized"})");
  CHECK(jsonStatusBody(400, std::string("a\x01", 2)) == R"({"result":400,"text":"a\u0001"})");
}
