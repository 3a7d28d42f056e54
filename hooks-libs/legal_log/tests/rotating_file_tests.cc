// File naming, rotation by time and size, scripts and timestamps.

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <thread>

#include "rotating_file.h"
#include "takahe/util/error.h"
#include "test_util.h"

using namespace std::chrono_literals;
using namespace takahe;
using namespace takahe::hooks::legal_log;
using namespace takahe::hooks::legal_log::test;

namespace {

FileSettings settingsIn(const TempDir& dir) {
  FileSettings s;
  s.path = dir.path;
  return s;
}

bool waitForFile(const std::string& name) {
  for (int i = 0; i < 200; ++i) {
    if (::access(name.c_str(), F_OK) == 0) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

}  // namespace

TEST_CASE("day files are named base-name.CCYYMMDD.txt and rotate at midnight", "[legal_log]") {
  useUtc();
  TempDir dir;
  FakeClock clock{exampleTime()};
  RotatingFile file(settingsIn(dir), clock.fn());
  CHECK(dir.files().empty());  // nothing is created before the first entry

  file.write("first");
  CHECK(file.currentFile() == dir.path + "/kea-legal.20250131.txt");
  clock.now += 1s;
  file.write("second");
  clock.now += 1s;  // 2025-02-01 00:00:00
  file.write("third");
  CHECK(file.currentFile() == dir.path + "/kea-legal.20250201.txt");
  CHECK(dir.files() ==
        std::vector<std::string>{"kea-legal.20250131.txt", "kea-legal.20250201.txt"});
  CHECK(
      readLines(dir.path + "/kea-legal.20250131.txt") ==
      std::vector<std::string>{"2025-01-31 23:59:58 UTC first", "2025-01-31 23:59:59 UTC second"});
  CHECK(readLines(dir.path + "/kea-legal.20250201.txt") ==
        std::vector<std::string>{"2025-02-01 00:00:00 UTC third"});
}

TEST_CASE("count days per file", "[legal_log]") {
  useUtc();
  TempDir dir;
  FakeClock clock{exampleTime()};
  auto s = settingsIn(dir);
  s.count = 3;
  s.base_name = "takahe-forensic4";
  RotatingFile file(s, clock.fn());
  file.write("a");
  clock.now += 2 * 24h;  // Feb 2: still within Jan 31 + 3 days
  file.write("b");
  clock.now += 24h;  // Feb 3: new file
  file.write("c");
  CHECK(dir.files() ==
        std::vector<std::string>{"takahe-forensic4.20250131.txt", "takahe-forensic4.20250203.txt"});
}

TEST_CASE("second files are named base-name.T<20-digit epoch>.txt", "[legal_log]") {
  useUtc();
  TempDir dir;
  FakeClock clock{exampleTime()};
  auto s = settingsIn(dir);
  s.unit = TimeUnit::kSecond;
  s.count = 10;
  RotatingFile file(s, clock.fn());
  file.write("a");
  CHECK(file.currentFile() == dir.path + "/kea-legal.T00000000001738367998.txt");
  clock.now += 9s;
  file.write("b");
  clock.now += 1s;
  file.write("c");
  CHECK(dir.files() == std::vector<std::string>{"kea-legal.T00000000001738367998.txt",
                                                "kea-legal.T00000000001738368008.txt"});
}

TEST_CASE("month and year units rotate when the calendar unit changes", "[legal_log]") {
  useUtc();
  TempDir dir;
  FakeClock clock{exampleTime()};
  auto s = settingsIn(dir);
  s.unit = TimeUnit::kMonth;
  RotatingFile file(s, clock.fn());
  file.write("jan");
  clock.now += 2s;  // February
  file.write("feb");
  CHECK(dir.files() ==
        std::vector<std::string>{"kea-legal.20250131.txt", "kea-legal.20250201.txt"});

  TempDir dir2;
  auto y = settingsIn(dir2);
  y.unit = TimeUnit::kYear;
  FakeClock c2{exampleTime()};
  RotatingFile yearly(y, c2.fn());
  yearly.write("a");
  c2.now += 24h * 300;  // late 2025
  yearly.write("b");
  CHECK(dir2.files() == std::vector<std::string>{"kea-legal.20250131.txt"});
  c2.now += 24h * 65;  // 2026
  yearly.write("c");
  CHECK(dir2.files().size() == 2);
}

TEST_CASE("count 0 never rotates by time", "[legal_log]") {
  useUtc();
  TempDir dir;
  FakeClock clock{exampleTime()};
  auto s = settingsIn(dir);
  s.count = 0;
  RotatingFile file(s, clock.fn());
  file.write("a");
  clock.now += 24h * 40;
  file.write("b");
  CHECK(dir.files() == std::vector<std::string>{"kea-legal.20250131.txt"});
  CHECK(readLines(file.currentFile()).size() == 2);
}

TEST_CASE("a restart continues the file of the current period", "[legal_log]") {
  useUtc();
  TempDir dir;
  FakeClock clock{exampleTime()};
  auto s = settingsIn(dir);
  s.count = 7;
  {
    RotatingFile file(s, clock.fn());
    file.write("before restart");
  }
  clock.now += 24h * 3;
  {
    RotatingFile file(s, clock.fn());
    file.write("after restart");
    CHECK(file.currentFile() == dir.path + "/kea-legal.20250131.txt");
  }
  CHECK(readLines(dir.path + "/kea-legal.20250131.txt").size() == 2);
  clock.now += 24h * 4;  // period over
  RotatingFile file(s, clock.fn());
  file.write("new period");
  CHECK(file.currentFile() == dir.path + "/kea-legal.20250207.txt");
}

TEST_CASE("max-size continues a full file in numbered parts", "[legal_log]") {
  useUtc();
  TempDir dir;
  FakeClock clock{exampleTime()};
  auto s = settingsIn(dir);
  s.max_size = 100;
  s.timestamp_format = "%H:%M:%S";  // 8 chars + space + 39 + newline = 49 bytes per entry
  std::string entry(39, 'x');
  {
    RotatingFile file(s, clock.fn());
    file.write(entry);
    file.write(entry);  // 98 bytes
    file.write(entry);  // would pass 100: part 1
    CHECK(file.currentFile() == dir.path + "/kea-legal.20250131.1.txt");
    file.write(entry);
    file.write(entry);
    CHECK(file.currentFile() == dir.path + "/kea-legal.20250131.2.txt");
  }
  CHECK(readLines(dir.path + "/kea-legal.20250131.txt").size() == 2);
  CHECK(readLines(dir.path + "/kea-legal.20250131.1.txt").size() == 2);
  // After a restart the highest part is continued; a new day starts without a part number.
  RotatingFile file(s, clock.fn());
  file.write(entry);
  CHECK(file.currentFile() == dir.path + "/kea-legal.20250131.2.txt");
  clock.now += 2s;
  file.write(entry);
  CHECK(file.currentFile() == dir.path + "/kea-legal.20250201.txt");
}

TEST_CASE("multi-line entries get the timestamp on every line", "[legal_log]") {
  useUtc();
  TempDir dir;
  FakeClock clock{exampleTime()};
  RotatingFile file(settingsIn(dir), clock.fn());
  file.write("first line\nsecond line\n");
  file.write("");
  CHECK(readLines(file.currentFile()) ==
        std::vector<std::string>{"2025-01-31 23:59:58 UTC first line",
                                 "2025-01-31 23:59:58 UTC second line"});
}

TEST_CASE("timestamp-format takes strftime and %Q for microseconds", "[legal_log]") {
  useUtc();
  auto t = exampleTime() + 123456us;
  CHECK(RotatingFile::formatTime("%Y-%m-%d %H:%M:%S.%Q %Z", t) == "2025-01-31 23:59:58.123456 UTC");
  CHECK(RotatingFile::formatTime("%%Q %s", t) == "%Q 1738367998");
  CHECK(RotatingFile::formatTime("", t).empty());
}

TEST_CASE("prerotate and postrotate run with the closed and opened file names", "[legal_log]") {
  useUtc();
  TempDir dir;
  std::string script = dir.path + "/hook.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\necho \"$1\" > \"$1.$(basename \"$0\")\"\n";
  }
  ::chmod(script.c_str(), 0755);
  std::string pre = dir.path + "/pre", post = dir.path + "/post";
  ::symlink(script.c_str(), pre.c_str());
  ::symlink(script.c_str(), post.c_str());
  FakeClock clock{exampleTime()};
  auto s = settingsIn(dir);
  s.prerotate = pre;
  s.postrotate = post;
  RotatingFile file(s, clock.fn());
  file.write("a");
  clock.now += 2s;
  file.write("b");
  std::string old_name = dir.path + "/kea-legal.20250131.txt";
  std::string new_name = dir.path + "/kea-legal.20250201.txt";
  REQUIRE(waitForFile(old_name + ".pre"));
  REQUIRE(waitForFile(new_name + ".post"));
  CHECK(readLines(old_name + ".pre") == std::vector<std::string>{old_name});
  CHECK(readLines(new_name + ".post") == std::vector<std::string>{new_name});
}

TEST_CASE("bad file settings are refused with the parameter named", "[legal_log]") {
  TempDir dir;
  auto s = settingsIn(dir);
  s.path = dir.path + "/missing";
  CHECK_THROWS_WITH(RotatingFile(s), Catch::Contains("'path'") && Catch::Contains("missing"));
  s = settingsIn(dir);
  s.base_name = "";
  CHECK_THROWS_AS(RotatingFile(s), ConfigError);
  s = settingsIn(dir);
  s.prerotate = dir.path + "/no-such-script";
  CHECK_THROWS_WITH(RotatingFile(s), Catch::Contains("'prerotate'"));
}
