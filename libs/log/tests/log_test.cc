#include <stdlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "takahe/log/config.h"
#include "takahe/log/logger.h"
#include "takahe/log/messages.h"
#include "takahe/util/error.h"

namespace fs = std::filesystem;
using namespace takahe::log;

namespace {

inline constexpr MessageId TEST_LEASE_ALLOC{"TEST_LEASE_ALLOC", Severity::kInfo,
                                            "%1: lease %2 has been allocated for %3 seconds"};
inline constexpr MessageId TEST_WARNING{"TEST_WARNING", Severity::kWarn, "warning %1"};
inline constexpr MessageId TEST_FAILURE{"TEST_FAILURE", Severity::kError, "failure %1"};
inline constexpr MessageId TEST_TRACE{"TEST_TRACE", Severity::kDebug, "trace %1"};
inline constexpr MessageId TEST_LINE{"TEST_LINE", Severity::kInfo, "line %1 from %2"};

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/takahe-log-test-XXXXXX";
    char* p = ::mkdtemp(tmpl);
    REQUIRE(p != nullptr);
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::vector<std::string> readLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    lines.push_back(line);
  }
  return lines;
}

LoggerSpec fileSpec(const std::string& name, const std::string& path,
                    Severity severity = Severity::kInfo, int debuglevel = 0) {
  LoggerSpec spec;
  spec.name = name;
  spec.severity = severity;
  spec.debuglevel = debuglevel;
  OutputOption out;
  out.output = path;
  spec.outputs.push_back(out);
  return spec;
}

// Counts how often a log argument is turned into text.
struct CountingArg {
  std::atomic<int>* calls;
  std::string toString() const {
    ++*calls;
    return "counted";
  }
};

struct Address {
  std::string toString() const { return "192.0.2.1"; }
};

}  // namespace

TEST_CASE("severity names parse case-insensitively and unknown names are refused", "[log]") {
  CHECK(severityFromName("DEBUG") == Severity::kDebug);
  CHECK(severityFromName("info") == Severity::kInfo);
  CHECK(severityFromName("Warn") == Severity::kWarn);
  CHECK(severityFromName("ERROR") == Severity::kError);
  CHECK(severityFromName("fatal") == Severity::kFatal);
  CHECK(severityFromName("NONE") == Severity::kNone);
  CHECK_FALSE(severityFromName("WARNING").has_value());
  CHECK_FALSE(severityFromName("").has_value());
  CHECK(severityName(Severity::kWarn) == "WARN");
}

TEST_CASE("placeholders are substituted, repeated, and missing ones stay visible", "[log]") {
  std::vector<std::string> two{"a", "b"};
  CHECK(formatMessage("%1 and %2 and %1 again", two) == "a and b and a again");
  CHECK(formatMessage("%1 then %3", two) == "a then %3 [extra: b]");
  CHECK(formatMessage("no placeholders", {}) == "no placeholders");
  CHECK(formatMessage("%1%2 100% sure", two) == "ab 100% sure");
  std::vector<std::string> eleven{"1", "2", "3", "4", "5", "6", "7", "8", "9", "ten", "eleven"};
  CHECK(formatMessage("%10 %11 %1", eleven).rfind("ten eleven 1 [extra: 2, 3", 0) == 0);
  CHECK(toLogString(true) == "true");
  CHECK(toLogString(1.5) == "1.5");
  CHECK(toLogString(static_cast<uint8_t>(7)) == "7");
  CHECK(toLogString(-42) == "-42");
  CHECK(toLogString(Address{}) == "192.0.2.1");
  const char* null_text = nullptr;
  CHECK(toLogString(null_text) == "(null)");
}

TEST_CASE("a message reaches a file output with Kea's line format and its ID", "[log]") {
  TempDir dir;
  initLogging("takahe-fmt", "kea-fmt");
  configure({fileSpec("takahe-fmt", dir.file("out.log"))});
  Logger logger("takahe-fmt.leases");
  CHECK(logger.name() == "takahe-fmt.leases");
  TAKAHE_LOG(logger, TEST_LEASE_ALLOC, "[hwtype=1 00:11:22:33:44:55]", Address{}, 4000);
  auto lines = readLines(dir.file("out.log"));
  REQUIRE(lines.size() == 1);
  std::regex re(
      R"(^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3} INFO  \[takahe-fmt\.leases/\d+\.\d+\] )"
      R"(TEST_LEASE_ALLOC \[hwtype=1 00:11:22:33:44:55\]: lease 192\.0\.2\.1 has been )"
      R"(allocated for 4000 seconds$)");
  INFO(lines[0]);
  CHECK(std::regex_match(lines[0], re));
}

