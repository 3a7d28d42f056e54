// Cross-checks against the real kea-dhcp6 (Kea 2.2) when it is installed; skipped otherwise.
// Kea runs with `interfaces: []` (no DHCP socket at all) in a scratch directory; the only traffic
// is its control socket, a UNIX socket in that directory.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstring>
#include <functional>
#include <thread>

#include "lease6_test_util.h"
#include "takahe/cc/value.h"
#include "takahe/dhcpsrv/csv_lease_file6.h"
#include "takahe/dhcpsrv/lease6_json.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"

extern char** environ;

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

std::string keaBinary() {
  const char* env = std::getenv("TAKAHE_TEST_KEA_DHCP6");
  std::string path = env && *env ? env : "/usr/sbin/kea-dhcp6";
  return ::access(path.c_str(), X_OK) == 0 ? path : "";
}

std::string leaseCmdsHook() {
  for (const char* p : {"/usr/lib/x86_64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so",
                        "/usr/lib/aarch64-linux-gnu/kea/hooks/libdhcp_lease_cmds.so",
                        "/usr/lib/kea/hooks/libdhcp_lease_cmds.so"}) {
    if (::access(p, R_OK) == 0) {
      return p;
    }
  }
  return "";
}

bool waitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

/// One kea-dhcp6 process in `dir`, stopped (SIGTERM, then SIGKILL) when destroyed.
class KeaDhcp6 {
 public:
  KeaDhcp6(const TempDir& dir, const std::string& binary, const std::string& hook)
      : dir_(dir), socket_(dir.file("kea6.sock")) {
    std::string hooks;
    if (!hook.empty()) {
      hooks = R"("hooks-libraries": [ { "library": ")" + hook + R"(" } ],
                 "control-socket": { "socket-type": "unix", "socket-name": ")" +
              socket_ + R"(" },)";
    }
    writeFile(dir.file("kea6.json"), R"({ "Dhcp6": {
        "interfaces-config": { "interfaces": [] },
        "lease-database": { "type": "memfile", "name": ")" +
                                         dir.file("leases6.csv") + R"(", "lfc-interval": 0 },
        "server-id": { "type": "EN", "enterprise-id": 2495, "identifier": "0102", "persist": false },
        )" + hooks + R"(
        "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64",
                       "pd-pools": [ { "prefix": "3000:1::", "prefix-len": 48, "delegated-len": 56 } ] } ],
        "loggers": [ { "name": "kea-dhcp6", "severity": "WARN",
                       "output_options": [ { "output": "stdout" } ] } ] } })");
    std::vector<std::string> env_store = {"KEA_PIDFILE_DIR=" + dir.path(),
                                          "KEA_LOCKFILE_DIR=" + dir.path()};
    std::vector<char*> envp;
    for (auto& e : env_store) {
      envp.push_back(e.data());
    }
    for (char** e = environ; *e; ++e) {
      if (std::strncmp(*e, "KEA_", 4) != 0) {
        envp.push_back(*e);
      }
    }
    envp.push_back(nullptr);
    std::string cfg = dir.file("kea6.json");
    std::string log = dir.file("kea6.log");
    std::vector<char*> argv = {const_cast<char*>(binary.c_str()), const_cast<char*>("-c"),
                               cfg.data(), nullptr};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int rc = ::posix_spawn(&pid_, binary.c_str(), &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      pid_ = -1;
    }
  }
  ~KeaDhcp6() { stop(); }
  KeaDhcp6(const KeaDhcp6&) = delete;
  KeaDhcp6& operator=(const KeaDhcp6&) = delete;

  bool started() const { return pid_ > 0; }
  std::string log() const { return readFile(dir_.file("kea6.log")); }

  /// Sends one command on the control socket; the parsed answer, or null on failure.
  cc::Value command(const std::string& json) {
    int fd = -1;
    bool connected = waitFor(
        [&] {
          fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
          sockaddr_un sa{};
          sa.sun_family = AF_UNIX;
          std::strncpy(sa.sun_path, socket_.c_str(), sizeof(sa.sun_path) - 1);
          if (::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0) {
            return true;
          }
          ::close(fd);
          fd = -1;
          return false;
        },
        std::chrono::seconds(10));
    if (!connected) {
      return {};
    }
    std::string answer;
    if (::write(fd, json.data(), json.size()) == static_cast<ssize_t>(json.size())) {
      char buf[65536];
      pollfd p{fd, POLLIN, 0};
      while (::poll(&p, 1, 5000) > 0) {
        ssize_t n = ::read(fd, buf, sizeof(buf));
        if (n <= 0) {
          break;
        }
        answer.append(buf, static_cast<size_t>(n));
        try {
          cc::parseJson(answer);
          break;  // a complete answer
        } catch (const std::exception&) {
        }
      }
    }
    ::close(fd);
    try {
      return cc::parseJson(answer);
    } catch (const std::exception&) {
      return {};
    }
  }

  void stop() {
    if (pid_ <= 0) {
      return;
    }
    ::kill(pid_, SIGTERM);
    int status = 0;
    bool gone = waitFor([&] { return ::waitpid(pid_, &status, WNOHANG) == pid_; },
                        std::chrono::seconds(10));
    if (!gone) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
    pid_ = -1;
    // A kea-lfc Kea started may still be writing in the directory: let it finish.
    waitFor([&] { return !exists(dir_.file("leases6.csv.pid")); }, std::chrono::seconds(10));
  }

 private:
  const TempDir& dir_;
  std::string socket_;
  pid_t pid_ = -1;
};

}  // namespace

