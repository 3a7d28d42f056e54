#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <limits>
#include <string>

#include "takahe/cc/value.h"

using namespace takahe;
using namespace takahe::cc;

namespace {

// The what() of the ParseError thrown by f, or "<no error>".
template <typename F>
std::string parseErrorOf(F&& f) {
  try {
    f();
  } catch (const ParseError& e) {
    return e.what();
  }
  return "<no error>";
}

std::string jsonError(std::string_view text) {
  return parseErrorOf([&] { parseJson(text, "in.json"); });
}

std::string configError(std::string_view text) {
  return parseErrorOf([&] { parseConfigText(text, "kea-dhcp4.conf"); });
}

}  // namespace

TEST_CASE("Strict JSON parses every type and round-trips") {
  const std::string text =
      R"({"a":1,"b":-2.5,"c":"x","d":true,"e":false,"f":null,"g":[1,[2,{}],[]],"h":{"i":{}}})";
  const Value v = parseJson(text);
  REQUIRE(v.isMap());
  CHECK(v.at("a").asInt() == 1);
  CHECK(v.at("b").asDouble() == -2.5);
  CHECK(v.at("c").asString() == "x");
  CHECK(v.at("d").asBool());
  CHECK_FALSE(v.at("e").asBool());
  CHECK(v.at("f").isNull());
  CHECK(v.at("g").size() == 3);
  CHECK(v.toJson() == text);
  CHECK(parseJson(v.toJson(true)) == v);
  CHECK(parseJson(v.toJson(true)).toJson() == text);
  CHECK(parseJson("  42 ").asInt() == 42);
  CHECK(parseJson("\"s\"").asString() == "s");
}

TEST_CASE("Values carry the file, line and column where they start") {
  const Value v = parseConfigText("{\n  \"a\": 1,\n  \"b\": [ true,\n    \"x\" ]\n}", "my.conf");
  CHECK(v.position().str() == "my.conf:1");
  CHECK(v.position().column == 1);
  CHECK(v.at("a").position().line == 2);
  CHECK(v.at("a").position().column == 8);
  const Value& b = v.at("b");
  CHECK(b.position().line == 3);
  CHECK(b.position().column == 8);
  CHECK(b.asList()[0].position().column == 10);
  CHECK(b.asList()[1].position().line == 4);
  CHECK(b.asList()[1].position().column == 5);
  CHECK(*b.asList()[1].position().file == "my.conf");
  CHECK(parseJson("[1]").position().str() == "<string>:1");
}

TEST_CASE("Syntax errors name file, line and column") {
  CHECK(configError("{\n  \"a\": 1\n  \"b\": 2\n}") ==
        "kea-dhcp4.conf:3:3: expected ',' or '}' after member");
  CHECK(jsonError("[1 2]") == "in.json:1:4: expected ',' or ']' after list item");
  CHECK(jsonError("{\"a\" 1}") == "in.json:1:6: expected ':' after key 'a'");
  CHECK(jsonError("{1: 2}") == "in.json:1:2: unexpected character '1', expected a string key");
  CHECK(jsonError("") == "in.json:1:1: unexpected end of input, expected a value");
  CHECK(jsonError("[1,") == "in.json:1:4: unexpected end of input, expected a value");
  CHECK(jsonError("{\"a\":1") ==
        "in.json:1:7: unexpected end of input, expected ',' or '}' after member");
  CHECK(jsonError("\n  \"abc") == "in.json:2:3: unterminated string");
  CHECK(jsonError("\"ab\ncd\"") == "in.json:1:1: unterminated string (end of line)");
  CHECK(jsonError("1 2") == "in.json:1:3: unexpected data after the top-level value");
  CHECK(jsonError("@") == "in.json:1:1: unexpected character '@'");
  CHECK(jsonError("\x01") == "in.json:1:1: unexpected byte 0x01");
  CHECK(jsonError("[tru]") == "in.json:1:2: invalid literal (expected true, false or null)");
  CHECK(jsonError("nulll") == "in.json:1:1: invalid literal (expected true, false or null)");
  CHECK(jsonError("{\"a\":1,}") == "in.json:1:8: unexpected character '}', expected a string key");
  CHECK(jsonError("[1,]") == "in.json:1:4: unexpected character ']'");

  try {
    parseJson("[\n\n    x]", "p.json");
    FAIL("no error");
  } catch (const ParseError& e) {
    CHECK(e.position().line == 3);
    CHECK(e.position().column == 5);
    CHECK(*e.position().file == "p.json");
  }
}

