#include <catch2/catch.hpp>

#include "takahe/crypto/hash.h"

TEST_CASE("SHA-256 matches the FIPS 180-2 test vectors") {
  using takahe::crypto::sha256Hex;
  CHECK(sha256Hex("abc") == "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
  CHECK(sha256Hex("") == "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855");
}