TEST_CASE("kea-dhcp6 writes the lease6 header we write, minus pool_id", "[kea]") {
  std::string kea = keaBinary();
  if (kea.empty()) {
    WARN("kea-dhcp6 not installed: cross-check skipped");
    return;
  }
  TempDir dir;
  KeaDhcp6 server(dir, kea, "");
  REQUIRE(server.started());
  std::string file = dir.file("leases6.csv");
  bool written = waitFor([&] { return readFile(file).find('\n') != std::string::npos; },
                         std::chrono::seconds(10));
  server.stop();
  INFO(server.log());
  REQUIRE(written);
  std::string kea_header = lines(readFile(file)).at(0);
  std::string ours = lease6CsvHeader();
  CHECK(kea_header + ",pool_id\n" == ours);
}

TEST_CASE("kea-dhcp6 reads our lease6 file to the leases lease6ToJson describes", "[kea]") {
  std::string kea = keaBinary();
  std::string hook = leaseCmdsHook();
  if (kea.empty() || hook.empty()) {
    WARN("kea-dhcp6 or its lease_cmds hook not installed: cross-check skipped");
    return;
  }
  TempDir dir;
  MemfileConfig cfg;
  cfg.path = dir.file("leases6.csv");
  std::vector<Lease6> expected;
  {
    MemfileLeaseStore6 store(cfg);
    Lease6 na = makeLease6("2001:db8:1::100", "00:01:00:01:2a:3b:4c:5d:1a:1b:1c:1d:1e:1f", 1234, 1,
                           1795896285, 4000);
    na.hostname = "h,x.example.";
    na.fqdn_fwd = true;
    na.hwaddr = HwAddr::fromString("1a:1b:1c:1d:1e:1f");
    na.hwaddr_source = hwaddr_source::kDuid;
    na.user_context = R"({ "a": 1, "b": "x,y&z" })";
    Lease6 pd = makePd("3000:1::", 56, "01:02:03:04", 7, 1, 1795896400, 3600);
    Lease6 declined = makeLease6("2001:db8:1::101", "00", 0, 1, 1795937900, kInfiniteLifetime);
    declined.state = LeaseState::kDeclined;
    Lease6 gone = makeLease6("2001:db8:1::102", "05", 5, 1);
    Lease6 ta = makeLease6("2001:db8:1::103", "06", 6, 1, 1795896285, 600, Lease6Type::kTa);
    for (const Lease6* l : {&na, &pd, &declined, &gone, &ta}) {
      REQUIRE(store.add(*l));
    }
    REQUIRE(store.remove(Lease6Type::kNa, gone.address));
    pd.hostname = "pd.example";
    pd.cltt += 100;
    REQUIRE(store.update(pd));
    expected = store.getAll();
  }
  KeaDhcp6 server(dir, kea, hook);
  REQUIRE(server.started());
  cc::Value answer = server.command(R"({ "command": "lease6-get-all" })");
  INFO(server.log());
  INFO(answer.toJson());
  REQUIRE(answer.isMap());
  REQUIRE(answer.at("result").asInt() == 0);
  const auto& leases = answer.at("arguments").at("leases").asList();
  CHECK(leases.size() == expected.size());
  for (const Lease6& l : expected) {
    INFO(toString(l));
    const cc::Value* match = nullptr;
    for (const auto& k : leases) {
      if (k.at("ip-address").asString() == l.address.toString()) {
        match = &k;
      }
    }
    REQUIRE(match != nullptr);
    CHECK(*match == lease6ToJson(l));
  }
}
