#include "takahe/cc/value.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>

using namespace takahe;
using namespace takahe::cc;

namespace {

Position pos(const char* file, uint32_t line, uint32_t col = 1) {
  return Position{std::make_shared<const std::string>(file), line, col};
}

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("Value constructors pick the right type") {
  CHECK(Value().isNull());
  CHECK(Value(nullptr).isNull());
  CHECK(Value(true).isBool());
  CHECK(Value(7).isInt());
  CHECK(Value(7u).isInt());
  CHECK(Value(int64_t{-7}).asInt() == -7);
  CHECK(Value(uint64_t{42}).asInt() == 42);
  CHECK(Value(1.5).isDouble());
  CHECK(Value("x").isString());
  CHECK(Value(std::string_view("x")).asString() == "x");
  CHECK(Value::makeList().isList());
  CHECK(Value::makeMap().isMap());
  CHECK(Value(7).typeName() == "integer");
  CHECK(Value(7.0).typeName() == "real");
  CHECK(Value::makeMap().typeName() == "map");
}

TEST_CASE("Wrong-type access throws ConfigError naming both types and the position") {
  Value v("hello");
  v.setPosition(pos("kea-dhcp4.conf", 12, 5));
  CHECK(errorOf([&] { (void)v.asInt(); }) == "expected integer, got string (kea-dhcp4.conf:12)");
  CHECK(errorOf([&] { (void)v.asMap(); }) == "expected map, got string (kea-dhcp4.conf:12)");
  CHECK(errorOf([] { (void)Value(3).asBool(); }) == "expected boolean, got integer");
  CHECK_THROWS_AS(Value(1.5).asInt(), ConfigError);
  CHECK(Value(3).asDouble() == 3.0);
  CHECK_THROWS_AS(Value("3").asDouble(), ConfigError);
  CHECK_THROWS_AS(Value(3).find("x"), ConfigError);
  CHECK_THROWS_AS(Value(3).push(1), ConfigError);
}

TEST_CASE("Map helpers keep insertion order and replace in place") {
  Value m = Value::makeMap();
  m.set("b", 1);
  m.set("a", 2);
  m.set("c", 3);
  m.set("a", "two");
  REQUIRE(m.size() == 3);
  CHECK(m.asMap()[0].first == "b");
  CHECK(m.asMap()[1].first == "a");
  CHECK(m.asMap()[1].second.asString() == "two");
  CHECK(m.contains("c"));
  CHECK_FALSE(m.contains("d"));
  CHECK(m.find("d") == nullptr);
  CHECK(m.erase("b"));
  CHECK_FALSE(m.erase("b"));
  CHECK(m.toJson() == R"({"a":"two","c":3})");

  m.setPosition(pos("x.conf", 3));
  CHECK(errorOf([&] { (void)m.at("missing"); }) ==
        "missing mandatory parameter 'missing' (x.conf:3)");
  CHECK(m.at("c").asInt() == 3);
}

TEST_CASE("size counts items and members, 0 for scalars") {
  Value l = Value::makeList();
  l.push(1);
  l.push("x");
  CHECK(l.size() == 2);
  CHECK(Value(5).size() == 0);
  CHECK(Value("abc").size() == 0);
}

TEST_CASE("Equality is deep, ignores positions and member order, compares numbers by value") {
  Value a = Value(Members{{"x", 1}, {"y", List{1, 2.5, "s"}}});
  Value b = Value(Members{{"y", List{1.0, 2.5, "s"}}, {"x", 1.0}});
  b.setPosition(pos("f", 1));
  CHECK(a == b);
  CHECK_FALSE(a == Value(Members{{"x", 1}}));
  CHECK_FALSE(Value(List{1, 2}) == Value(List{2, 1}));
  CHECK_FALSE(Value(1) == Value("1"));
  CHECK_FALSE(Value(true) == Value(1));
  CHECK(Value() == Value(nullptr));

  Members big1;
  Members big2;
  for (int i = 0; i < 100; ++i) {
    big1.emplace_back("k" + std::to_string(i), i);
    big2.emplace_back("k" + std::to_string(99 - i), 99 - i);
  }
  CHECK(Value(big1) == Value(big2));
  big2[5].second = -1;
  CHECK_FALSE(Value(big1) == Value(big2));
}

TEST_CASE("toJson writes compact JSON with escapes") {
  Value v(Members{{"s", "a\"b\\c\n\t\x01/"}, {"n", nullptr}, {"t", true}, {"i", -12}});
  CHECK(v.toJson() == R"({"s":"a\"b\\c\n\t\u0001/","n":null,"t":true,"i":-12})");
  CHECK(Value(std::string("nul\0x", 5)).toJson() == R"("nul\u0000x")");
  CHECK(Value("\x7f").toJson() == "\"\x7f\"");
  CHECK(Value(List{}).toJson() == "[]");
  CHECK(Value(Members{}).toJson() == "{}");
}

