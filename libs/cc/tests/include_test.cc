#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "takahe/cc/value.h"

using namespace takahe;
using namespace takahe::cc;
namespace fs = std::filesystem;

namespace {

// A fresh folder under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() /
            ("takahe-cc-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = path_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }

 private:
  fs::path path_;
};

template <typename F>
std::string errorOf(F&& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace

TEST_CASE("An include can supply list items, with positions in the included file") {
  TempDir dir;
  dir.write("subnets.json",
            "// two subnets\n"
            "{ \"id\": 1, \"subnet\": \"10.0.1.0/24\" },\n"
            "{ \"id\": 2,\n  \"subnet\": \"10.0.2.0/24\" }\n");
  const std::string main = dir.write("kea-dhcp4.conf",
                                     "{ \"Dhcp4\": {\n"
                                     "    \"subnet4\": [ <?include \"subnets.json\"?> ],\n"
                                     "    \"valid-lifetime\": 4000\n"
                                     "} }\n");
  const Value v = parseConfigFile(main);
  const Value& subnets = v.at("Dhcp4").at("subnet4");
  REQUIRE(subnets.size() == 2);
  CHECK(subnets.asList()[1].at("subnet").asString() == "10.0.2.0/24");
  const Position& p = subnets.asList()[1].at("subnet").position();
  CHECK(*p.file == dir.file("subnets.json"));
  CHECK(p.line == 4);
  CHECK(p.column == 13);
  CHECK(subnets.asList()[0].position().line == 2);
  // Back in the including file after the include ends.
  const Position& after = v.at("Dhcp4").at("valid-lifetime").position();
  CHECK(*after.file == main);
  CHECK(after.line == 3);
  CHECK(after.column == 23);
}

TEST_CASE("An include can supply map members and whole values") {
  TempDir dir;
  dir.write("members.json", "\"a\": 1, # first\n\"b\": [ true ]");
  dir.write("value.json", "{ \"x\": \"y\" }");
  const Value v =
      parseConfigText("{ <?include \"members.json\"?>, \"c\": <?include \"value.json\"?> }",
                      "<text>", dir.path().string());
  CHECK(v == parseJson(R"({"a":1,"b":[true],"c":{"x":"y"}})"));
  CHECK(*v.at("c").at("x").position().file == dir.file("value.json"));
  // The directive may carry blanks, and the whole document may come from an include.
  const Value whole =
      parseConfigText("<?  include   \"value.json\"  ?>", "<text>", dir.path().string());
  CHECK(whole.at("x").asString() == "y");
}

TEST_CASE("Nested includes resolve against the including file's folder") {
  TempDir dir;
  dir.write("conf.d/pools.json", "\n\n  { \"pool\": \"10.0.0.10 - 10.0.0.20\" }");
  dir.write("conf.d/subnet.json",
            "{\n  \"id\": 7,\n  \"pools\": [ <?include \"pools.json\"?> ]\n}");
  const std::string main = dir.write("main.conf", "[\n<?include \"conf.d/subnet.json\"?>\n]");
  const Value v = parseConfigFile(main);
  const Value& pool = v.asList()[0].at("pools").asList()[0];
  CHECK(pool.at("pool").asString() == "10.0.0.10 - 10.0.0.20");
  CHECK(*pool.position().file == dir.file("conf.d/pools.json"));
  CHECK(pool.position().line == 3);
  CHECK(pool.position().column == 3);
  CHECK(*v.asList()[0].at("id").position().file == dir.file("conf.d/subnet.json"));
  CHECK(v.asList()[0].at("id").position().line == 2);

  // Absolute include paths are used as they are.
  const Value abs =
      parseConfigText("[ <?include \"" + dir.file("conf.d/pools.json") + "\"?> ]", "t");
  CHECK(abs.size() == 1);
}

TEST_CASE("Errors inside an included file name that file and line") {
  TempDir dir;
  dir.write("bad.json", "{\n  \"a\": 1\n  \"b\": 2\n}");
  const std::string main = dir.write("main.conf", "{ \"x\": <?include \"bad.json\"?> }");
  CHECK(errorOf([&] { parseConfigFile(main); }) ==
        dir.file("bad.json") + ":3:3: expected ',' or '}' after member");

  // An include that ends mid-value: the error points at the end of the included file.
  dir.write("open.json", "{ \"a\": \"unterminated");
  CHECK(errorOf([&] { parseConfigFile(dir.write("m2.conf", "<?include \"open.json\"?>\"}")); }) ==
        dir.file("open.json") + ":1:8: unterminated string");
}

TEST_CASE("Include loops are refused") {
  TempDir dir;
  dir.write("a.json", "[ <?include \"b.json\"?> ]");
  dir.write("b.json", "\n [ <?include \"a.json\"?> ]");
  const std::string a = dir.file("a.json");
  const std::string b = dir.file("b.json");
  CHECK(errorOf([&] { parseConfigFile(a); }) ==
        b + ":2:4: include loop: '" + a + "' -> '" + b + "' -> '" + a + "'");
  dir.write("self.json", "<?include \"self.json\"?>");
  CHECK_THROWS_WITH(parseConfigFile(dir.file("self.json")), Catch::Contains("include loop"));
  // The same file included twice side by side is not a loop.
  dir.write("one.json", "1");
  CHECK(parseConfigText("[<?include \"one.json\"?>, <?include \"one.json\"?>]", "t",
                        dir.path().string()) == parseJson("[1,1]"));
}

TEST_CASE("Includes nested deeper than 32 levels are refused") {
  TempDir dir;
  for (int i = 0; i < 40; ++i) {
    dir.write("f" + std::to_string(i) + ".json",
              "[<?include \"f" + std::to_string(i + 1) + ".json\"?>]");
  }
  dir.write("f40.json", "1");
  CHECK_THROWS_WITH(parseConfigFile(dir.file("f0.json")),
                    Catch::Contains("includes nested deeper than 32 levels"));
  // f8 reaches f40 through exactly 32 nested includes: allowed.
  const Value v = parseConfigFile(dir.file("f8.json"));
  const Value* cur = &v;
  int depth = 0;
  while (cur->isList()) {
    cur = &cur->asList()[0];
    ++depth;
  }
  CHECK(depth == 32);
  CHECK(cur->asInt() == 1);
}

TEST_CASE("Unreadable files give an operator-readable error") {
  TempDir dir;
  CHECK(errorOf([&] { parseConfigFile(dir.file("missing.conf")); }) ==
        "cannot open configuration file '" + dir.file("missing.conf") +
            "': No such file or directory");
  CHECK(errorOf([&] { parseConfigFile(dir.path().string()); }) ==
        "cannot open configuration file '" + dir.path().string() + "': is a directory");
  const std::string main = dir.write("main.conf", "{\n  \"a\": <?include \"nope.json\"?>\n}");
  CHECK(errorOf([&] { parseConfigFile(main); }) == main + ":2:8: cannot open configuration file '" +
                                                       dir.file("nope.json") +
                                                       "': No such file or directory");
  CHECK_THROWS_AS(parseConfigFile(main), ParseError);
}

TEST_CASE("Malformed include directives are syntax errors") {
  auto err = [](const std::string& text) {
    return errorOf([&] { parseConfigText(text, "d.conf"); });
  };
  CHECK(err("[ <?include nope?> ]") == "d.conf:1:3: expected a quoted file name after '<?include'");
  CHECK(err("[ <?inclde \"x\"?> ]") ==
        "d.conf:1:3: unknown directive; only <?include \"file\"?> is supported");
  CHECK(err("[ <?include \"x\" ]") == "d.conf:1:3: expected '?>' to close the include directive");
  CHECK(err("[ <?include \"x\n\"?> ]") ==
        "d.conf:1:3: unterminated file name in include directive");
  CHECK(err("[ <?include \"\"?> ]") == "d.conf:1:3: empty file name in include directive");
  CHECK(err("[ < ]") == "d.conf:1:3: unexpected character '<'");
}