TEST_CASE("Config comments of every style are skipped, positions stay right") {
  const std::string text = R"(// leading line comment
# hash comment
{
    /* block
       comment over
       three lines */ "a": 1, # trailing hash
    "b": /* inline */ 2, // trailing slash-slash
    /**/ "c": 3 /* comment at end */
}
// final comment without newline)";
  const Value v = parseConfigText(text, "c.conf");
  CHECK(v == parseJson(R"({"a":1,"b":2,"c":3})"));
  CHECK(v.position().line == 3);
  CHECK(v.at("a").position().line == 6);
  CHECK(v.at("a").position().column == 28);
  CHECK(v.at("b").position().line == 7);
  CHECK(v.at("c").position().line == 8);

  CHECK(parseConfigText("[1]# end", "x").size() == 1);
  CHECK(parseConfigText("{\r\n\"a\": 1 // crlf\r\n}\r\n", "x").at("a").asInt() == 1);
  CHECK(configError("{ /* never closed\n \"a\": 1 }") ==
        "kea-dhcp4.conf:1:3: unterminated /* comment");
  CHECK(configError("{ / \"a\": 1 }") ==
        "kea-dhcp4.conf:1:3: unexpected character '/', expected a string key");
}

TEST_CASE("Comment markers inside strings are kept") {
  const Value v = parseConfigText(
      R"({"url": "http://example.org/x", "hash": "#1", "c": "/* not a comment */", "lt": "<?include \"nope\"?>"})",
      "s.conf");
  CHECK(v.at("url").asString() == "http://example.org/x");
  CHECK(v.at("hash").asString() == "#1");
  CHECK(v.at("c").asString() == "/* not a comment */");
  CHECK(v.at("lt").asString() == "<?include \"nope\"?>");
}

TEST_CASE("Strict JSON refuses comments, trailing commas and directives") {
  CHECK(jsonError("// x\n1") ==
        "in.json:1:1: unexpected character '/' (comments are not allowed in JSON)");
  CHECK(jsonError("# x\n1") ==
        "in.json:1:1: unexpected character '#' (comments are not allowed in JSON)");
  CHECK(jsonError("[1,]") != "<no error>");
  CHECK(jsonError("<?include \"x\"?>") == "in.json:1:1: unexpected character '<'");
  CHECK(jsonError("\xEF\xBB\xBF{}") != "<no error>");
  CHECK(parseConfigText("\xEF\xBB\xBF{}", "bom.conf").isMap());
}

TEST_CASE("Config files tolerate a trailing comma as Kea does") {
  CHECK(parseConfigText(R"({"a": [1, 2,], "b": {"c": 1,},})", "t") ==
        parseJson(R"({"a":[1,2],"b":{"c":1}})"));
  CHECK(configError("[1,,2]") == "kea-dhcp4.conf:1:4: unexpected character ','");
  CHECK(configError("[,]") == "kea-dhcp4.conf:1:2: unexpected character ','");
}

TEST_CASE("Config files accept a fraction without its leading zero, as Kea's examples write") {
  // Kea 2.2's all-keys.json and tee-times.json say "t1-percent": .5; strict JSON still refuses it.
  CHECK(parseConfigText(R"({"t1-percent": .5, "t2-percent": -.25, "x": [.875e1]})", "t") ==
        parseJson(R"({"t1-percent": 0.5, "t2-percent": -0.25, "x": [8.75]})"));
  CHECK(configError(".") == "kea-dhcp4.conf:1:1: invalid number: expected a digit");
  CHECK(configError(".e1") == "kea-dhcp4.conf:1:1: invalid number: expected a digit");
  CHECK(configError("-.") == "kea-dhcp4.conf:1:1: invalid number: expected a digit");
  CHECK(jsonError(".5") == "in.json:1:1: unexpected character '.'");
}