TEST_CASE("messages below the configured severity are dropped", "[log]") {
  TempDir dir;
  initLogging("takahe-sev");
  configure({fileSpec("takahe-sev", dir.file("out.log"), Severity::kWarn)});
  Logger logger("takahe-sev.x");
  CHECK_FALSE(logger.enabled(Severity::kInfo));
  CHECK(logger.enabled(Severity::kWarn));
  TAKAHE_LOG(logger, TEST_LEASE_ALLOC, "a", "b", 1);
  TAKAHE_LOG(logger, TEST_WARNING, "w");
  logger.log(TEST_FAILURE, "e");
  TAKAHE_LOG_DEBUG(logger, 0, TEST_TRACE, "t");
  auto lines = readLines(dir.file("out.log"));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("WARN  [takahe-sev.x/") != std::string::npos);
  CHECK(lines[0].find("TEST_WARNING warning w") != std::string::npos);
  CHECK(lines[1].find("ERROR [takahe-sev.x/") != std::string::npos);

  configure({fileSpec("takahe-sev", dir.file("none.log"), Severity::kNone)});
  CHECK_FALSE(logger.enabled(Severity::kFatal));
  TAKAHE_LOG(logger, TEST_FAILURE, "hidden");
  CHECK(readLines(dir.file("none.log")).empty());
}

TEST_CASE("debug messages pass only up to the configured debuglevel", "[log]") {
  TempDir dir;
  initLogging("takahe-dbg");
  configure({fileSpec("takahe-dbg", dir.file("out.log"), Severity::kDebug, 40)});
  Logger logger("takahe-dbg");
  CHECK(logger.enabled(Severity::kDebug, 0));
  CHECK(logger.enabled(Severity::kDebug, 40));
  CHECK_FALSE(logger.enabled(Severity::kDebug, 41));
  TAKAHE_LOG_DEBUG(logger, 10, TEST_TRACE, "ten");
  TAKAHE_LOG_DEBUG(logger, 40, TEST_TRACE, "forty");
  TAKAHE_LOG_DEBUG(logger, 41, TEST_TRACE, "forty-one");
  logger.debug(99, TEST_TRACE, "ninety-nine");
  auto lines = readLines(dir.file("out.log"));
  REQUIRE(lines.size() == 2);
  CHECK(lines[0].find("DEBUG [takahe-dbg/") != std::string::npos);
  CHECK(lines[0].find("TEST_TRACE trace ten") != std::string::npos);
  CHECK(lines[1].find("TEST_TRACE trace forty") != std::string::npos);

  // Verbose mode (-d) forces DEBUG 99 on configured loggers.
  initLogging("takahe-dbg", "", true);
  CHECK(logger.enabled(Severity::kDebug, 99));
  configure({fileSpec("takahe-dbg", dir.file("v.log"), Severity::kError)});
  CHECK(logger.enabled(Severity::kDebug, 99));
  initLogging("takahe-dbg");
  CHECK_FALSE(logger.enabled(Severity::kDebug, 0));
  CHECK(logger.enabled(Severity::kInfo));
}

TEST_CASE("children inherit the parent's configuration unless configured themselves", "[log]") {
  TempDir dir;
  initLogging("takahe-tree");
  configure({fileSpec("takahe-tree", dir.file("root.log"), Severity::kInfo),
             fileSpec("takahe-tree.leases", dir.file("leases.log"), Severity::kError),
             LoggerSpec{"takahe-tree.packets", Severity::kDebug, 20, {}}});
  Logger other("takahe-tree.other.deep");
  Logger leases("takahe-tree.leases.sub");
  Logger packets("takahe-tree.packets");
  TAKAHE_LOG(other, TEST_WARNING, "other");
  TAKAHE_LOG(leases, TEST_WARNING, "leases-warn");
  TAKAHE_LOG(leases, TEST_FAILURE, "leases-error");
  TAKAHE_LOG_DEBUG(packets, 20, TEST_TRACE, "packets-debug");
  auto root_lines = readLines(dir.file("root.log"));
  auto lease_lines = readLines(dir.file("leases.log"));
  REQUIRE(root_lines.size() == 2);
  CHECK(root_lines[0].find("[takahe-tree.other.deep/") != std::string::npos);
  CHECK(root_lines[1].find("trace packets-debug") != std::string::npos);
  REQUIRE(lease_lines.size() == 1);
  CHECK(lease_lines[0].find("[takahe-tree.leases.sub/") != std::string::npos);
  CHECK(lease_lines[0].find("failure leases-error") != std::string::npos);
}

