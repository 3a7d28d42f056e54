#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "takahe/process/pid_file.h"
#include "takahe/util/error.h"

using takahe::process::PidFile;

TEST_CASE("a PID file is named after the config, holds our pid, refuses a second holder and goes away") {
  auto dir = std::filesystem::temp_directory_path() / ("takahe-pid-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  ::setenv("TAKAHE_PIDFILE_DIR", dir.c_str(), 1);
  std::string path;
  {
    PidFile pid("/etc/takahe/site-a.conf", "takahe-dhcp4");
    path = pid.path();
    CHECK(path == (dir / "site-a.takahe-dhcp4.pid").string());
    std::ifstream in(path);
    long n = 0;
    in >> n;
    CHECK(n == ::getpid());
    CHECK_THROWS_WITH(PidFile("/other/dir/site-a.conf", "takahe-dhcp4"), Catch::Contains("already running"));
    PidFile other("/etc/takahe/site-b.conf", "takahe-dhcp4");  // another config: its own file
    CHECK(other.path() != path);
  }
  CHECK_FALSE(std::filesystem::exists(path));
  // A stale file left by a crash (nobody holds its lock) does not block a start.
  std::ofstream(path) << "999999\n";
  CHECK_NOTHROW(PidFile("/etc/takahe/site-a.conf", "takahe-dhcp4"));
  ::unsetenv("TAKAHE_PIDFILE_DIR");
  std::filesystem::remove_all(dir);
}