TEST_CASE("Duplicate keys: config files refuse them, the control channel keeps the last") {
  CHECK(configError("{\n  \"a\": 1,\n  \"b\": 2,\n  \"a\": 3\n}") ==
        "kea-dhcp4.conf:4:3: duplicate key 'a' (first at kea-dhcp4.conf:2)");
  const Value v = parseJson("{\"a\": 1, \"b\": 2,\n \"a\": 3}");
  REQUIRE(v.size() == 2);
  CHECK(v.at("a").asInt() == 3);
  CHECK(v.at("a").position().line == 2);

  // Large maps use an index; duplicates must still be found past the index threshold.
  std::string big = "{";
  for (int i = 0; i < 200; ++i) {
    big += "\"k" + std::to_string(i) + "\": " + std::to_string(i) + ",\n";
  }
  std::string dup = big + "\"k7\": 1}";
  big += "\"end\": 0}";
  CHECK(parseConfigText(big, "big").size() == 201);
  CHECK(parseErrorOf([&] { parseConfigText(dup, "big"); }) ==
        "big:201:1: duplicate key 'k7' (first at big:8)");
  const Value last = parseJson(dup);
  CHECK(last.size() == 200);
  CHECK(last.at("k7").asInt() == 1);
}

TEST_CASE("Deep nesting is refused with an error, not a crash") {
  auto nested = [](int depth, char open, char close) {
    return std::string(static_cast<size_t>(depth), open) +
           std::string(static_cast<size_t>(depth), close);
  };
  CHECK_NOTHROW(parseJson(nested(512, '[', ']')));
  CHECK(jsonError(nested(513, '[', ']')) == "in.json:1:513: nesting deeper than 512 levels");
  CHECK_THROWS_AS(parseJson(nested(200000, '[', ']')), ParseError);
  CHECK_THROWS_AS(parseConfigText(std::string(100000, '['), "x"), ParseError);

  std::string maps;
  for (int i = 0; i < 600; ++i) {
    maps += "{\"a\":";
  }
  CHECK_THROWS_WITH(parseJson(maps), Catch::Contains("nesting deeper than 512 levels"));
}

TEST_CASE("Integers must fit in int64, reals are read exactly") {
  CHECK(parseJson("9223372036854775807").asInt() == std::numeric_limits<int64_t>::max());
  CHECK(parseJson("-9223372036854775808").asInt() == std::numeric_limits<int64_t>::min());
  CHECK(jsonError("9223372036854775808") ==
        "in.json:1:1: integer out of range: 9223372036854775808");
  CHECK(jsonError("[-9223372036854775809]") ==
        "in.json:1:2: integer out of range: -9223372036854775809");
  CHECK(jsonError("123456789012345678901234567890") != "<no error>");
  CHECK(parseJson("-0").asInt() == 0);
  CHECK(parseJson("0").isInt());
  CHECK(parseJson("1.0").isDouble());
  CHECK(parseJson("1e2").isDouble());
  CHECK(parseJson("1E+2").asDouble() == 100.0);
  CHECK(parseJson("2.5e-3").asDouble() == 0.0025);
  CHECK(parseJson("0.1").asDouble() == 0.1);
  CHECK(parseJson("9223372036854775808.0").asDouble() == 9223372036854775808.0);
  CHECK(parseJson("1e-400").asDouble() == 0.0);
  CHECK(jsonError("1e400") == "in.json:1:1: number out of range: 1e400");
  CHECK(jsonError("-1e400") == "in.json:1:1: number out of range: -1e400");
  CHECK(jsonError("01") == "in.json:1:1: invalid number: leading zeros are not allowed");
  CHECK(jsonError("1.") == "in.json:1:1: invalid number: expected digits after '.'");
  CHECK(jsonError("1e") == "in.json:1:1: invalid number: expected digits in the exponent");
  CHECK(jsonError("-") == "in.json:1:1: invalid number: expected a digit");
  CHECK(jsonError("[12abc]") == "in.json:1:2: invalid number");
  CHECK(jsonError(".5") == "in.json:1:1: unexpected character '.'");
  CHECK(jsonError("+1") == "in.json:1:1: unexpected character '+'");
  CHECK(jsonError("0x10") == "in.json:1:1: invalid number");
}