TEST_CASE("file outputs roll by maxsize and keep maxver old files", "[log]") {
  TempDir dir;
  initLogging("takahe-roll");
  LoggerSpec spec = fileSpec("takahe-roll", dir.file("roll.log"));
  spec.outputs[0].maxsize = 204800;  // the smallest size log4cplus rolls at
  spec.outputs[0].maxver = 2;
  configure({spec});
  Logger logger("takahe-roll");
  const std::string filler(200, 'x');
  // About 260 bytes a line: ~900 KB, enough for the live file plus more than two rolls.
  for (int i = 0; i < 3500; ++i) {
    TAKAHE_LOG(logger, TEST_LINE, i, filler);
  }
  CHECK(fs::exists(dir.file("roll.log")));
  CHECK(fs::exists(dir.file("roll.log.1")));
  CHECK(fs::exists(dir.file("roll.log.2")));
  CHECK_FALSE(fs::exists(dir.file("roll.log.3")));
  CHECK(fs::file_size(dir.file("roll.log.1")) >= 204800);
  CHECK(fs::file_size(dir.file("roll.log.1")) < 204800 + 1024);
  // The newest line is in the live file, older ones in .1.
  auto live = readLines(dir.file("roll.log"));
  REQUIRE_FALSE(live.empty());
  CHECK(live.back().find("line 3499 from") != std::string::npos);

  // maxver 0 never rolls.
  initLogging("takahe-roll");
  spec = fileSpec("takahe-roll", dir.file("flat.log"));
  spec.outputs[0].maxsize = 204800;
  spec.outputs[0].maxver = 0;
  configure({spec});
  for (int i = 0; i < 1000; ++i) {
    TAKAHE_LOG(logger, TEST_LINE, i, filler);
  }
  CHECK(fs::file_size(dir.file("flat.log")) > 204800);
  CHECK_FALSE(fs::exists(dir.file("flat.log.1")));
}

TEST_CASE("reconfiguration switches outputs", "[log]") {
  TempDir dir;
  initLogging("takahe-swap");
  Logger logger("takahe-swap.x");
  configure({fileSpec("takahe-swap", dir.file("a.log"))});
  TAKAHE_LOG(logger, TEST_WARNING, "first");
  configure({fileSpec("takahe-swap", dir.file("b.log"))});
  TAKAHE_LOG(logger, TEST_WARNING, "second");
  auto a = readLines(dir.file("a.log"));
  auto b = readLines(dir.file("b.log"));
  REQUIRE(a.size() == 1);
  REQUIRE(b.size() == 1);
  CHECK(a[0].find("warning first") != std::string::npos);
  CHECK(b[0].find("warning second") != std::string::npos);
  // A custom pattern applies.
  LoggerSpec spec = fileSpec("takahe-swap", dir.file("c.log"));
  spec.outputs[0].pattern = "%p|%c|%m%n";
  configure({spec});
  TAKAHE_LOG(logger, TEST_WARNING, "third");
  auto c = readLines(dir.file("c.log"));
  REQUIRE(c.size() == 1);
  CHECK(c[0] == "WARN|takahe-swap.x|TEST_WARNING warning third");
}

TEST_CASE("Kea logger names configure the same loggers as Takahe names", "[log]") {
  TempDir dir;
  initLogging("takahe-dhcp4", "kea-dhcp4");
  CHECK(Logger("kea-dhcp4.leases").name() == "takahe-dhcp4.leases");
  CHECK(Logger("leases").name() == "takahe-dhcp4.leases");
  CHECK(Logger("kea-dhcp4").name() == "takahe-dhcp4");
  CHECK(Logger("kea-dhcp4x").name() == "takahe-dhcp4.kea-dhcp4x");
  configure({fileSpec("kea-dhcp4", dir.file("root.log"), Severity::kError),
             fileSpec("kea-dhcp4.leases", dir.file("leases.log"), Severity::kInfo)});
  Logger leases("takahe-dhcp4.leases");
  Logger packets("packets");
  TAKAHE_LOG(leases, TEST_WARNING, "lease");
  TAKAHE_LOG(packets, TEST_WARNING, "dropped");
  TAKAHE_LOG(packets, TEST_FAILURE, "kept");
  auto lease_lines = readLines(dir.file("leases.log"));
  auto root_lines = readLines(dir.file("root.log"));
  REQUIRE(lease_lines.size() == 1);
  CHECK(lease_lines[0].find("[takahe-dhcp4.leases/") != std::string::npos);
  REQUIRE(root_lines.size() == 1);
  CHECK(root_lines[0].find("[takahe-dhcp4.packets/") != std::string::npos);
  // Both spellings of one logger in the same configuration are refused.
  CHECK_THROWS_AS(configure({fileSpec("kea-dhcp4.leases", dir.file("x.log")),
                             fileSpec("takahe-dhcp4.leases", dir.file("y.log"))}),
                  takahe::ConfigError);
}

