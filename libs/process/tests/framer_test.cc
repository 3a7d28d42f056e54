#include <catch2/catch.hpp>
#include <string>

#include "json_framer.h"

using takahe::process::JsonFramer;
using Status = JsonFramer::Status;

TEST_CASE("framer finds the end of a map fed at once") {
  JsonFramer f;
  const std::string text = R"(  {"command": "x", "arguments": {"a": [1, {"b": 2}]}}trailing)";
  CHECK(f.feed(text) == Status::kComplete);
  CHECK(text.substr(0, f.length()) == R"(  {"command": "x", "arguments": {"a": [1, {"b": 2}]}})");
}

TEST_CASE("framer ignores brackets and escaped quotes inside strings") {
  JsonFramer f;
  const std::string text = R"({"command": "a}]\"}{\\", "x": "\\"}  )";
  CHECK(f.feed(text) == Status::kComplete);
  CHECK(f.length() == text.size() - 2);
}

TEST_CASE("framer fed one byte at a time completes on the closing brace only") {
  const std::string text = R"({"command": "list-commands", "arguments": {"s": "\\\"}"}})";
  JsonFramer f;
  for (size_t i = 0; i < text.size(); ++i) {
    const Status s = f.feed(text.substr(i, 1));
    if (i + 1 < text.size()) {
      REQUIRE(s == Status::kNeedMore);
    } else {
      CHECK(s == Status::kComplete);
    }
  }
  CHECK(f.length() == text.size());
  CHECK(f.feed("{}") == Status::kComplete);  // later bytes do not change the result
  CHECK(f.length() == text.size());
}

TEST_CASE("framer rejects a stream that does not start with a container") {
  JsonFramer f;
  CHECK_FALSE(f.sawContent());
  CHECK(f.feed(" \r\n\t") == Status::kNeedMore);
  CHECK_FALSE(f.sawContent());
  CHECK(f.feed("garbage") == Status::kInvalid);
  CHECK(f.sawContent());

  JsonFramer binary;
  CHECK(binary.feed(std::string("\0\x01", 2)) == Status::kInvalid);
}

TEST_CASE("framer handles lists and incomplete input") {
  JsonFramer f;
  CHECK(f.feed("[1, [2], {\"a\": \"]\"}") == Status::kNeedMore);
  CHECK(f.feed("]") == Status::kComplete);

  JsonFramer partial;
  CHECK(partial.feed("{\"command\": \"x\"") == Status::kNeedMore);
  CHECK(partial.sawContent());
}