TEST_CASE("String escapes and Unicode") {
  CHECK(parseJson(R"("\"\\\/\b\f\n\r\t")").asString() == "\"\\/\b\f\n\r\t");
  CHECK(parseJson(R"("\u0041\u00e9\u20ac")").asString() == "A\xc3\xa9\xe2\x82\xac");
  CHECK(parseJson(R"("\ud83d\ude00")").asString() == "\xf0\x9f\x98\x80");
  CHECK(parseJson(R"("\u0000")").asString() == std::string(1, '\0'));
  CHECK(parseJson("\"caf\xc3\xa9\"").asString() == "caf\xc3\xa9");
  CHECK(jsonError(R"("\ud83d")") ==
        "in.json:1:2: invalid \\u escape: high surrogate without a low surrogate");
  CHECK(jsonError(R"("\ude00")") == "in.json:1:2: invalid \\u escape: unpaired low surrogate");
  CHECK(jsonError(R"("\u12G4")") == "in.json:1:2: invalid \\u escape: expected four hex digits");
  CHECK(jsonError(R"("ab\x")") == "in.json:1:4: invalid escape '\\x' in string");
  CHECK(jsonError("\"a\tb\"") ==
        "in.json:1:3: control character in string (write it as a \\u escape)");
  CHECK(jsonError("\"h\xe9llo\"") == "in.json:1:3: invalid UTF-8 in string");
  CHECK(jsonError("\"\xed\xa0\x80\"") == "in.json:1:2: invalid UTF-8 in string");
  CHECK(jsonError("\"\\") == "in.json:1:2: unterminated string");
  // Escaped text survives a write/read cycle.
  const Value s(std::string("a\x01\x1f\"\\\n\xe2\x82\xac", 9));
  CHECK(parseJson(s.toJson()) == s);
}

TEST_CASE("Truncated and corrupted input never crashes") {
  const std::string doc =
      R"({"a": [1, -2.5e3, "x\u00e9\n", true, null, {"b": {}}], "c": "\ud83d\ude00"})";
  for (size_t n = 0; n < doc.size(); ++n) {
    CHECK_THROWS_AS(parseJson(doc.substr(0, n)), ParseError);
  }
  size_t accepted = 0;
  for (size_t i = 0; i < doc.size(); ++i) {
    for (char c : {'\0', '"', '\\', '{', ']', '/', '*', '#', '\xff', '<'}) {
      std::string bad = doc;
      bad[i] = c;
      try {
        const Value v = parseConfigText(bad, "x");
        CHECK(parseJson(v.toJson()) == v);
        ++accepted;
      } catch (const ParseError&) {
      }
    }
  }
  CHECK(accepted < doc.size() * 10);
}

TEST_CASE("Kea's example kea-dhcp4.conf parses") {
  const std::string path = "/etc/kea/kea-dhcp4.conf";
  if (!std::filesystem::exists(path)) {
    WARN("skipped: " << path << " is not installed");
    return;
  }
  const Value v = parseConfigFile(path);
  const Value& dhcp4 = v.at("Dhcp4");
  CHECK(dhcp4.isMap());
  CHECK(dhcp4.at("interfaces-config").isMap());
  CHECK(dhcp4.at("valid-lifetime").isInt());
  CHECK(dhcp4.at("subnet4").isList());
  CHECK(dhcp4.at("subnet4").size() >= 1);
  CHECK(*dhcp4.position().file == path);
  CHECK(dhcp4.position().line > 20);
  // Comments are gone and nothing else is: the pretty form reads back equal.
  CHECK(parseJson(v.toJson(true)) == v);
}

TEST_CASE("A 1 MB configuration parses quickly") {
  std::string text = "// generated\n{ \"Dhcp4\": { \"subnet4\": [\n";
  int id = 0;
  while (text.size() < 1024 * 1024) {
    ++id;
    text += "  { \"id\": " + std::to_string(id) + ", \"subnet\": \"10." +
            std::to_string(id / 256 % 256) + "." + std::to_string(id % 256) +
            ".0/24\", # a subnet\n    \"pools\": [ { \"pool\": \"10.0.0.10 - 10.0.0.200\" } ],\n"
            "    \"valid-lifetime\": 3600, \"rebind-timer\": 2.5e3, \"flag\": true, \"x\": null,\n"
            "    \"option-data\": [ { \"name\": \"routers\", \"data\": \"10.0.0.1\" } ] },\n";
  }
  text += "  { \"id\": 0 } ] } }\n";
  const auto start = std::chrono::steady_clock::now();
  const Value v = parseConfigText(text, "big.conf");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  CHECK(v.at("Dhcp4").at("subnet4").size() == static_cast<size_t>(id) + 1);
  INFO("parse took " << ms << " ms");
  // Generous bound for a loaded 2-core CI machine; catches accidental quadratic behaviour.
  CHECK(ms < 1000);
  const std::string compact = v.toJson();
  CHECK(parseJson(compact) == v);
}