TEST_CASE("toJson passes UTF-8 through and escapes stray bytes") {
  CHECK(Value("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80").toJson() ==
        "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
  // A Latin-1 byte and a truncated sequence are not UTF-8: written as \u00XX to stay valid.
  CHECK(Value("h\xe9llo").toJson() == R"("h\u00e9llo")");
  CHECK(Value("\xe2\x82").toJson() == R"("\u00e2\u0082")");
  CHECK(Value("\xed\xa0\x80").toJson() == R"("\u00ed\u00a0\u0080")");  // encoded surrogate
}

TEST_CASE("Doubles are written round-trippably and stay doubles") {
  CHECK(Value(1.0).toJson() == "1.0");
  CHECK(Value(-0.0).toJson() == "-0.0");
  CHECK(Value(0.1).toJson() == "0.1");
  CHECK(Value(1e100).toJson() == "1e+100");
  CHECK(Value(1e20).toJson() == "1e+20");
  CHECK(Value(100.0).toJson() == "100.0");
  CHECK(Value(std::numeric_limits<double>::quiet_NaN()).toJson() == "null");
  CHECK(Value(std::numeric_limits<double>::infinity()).toJson() == "null");
  for (double d : {0.1, 1.0 / 3.0, 2.5e-308, 1.7976931348623157e308, 123456789.125, 5e-324}) {
    const Value back = parseJson(Value(d).toJson());
    REQUIRE(back.isDouble());
    CHECK(back.asDouble() == d);
  }
  CHECK(Value(std::numeric_limits<int64_t>::min()).toJson() == "-9223372036854775808");
}

TEST_CASE("Pretty printing indents by 4 and keeps scalar lists on one line") {
  Value v(Members{{"Dhcp4", Members{{"interfaces", List{"eth0", "eth1"}},
                                    {"empty-list", List{}},
                                    {"empty-map", Members{}},
                                    {"subnet4", List{Members{{"id", 1}}}}}}});
  const std::string expected = R"({
    "Dhcp4": {
        "interfaces": [ "eth0", "eth1" ],
        "empty-list": [ ],
        "empty-map": { },
        "subnet4": [
            {
                "id": 1
            }
        ]
    }
})";
  CHECK(v.toJson(true) == expected);
  CHECK(parseJson(v.toJson(true)) == v);
}

TEST_CASE("Position text and throwConfigError format") {
  CHECK(Position{}.str().empty());
  CHECK_FALSE(Position{}.known());
  CHECK(pos("kea-dhcp4.conf", 41, 7).str() == "kea-dhcp4.conf:41");
  CHECK(errorOf([] {
          throwConfigError("Dhcp4/subnet4[3]/pools[0]", "10.0.9.0/24 is outside subnet",
                           pos("kea-dhcp4.conf", 41));
        }) == "Dhcp4/subnet4[3]/pools[0]: 10.0.9.0/24 is outside subnet (kea-dhcp4.conf:41)");
  CHECK(errorOf([] { throwConfigError("Dhcp4", "bad", Position{}); }) == "Dhcp4: bad");
  CHECK_THROWS_AS(throwConfigError("a", "b", Position{}), ConfigError);
}
