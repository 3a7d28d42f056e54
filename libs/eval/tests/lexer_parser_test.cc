// Compiling: accepted syntax, static types, error messages with columns, and robustness
// against truncated or random text.

#include <catch2/catch.hpp>
#include <random>
#include <string>

#include "takahe/dhcp/pkt4.h"
#include "takahe/eval/expression.h"
#include "takahe/util/error.h"

using takahe::eval::compile;
using takahe::eval::ValueType;

namespace {

// The ConfigError message for `text`, or "" when it compiles.
std::string errorOf(std::string_view text) {
  try {
    compile(text);
  } catch (const takahe::ConfigError& e) {
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("compile keeps the text and infers the type", "[eval]") {
  const auto e = compile("  substring(option[61].hex, 0, 3) == 'foo' ");
  CHECK(e->text() == "  substring(option[61].hex, 0, 3) == 'foo' ");
  CHECK(e->isBool());
  CHECK(compile("option[61].hex")->type() == ValueType::kString);
  CHECK(compile("option[61].exists")->type() == ValueType::kBool);
  CHECK(compile("relay4[1].exists")->type() == ValueType::kBool);
  CHECK(compile("member('a')")->type() == ValueType::kBool);
  CHECK(compile("ifelse(known, 'a', 'b')")->type() == ValueType::kString);
  CHECK(compile("(('a'))")->type() == ValueType::kString);
  CHECK(compile("pkt4.mac\n==\t0x001122334455")->isBool());  // any white space
}

TEST_CASE("every documented token and function compiles", "[eval]") {
  const char* accepted[] = {
      "'x'",
      "0x0a",
      "42",
      "192.0.2.1",
      "option[1].hex",
      "option[255].text",
      "option[0].exists",
      "relay4[1].hex",
      "relay4[2].text",
      "relay4[5].exists",
      "pkt4.mac",
      "pkt4.hlen",
      "pkt4.htype",
      "pkt4.ciaddr",
      "pkt4.giaddr",
      "pkt4.yiaddr",
      "pkt4.siaddr",
      "pkt4.msgtype",
      "pkt4.transid",
      "pkt.iface",
      "pkt.src",
      "pkt.dst",
      "pkt.len",
      "substring('abc', 0, all)",
      "substring('abc', -1, -2)",
      "concat('a', 'b')",
      "ifelse('a' == 'b', 'c', 'd')",
      "hexstring('a', ':')",
      "addrtotext(10.0.0.1)",
      "int8totext(0x01)",
      "int16totext(0x0001)",
      "int32totext(1)",
      "uint8totext(0x01)",
      "uint16totext(0x0001)",
      "uint32totext(1)",
      "lcase('A')",
      "ucase('a')",
      "split('a.b', '.', 2)",
      "member('KNOWN')",
      "known",
      "unknown",
      "'a' + 'b'",
      "not 'a' == 'b'",
      "'a' == 'a' and 'b' == 'b'",
      "'a' == 'a' or 'b' == 'b'",
      "option[host-name].text",
  };
  for (const char* text : accepted) {
    INFO(text);
    CHECK_NOTHROW(compile(text));
  }
}

TEST_CASE("syntax errors name the expression and the column", "[eval]") {
  CHECK(errorOf("substring(option[61].hex,0,") ==
        "expression 'substring(option[61].hex,0,' at column 28: expected an integer length or "
        "'all', found the end of the expression");
  CHECK(errorOf("option[61].hax") ==
        "expression 'option[61].hax' at column 12: expected hex, text or exists, found 'hax'");
  CHECK(errorOf("option[61]") ==
        "expression 'option[61]' at column 11: expected '.' and then hex, text or exists, found "
        "the end of the expression");
  CHECK(errorOf("'abc") ==
        "expression ''abc' at column 1: string starting here has no closing quote");
  CHECK(errorOf("") ==
        "expression '' at column 1: expected a value (a 'string', 0x hex, "
        "integer, address, option[...], pkt4..., function or '('), found the end "
        "of the expression");
  CHECK_THAT(errorOf("'a' 'b'"), Catch::StartsWith("expression ''a' 'b'' at column 5: expected "
                                                   "an operator"));
  CHECK_THAT(errorOf("('a' == 'b'"), Catch::Contains("column 12: expected ')'"));
  CHECK_THAT(errorOf("'a' = 'b'"), Catch::Contains("column 5: '=' is not an operator"));
  CHECK_THAT(errorOf("'a' != 'b'"), Catch::Contains("column 5: unexpected '!'"));
  CHECK_THAT(errorOf("foo('a')"), Catch::Contains("column 1: unknown word 'foo'"));
  CHECK_THAT(errorOf("pkt4.chaddr"), Catch::Contains("column 6: expected a pkt4 field"));
  CHECK_THAT(errorOf("pkt.foo"), Catch::Contains("column 5: expected a pkt field"));
  CHECK_THAT(errorOf("option[256].hex"),
             Catch::Contains("column 8: option code 256 is out of range (0 to 255)"));
  CHECK_THAT(errorOf("relay4[-1].hex"), Catch::Contains("column 8: option code -1 is out of"));
  CHECK_THAT(errorOf("option[no-such-option].hex"),
             Catch::Contains("column 8: unknown DHCPv4 option name 'no-such-option'"));
  CHECK_THAT(errorOf("relay4[circuit-id].hex"),
             Catch::Contains("column 8: expected a sub-option code"));
  CHECK_THAT(errorOf("option[82].option[1].hex"),
             Catch::Contains("column 12: sub-options (option[x].option[y]) are not supported"));
  CHECK_THAT(errorOf("4294967296"),
             Catch::Contains("column 1: integer 4294967296 is out of range (0 to 4294967295)"));
  CHECK_THAT(errorOf("-1 == 'a'"), Catch::Contains("column 1: integer -1 is out of range"));
  CHECK_THAT(errorOf("0x"), Catch::Contains("column 1: hex literal '0x' needs at least one"));
  CHECK_THAT(errorOf("0x12g4"), Catch::Contains("column 5: hex literal contains 'g'"));
  CHECK_THAT(errorOf("10.0.0.256"),
             Catch::Contains("column 1: '10.0.0.256' is not a valid IPv4 address"));
  CHECK_THAT(errorOf("10.0.1"), Catch::Contains("'10.0.1' is not a valid IPv4 address"));
  CHECK_THAT(errorOf("12ab"), Catch::Contains("column 1: '12a' is not a number"));
  CHECK_THAT(errorOf("substring('abc', 'x', 1)"),
             Catch::Contains("column 18: expected an integer start position, found 'x'"));
  CHECK_THAT(errorOf("substring('abc', 0, none)"),
             Catch::Contains("column 21: expected an integer length or 'all', found 'none'"));
  CHECK_THAT(errorOf("substring('abc', 3000000000, 1)"),
             Catch::Contains("start position 3000000000 is out of range"));
  CHECK_THAT(errorOf("concat('a')"), Catch::Contains("column 11: expected ','"));
  CHECK_THAT(errorOf("concat('a', 'b', 'c')"), Catch::Contains("column 16: expected ')'"));
  CHECK_THAT(errorOf("member(foo)"), Catch::Contains("column 8: expected a class name in quotes"));
  CHECK_THAT(errorOf("member('')"), Catch::Contains("member() needs a class name"));
  CHECK_THAT(errorOf("'a' == 'a' == 'a'"), Catch::Contains("column 12: '==' cannot be chained"));
  CHECK_THAT(errorOf("'a' #"), Catch::Contains("column 5: unexpected '#'"));
  CHECK_THAT(errorOf(std::string("'a' \x01", 5)), Catch::Contains("unexpected byte 0x01"));
}

TEST_CASE("type errors are compile errors with the operand's column", "[eval]") {
  CHECK_THAT(errorOf("'a' and 'b' == 'b'"),
             Catch::Contains("column 5: the left operand of 'and' must be a boolean, not a "
                             "string"));
  CHECK_THAT(errorOf("'b' == 'b' or 'a'"),
             Catch::Contains("column 15: the right operand of 'or' must be a boolean"));
  CHECK_THAT(errorOf("not 'a'"),
             Catch::Contains("column 5: the operand of 'not' must be a boolean, not a string"));
  CHECK_THAT(errorOf("option[1].exists == 'true'"),
             Catch::Contains("column 1: the left operand of '==' must be a string, not a "
                             "boolean"));
  CHECK_THAT(errorOf("'a' + option[1].exists"),
             Catch::Contains("column 7: the right operand of '+' must be a string"));
  CHECK_THAT(errorOf("concat('a', known)"),
             Catch::Contains("column 13: argument 2 of concat must be a string, not a boolean"));
  CHECK_THAT(errorOf("ifelse('a', 'b', 'c')"),
             Catch::Contains("column 8: the condition of ifelse must be a boolean, not a "
                             "string"));
  CHECK_THAT(errorOf("hexstring(pkt4.mac, 'a' == 'b')"),
             Catch::Contains("column 21: argument 2 of hexstring must be a string"));
}

TEST_CASE("nesting is bounded so deep input cannot exhaust the stack", "[eval]") {
  std::string deep;
  for (int i = 0; i < 10000; ++i) {
    deep += "(";
  }
  CHECK_THAT(errorOf(deep), Catch::Contains("nested more than 64 levels deep"));
  std::string nots;
  for (int i = 0; i < 10000; ++i) {
    nots += "not ";
  }
  CHECK_THAT(errorOf(nots + "known"), Catch::Contains("nested more than 64 levels deep"));
  std::string chain = "'a'";
  for (int i = 0; i < 10000; ++i) {
    chain += " + 'a'";
  }
  CHECK_THAT(errorOf(chain), Catch::Contains("nested more than 64 levels deep"));
  // Moderate nesting is fine.
  std::string ok = "'x'";
  for (int i = 0; i < 20; ++i) {
    ok = "lcase(" + ok + ")";
  }
  CHECK_NOTHROW(compile(ok));
}

TEST_CASE("growth is capped: nested hexstring cannot use unbounded memory", "[eval]") {
  std::string e = "0xffffffffffffffffffffffffffffffff";
  for (int i = 0; i < 30; ++i) {
    e = "hexstring(" + e + ", '::::')";
  }
  takahe::dhcp::Pkt4 pkt;
  const std::string v = takahe::eval::evaluateString(*compile(e), pkt);
  CHECK(v.size() == 256 * 1024);
}

TEST_CASE("every prefix of valid expressions either compiles or throws ConfigError", "[eval]") {
  const std::string samples[] = {
      "ifelse(relay4[1].exists, hexstring(relay4[1].hex, ':'), 'none') + ' ' + "
      "addrtotext(pkt4.giaddr)",
      "substring(option[61].hex, -3, all) == 0x112233 and not (pkt4.msgtype == 1 or known)",
      "split(lcase(option[host-name].text), '.-', 2) == 'a' or member('X')",
      "uint32totext(pkt.len) + int8totext(0xff) + pkt.iface + concat(10.0.0.1, 12)",
  };
  takahe::dhcp::Pkt4 pkt;
  size_t compiled = 0;
  size_t refused = 0;
  for (const auto& s : samples) {
    for (size_t n = 0; n <= s.size(); ++n) {
      const std::string prefix = s.substr(0, n);
      try {
        const auto e = compile(prefix);
        takahe::eval::evaluateString(*e, pkt);
        ++compiled;
      } catch (const takahe::ConfigError& err) {
        // The column points inside the text or just past it.
        const std::string what = err.what();
        const auto at = what.find("' at column ");
        REQUIRE(at != std::string::npos);
        const size_t column = std::stoul(what.substr(at + 12));
        CHECK(column >= 1);
        CHECK(column <= prefix.size() + 1);
        ++refused;
      }
    }
    CHECK_NOTHROW(compile(s));
  }
  CHECK(compiled > 4);
  CHECK(refused > 100);
}

TEST_CASE("random text and token soup never crash the compiler", "[eval]") {
  std::mt19937 rng(20240611);
  const std::string pieces[] = {
      "option",      "relay4", "[",      "]",    ".",         "hex",    "text",
      "exists",      "(",      ")",      ",",    "==",        "+",      "and",
      "or",          "not",    "'s'",    "0x1f", "12",        "-3",     "10.0.0.1",
      "pkt4",        "mac",    "pkt",    "len",  "substring", "concat", "ifelse",
      "hexstring",   "split",  "member", "all",  "known",     "'",      "addrtotext",
      "uint8totext", "lcase",  " ",      "\x00", "\xff",      "=",      "host-name",
  };
  takahe::dhcp::Pkt4 pkt;
  pkt.setOption(12, {'a', '.', 'b'});
  size_t compiled = 0;
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    const int count = static_cast<int>(rng() % 12);
    for (int i = 0; i < count; ++i) {
      if (rng() % 4 == 0) {
        text.push_back(static_cast<char>(rng() % 256));
      } else {
        text += pieces[rng() % std::size(pieces)];
      }
    }
    try {
      const auto e = compile(text);
      const std::string v = takahe::eval::evaluateString(*e, pkt);
      if (e->isBool()) {
        REQUIRE((v == "true" || v == "false"));
      }
      ++compiled;
    } catch (const takahe::ConfigError&) {
    }
  }
  CHECK(compiled > 0);
}