TEST_CASE("disabled messages convert no arguments to text", "[log]") {
  TempDir dir;
  initLogging("takahe-lazy");
  configure({fileSpec("takahe-lazy", dir.file("out.log"), Severity::kWarn)});
  Logger logger("takahe-lazy");
  std::atomic<int> calls{0};
  int evaluated = 0;
  auto expensive = [&evaluated] {
    ++evaluated;
    return 1;
  };
  TAKAHE_LOG(logger, TEST_LEASE_ALLOC, CountingArg{&calls}, expensive(), 3);
  logger.log(TEST_LEASE_ALLOC, CountingArg{&calls}, 2, 3);
  TAKAHE_LOG_DEBUG(logger, 0, TEST_TRACE, CountingArg{&calls});
  CHECK(calls == 0);
  CHECK(evaluated == 0);
  TAKAHE_LOG(logger, TEST_WARNING, CountingArg{&calls});
  CHECK(calls == 1);
  auto lines = readLines(dir.file("out.log"));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("TEST_WARNING warning counted") != std::string::npos);
}

TEST_CASE("invalid logger specs throw ConfigError and change nothing", "[log]") {
  TempDir dir;
  initLogging("takahe-bad");
  configure({fileSpec("takahe-bad", dir.file("good.log"), Severity::kWarn)});
  Logger logger("takahe-bad");

  auto expectRejected = [&](const std::vector<LoggerSpec>& specs, const std::string& text) {
    try {
      configure(specs);
      FAIL("configuration was accepted");
    } catch (const takahe::ConfigError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(text) != std::string::npos);
    }
  };
  std::vector<LoggerSpec> bad_dir{fileSpec("takahe-bad", dir.file("missing/sub/x.log"))};
  expectRejected(bad_dir, "does not exist");
  LoggerSpec bad_level = fileSpec("takahe-bad", dir.file("other.log"), Severity::kDebug, 100);
  expectRejected({bad_level}, "debuglevel 100 is out of range");
  bad_level.debuglevel = -1;
  expectRejected({bad_level}, "debuglevel -1 is out of range");
  // A valid first spec does not get applied when a later one is bad.
  expectRejected({fileSpec("takahe-bad", dir.file("other.log"), Severity::kDebug),
                  fileSpec("takahe-bad.x", "syslog:nosuchfacility")},
                 "unknown syslog facility 'nosuchfacility'");
  expectRejected({fileSpec("", dir.file("other.log"))}, "empty name");
  expectRejected({fileSpec("takahe-bad", dir.file(""))}, "names a directory");

  CHECK_FALSE(fs::exists(dir.file("other.log")));
  CHECK_FALSE(logger.enabled(Severity::kInfo));
  TAKAHE_LOG(logger, TEST_FAILURE, "still here");
  auto lines = readLines(dir.file("good.log"));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("failure still here") != std::string::npos);

  // Syslog with a known facility, given in any case, is accepted.
  CHECK_NOTHROW(
      configure({fileSpec("takahe-bad", "syslog:LOCAL7"), fileSpec("takahe-bad.y", "syslog")}));
}

TEST_CASE("reconfiguring while threads log loses and duplicates no line", "[log]") {
  TempDir dir;
  initLogging("takahe-mt");
  const std::string a = dir.file("a.log");
  const std::string b = dir.file("b.log");
  configure({fileSpec("takahe-mt", a)});
  constexpr int kThreads = 3;
  constexpr int kLines = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      Logger logger("takahe-mt.worker");
      for (int i = 0; i < kLines; ++i) {
        TAKAHE_LOG(logger, TEST_LINE, i, t);
      }
    });
  }
  for (int round = 0; round < 20; ++round) {
    configure({fileSpec("takahe-mt", round % 2 == 0 ? b : a)});
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  for (auto& th : threads) {
    th.join();
  }
  std::set<std::string> seen;
  size_t total = 0;
  std::regex re(R"(TEST_LINE line (\d+) from (\d+)$)");
  for (const auto& path : {a, b}) {
    for (const auto& line : readLines(path)) {
      std::smatch m;
      REQUIRE(std::regex_search(line, m, re));
      seen.insert(m[2].str() + "/" + m[1].str());
      ++total;
    }
  }
  CHECK(total == kThreads * kLines);
  CHECK(seen.size() == kThreads * kLines);
}
