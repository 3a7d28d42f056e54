#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "shell_options.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::shell;

namespace {
ShellOptions parse(std::vector<const char*> args) {
  args.insert(args.begin(), "takahe-shell");
  return parseShellOptions(static_cast<int>(args.size()), args.data());
}
}  // namespace

TEST_CASE("kea-shell's options are understood with its defaults") {
  auto o = parse({});
  CHECK(o.host == "127.0.0.1");
  CHECK(o.port == 8000);
  CHECK(o.command == "list-commands");
  o = parse({"--host", "10.0.0.1", "--port", "8001", "--service", "dhcp4", "--service", "dhcp6",
             "--auth-user", "admin", "--auth-password", "secret", "--timeout", "3", "status-get"});
  CHECK(o.host == "10.0.0.1");
  CHECK(o.port == 8001);
  CHECK(o.services == std::vector<std::string>{"dhcp4", "dhcp6"});
  CHECK(*o.auth_user == "admin");
  CHECK(*o.auth_password == "secret");
  CHECK(o.timeout_seconds == 3);
  CHECK(o.command == "status-get");
}

TEST_CASE("bad options are refused with a reason") {
  CHECK_THROWS_WITH(parse({"--port", "99999"}), Catch::Contains("--port must be a number"));
  CHECK_THROWS_WITH(parse({"--bogus"}), Catch::Contains("unknown option '--bogus'"));
  CHECK_THROWS_WITH(parse({"--cert", "c.pem"}), Catch::Contains("--cert and --key go together"));
  CHECK_THROWS_WITH(parse({"a", "b"}), Catch::Contains("only one command"));
  CHECK_THROWS_WITH(parse({"--auth-password-file", "/nonexistent/x", "--auth-user", "u"}),
                    Catch::Contains("cannot read password file"));
}

TEST_CASE("the password file's first line is the password") {
  auto f = std::filesystem::temp_directory_path() / "takahe-shell-test-pw";
  std::ofstream(f) << "s3cret\nignored\n";
  auto o = parse({"--auth-user", "u", "--auth-password-file", f.c_str()});
  CHECK(*o.auth_password == "s3cret");
  std::filesystem::remove(f);
}

TEST_CASE("requests carry the command, services and arguments from -c or stdin") {
  auto o = parse({"--service", "dhcp4", "-c", R"(statistic-get {"name": "pkt4-received"})"});
  auto r = buildRequest(o, "");
  CHECK(r.toJson() == R"({"command":"statistic-get","service":["dhcp4"],"arguments":{"name":"pkt4-received"}})");
  auto o2 = parse({"config-test"});
  auto r2 = buildRequest(o2, R"({"Dhcp4": {}})");
  REQUIRE(r2.find("arguments"));
  CHECK(r2.find("arguments")->find("Dhcp4"));
  CHECK_FALSE(buildRequest(parse({"version-get"}), "  \n").find("arguments"));
  CHECK_THROWS_WITH(buildRequest(o2, "[1, 2]"), Catch::Contains("must be a JSON map"));
  CHECK_THROWS(buildRequest(o2, "{broken"));
}

TEST_CASE("exit status follows the results of every answer") {
  CHECK(exitStatusFor(cc::parseJson(R"([{"result": 0}])")) == 0);
  CHECK(exitStatusFor(cc::parseJson(R"([{"result": 0}, {"result": 1}])")) == 1);
  CHECK(exitStatusFor(cc::parseJson(R"({"result": 2})")) == 1);
  CHECK(exitStatusFor(cc::parseJson(R"([])")) == 1);
}
