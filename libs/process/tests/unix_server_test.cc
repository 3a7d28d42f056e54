// The control socket server over real UNIX sockets: the server runs on an io_context in a
// background thread, the tests are plain blocking POSIX clients.

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "takahe/cc/command.h"
#include "takahe/process/command_registry.h"
#include "takahe/process/unix_command_server.h"
#include "takahe/util/error.h"
#include "test_support.h"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using takahe::testing::IoThread;
using takahe::testing::TempDir;
using takahe::cc::Answer;
using takahe::cc::Command;
using takahe::cc::makeAnswer;
using takahe::cc::ResultCode;
using takahe::cc::Value;
using takahe::process::CommandRegistry;
using takahe::process::UnixCommandServer;
using takahe::process::UnixServerOptions;

namespace {

sockaddr_un addressOf(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  REQUIRE(path.size() < sizeof(addr.sun_path));
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

/// A blocking client socket; every read gives up after 3 s so a broken server fails the test
/// instead of hanging it.
class Client {
 public:
  explicit Client(const std::string& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    timeval tv{3, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    const sockaddr_un addr = addressOf(path);
    REQUIRE(::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
  }
  ~Client() { closeNow(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// Sends everything; false if the server closed first.
  bool send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  void shutdownWrite() { ::shutdown(fd_, SHUT_WR); }

  /// Reads until EOF (or a reset after data, or the 3 s limit). `eof` tells whether the server
  /// really ended the stream.
  std::string readAll(bool* eof = nullptr) {
    std::string out;
    std::vector<char> buf(1 << 16);
    bool ended = false;
    for (;;) {
      const ssize_t n = ::recv(fd_, buf.data(), buf.size(), 0);
      if (n > 0) {
        out.append(buf.data(), static_cast<size_t>(n));
        continue;
      }
      ended = n == 0 || errno == ECONNRESET;
      break;
    }
    if (eof != nullptr) {
      *eof = ended;
    }
    return out;
  }

  void closeNow() {
    if (fd_ >= 0) {
      ::close(fd_);
      fd_ = -1;
    }
  }

 private:
  int fd_ = -1;
};

Answer parse(const std::string& text) {
  INFO("answer text: " << text.substr(0, 300));
  REQUIRE_FALSE(text.empty());
  return takahe::cc::parseAnswer(takahe::cc::parseJson(text));
}

/// Sends a request, optionally half-closes, and returns the whole answer text.
std::string roundTrip(const std::string& path, std::string_view request, bool half_close) {
  Client client(path);
  REQUIRE(client.send(request));
  if (half_close) {
    client.shutdownWrite();
  }
  bool eof = false;
  std::string answer = client.readAll(&eof);
  CHECK(eof);
  return answer;
}

bool waitFor(const std::function<bool()>& condition, std::chrono::milliseconds limit = 2000ms) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (condition()) {
      return true;
    }
    std::this_thread::sleep_for(2ms);
  }
  return condition();
}

bool exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

/// A registry with "echo" (answers its arguments) and a "fail" that throws.
struct Fixture {
  TempDir dir;
  std::string path = dir.file("ctrl.sock");
  CommandRegistry registry;
  IoThread io;  // after the registry: stopped and joined before the registry goes away

  Fixture() {
    registry.add("echo", [](const Command& cmd) {
      return makeAnswer(ResultCode::kSuccess, "echo", cmd.arguments);
    });
    registry.add("fail",
                 [](const Command&) -> Value { throw takahe::Error("subnet 7 does not exist"); });
  }
};

}  // namespace

TEST_CASE("server answers list-commands and removes its socket file on stop") {
  Fixture fx;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry);
  CHECK_FALSE(server.running());
  server.start();
  CHECK(server.running());
  CHECK(server.path() == fx.path);
  REQUIRE(exists(fx.path));

  struct stat st {};
  REQUIRE(::stat(fx.path.c_str(), &st) == 0);
  CHECK(S_ISSOCK(st.st_mode));
  CHECK((st.st_mode & 07777) == 0750);

  const Value answer =
      takahe::cc::parseJson(roundTrip(fx.path, R"({"command": "list-commands"})", true));
  CHECK(answer.at("result").asInt() == 0);
  CHECK(answer.at("arguments") == Value(takahe::cc::List{"echo", "fail", "list-commands"}));

  CHECK(waitFor([&] { return server.activeConnections() == 0; }));
  server.stop();
  CHECK_FALSE(server.running());
  CHECK_FALSE(exists(fx.path));
  server.stop();  // idempotent
  CHECK_FALSE(exists(fx.path));
}

TEST_CASE("server answers unknown commands 2 and throwing handlers 1 with the text") {
  Fixture fx;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry);
  server.start();

  Answer answer = parse(roundTrip(fx.path, R"({"command": "foo"})", true));
  CHECK(answer.result == 2);
  CHECK(answer.text == "'foo' command not supported.");

  answer = parse(roundTrip(fx.path, R"({"command": "fail"})", true));
  CHECK(answer.result == 1);
  CHECK(answer.text == "subnet 7 does not exist");

  answer = parse(roundTrip(fx.path, R"({"command": "echo", "arguments": {"n": 5}})", true));
  CHECK(answer.result == 0);
  REQUIRE(answer.arguments.has_value());
  CHECK(answer.arguments->at("n").asInt() == 5);
}

TEST_CASE("a command written one byte at a time with pauses is answered") {
  Fixture fx;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry);
  server.start();

  const std::string request = R"({"command":"echo","arguments":{"s":"}\""}})";
  Client client(fx.path);
  for (const char c : request) {
    REQUIRE(client.send(std::string_view(&c, 1)));
    std::this_thread::sleep_for(2ms);
  }
  // No half-close: the server must see the end of the map by itself.
  const Answer answer = parse(client.readAll());
  CHECK(answer.result == 0);
  REQUIRE(answer.arguments.has_value());
  CHECK(answer.arguments->at("s").asString() == "}\"");
}

TEST_CASE("a client that never half-closes gets its answer and then EOF") {
  Fixture fx;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry);
  server.start();

  // A trailing newline after the map, as `echo` or nc send, is read and ignored.
  const auto started = std::chrono::steady_clock::now();
  const std::string text = roundTrip(fx.path, "{\"command\": \"echo\"}\n", false);
  CHECK(std::chrono::steady_clock::now() - started < 1s);
  CHECK(parse(text).result == 0);
  CHECK(waitFor([&] { return server.activeConnections() == 0; }));
}

TEST_CASE("a request ended by EOF is parsed as it stands") {
  Fixture fx;
  UnixServerOptions options;
  options.idle_timeout = 5s;  // the answer must come from EOF, not from the timeout
  UnixCommandServer server(fx.io.io, fx.path, fx.registry, options);
  server.start();

  const auto started = std::chrono::steady_clock::now();
  const Answer answer = parse(roundTrip(fx.path, R"(  {"command": "echo")", true));
  CHECK(std::chrono::steady_clock::now() - started < 1s);
  CHECK(answer.result == 1);
  CHECK(answer.text.rfind("invalid JSON: ", 0) == 0);

  // A client that connects and closes without sending anything gets nothing.
  CHECK(roundTrip(fx.path, "", true).empty());
  CHECK(waitFor([&] { return server.activeConnections() == 0; }));
}

TEST_CASE("a 20 MB answer arrives intact") {
  Fixture fx;
  constexpr size_t kSize = 20 * 1024 * 1024;
  std::string big(kSize, 'x');
  for (size_t i = 0; i < kSize; ++i) {
    big[i] = static_cast<char>('a' + (i * 7 + i / 1000) % 26);
  }
  fx.registry.add("big", [&](const Command&) {
    Value args = Value::makeMap();
    args.set("data", big);
    return makeAnswer(ResultCode::kSuccess, "big", args);
  });
  UnixCommandServer server(fx.io.io, fx.path, fx.registry);
  server.start();

  Client client(fx.path);
  REQUIRE(client.send(R"({"command": "big"})"));
  // Read slowly at first so the server has to wait for socket buffer space.
  std::this_thread::sleep_for(50ms);
  const std::string text = client.readAll();
  REQUIRE(text.size() > kSize);
  const Answer answer = parse(text);
  CHECK(answer.result == 0);
  REQUIRE(answer.arguments.has_value());
  const std::string& data = answer.arguments->at("data").asString();
  CHECK(data.size() == kSize);
  CHECK(data == big);
}

TEST_CASE("an idle client is closed after the timeout, with Kea's answer if it sent bytes") {
  Fixture fx;
  UnixServerOptions options;
  options.idle_timeout = 200ms;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry, options);
  server.start();

  Client silent(fx.path);
  Client partial(fx.path);
  REQUIRE(partial.send(R"({"command": "ec)"));
  const auto started = std::chrono::steady_clock::now();

  bool eof = false;
  CHECK(silent.readAll(&eof).empty());
  CHECK(eof);
  const auto silent_elapsed = std::chrono::steady_clock::now() - started;
  CHECK(silent_elapsed >= 150ms);
  CHECK(silent_elapsed < 2s);

  const Answer answer = parse(partial.readAll(&eof));
  CHECK(eof);
  CHECK(answer.result == 1);
  CHECK(answer.text == "Connection over control channel timed out");
  CHECK(std::chrono::steady_clock::now() - started < 2s);

  // After the timeout answer the server waits for the client to close, bounded by the timeout.
  CHECK(waitFor([&] { return server.activeConnections() == 0; }));
}

TEST_CASE("a slow client that keeps sending within the idle timeout is not cut off") {
  Fixture fx;
  UnixServerOptions options;
  options.idle_timeout = 150ms;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry, options);
  server.start();

  Client client(fx.path);
  // 4 pieces 80 ms apart: 320 ms in all, more than the idle timeout, never idle that long.
  for (const char* piece : {R"({"comm)", R"(and": "ec)", R"(ho", "arg)", R"(uments": {}})"}) {
    REQUIRE(client.send(piece));
    std::this_thread::sleep_for(80ms);
  }
  CHECK(parse(client.readAll()).result == 0);
}

TEST_CASE("a request over max_request_bytes is refused with result 1") {
  Fixture fx;
  UnixServerOptions options;
  options.max_request_bytes = 1024;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry, options);
  server.start();

  Client client(fx.path);
  const std::string request =
      R"({"command": "echo", "arguments": {"blob": ")" + std::string(8000, 'z') + "\"}}";
  client.send(request);  // may be cut short once the server has answered
  const Answer answer = parse(client.readAll());
  CHECK(answer.result == 1);
  CHECK(answer.text.rfind("command too large", 0) == 0);

  // A request just under the limit is still served.
  const std::string fits =
      R"({"command": "echo", "arguments": {"blob": ")" + std::string(900, 'z') + "\"}}";
  CHECK(parse(roundTrip(fx.path, fits, false)).result == 0);
}

TEST_CASE("garbage input is answered with result 1") {
  Fixture fx;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry);
  server.start();

  Answer answer = parse(roundTrip(fx.path, std::string("\x00\x01\xfe\xff binary", 10), false));
  CHECK(answer.result == 1);
  CHECK(answer.text.rfind("invalid JSON: ", 0) == 0);

  answer = parse(roundTrip(fx.path, "hello there\n", false));
  CHECK(answer.result == 1);
  CHECK(answer.text.rfind("invalid JSON: ", 0) == 0);

  answer = parse(roundTrip(fx.path, R"({"command": })", false));
  CHECK(answer.result == 1);
  CHECK(answer.text.rfind("invalid JSON: ", 0) == 0);

  answer = parse(roundTrip(fx.path, R"({"arguments": {}})", false));
  CHECK(answer.result == 1);
  CHECK(answer.text.find("missing 'command'") != std::string::npos);
}

TEST_CASE("50 concurrent clients are all answered") {
  Fixture fx;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry);
  server.start();

  constexpr int kClients = 50;
  std::vector<std::unique_ptr<Client>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<Client>(fx.path));
    REQUIRE(clients.back()->send(R"({"command": "echo", "arguments": {"id": )"));
  }
  // All 50 are open at once, each with half a command.
  CHECK(waitFor([&] { return server.activeConnections() == kClients; }));
  for (int i = 0; i < kClients; ++i) {
    REQUIRE(clients[i]->send(std::to_string(i) + "}}"));
  }
  for (int i = 0; i < kClients; ++i) {
    const Answer answer = parse(clients[i]->readAll());
    CHECK(answer.result == 0);
    REQUIRE(answer.arguments.has_value());
    CHECK(answer.arguments->at("id").asInt() == i);
  }
  clients.clear();
  CHECK(waitFor([&] { return server.activeConnections() == 0; }));
}

TEST_CASE("connections over max_connections are refused with an answer") {
  Fixture fx;
  UnixServerOptions options;
  options.max_connections = 2;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry, options);
  server.start();

  Client a(fx.path);
  Client b(fx.path);
  REQUIRE(waitFor([&] { return server.activeConnections() == 2; }));
  Client c(fx.path);
  const Answer refused = parse(c.readAll());
  CHECK(refused.result == 1);
  CHECK(refused.text.find("too many connections") != std::string::npos);

  REQUIRE(a.send(R"({"command": "echo"})"));
  CHECK(parse(a.readAll()).result == 0);
  a.closeNow();
  REQUIRE(waitFor([&] { return server.activeConnections() == 1; }));
  CHECK(parse(roundTrip(fx.path, R"({"command": "echo"})", false)).result == 0);
}

TEST_CASE("a stale socket file is replaced on start") {
  Fixture fx;
  {
    // Leave a socket file behind with nobody listening, as a crashed daemon does.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    const sockaddr_un addr = addressOf(fx.path);
    REQUIRE(::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) == 0);
    ::close(fd);
  }
  REQUIRE(exists(fx.path));
  UnixCommandServer server(fx.io.io, fx.path, fx.registry);
  server.start();
  CHECK(parse(roundTrip(fx.path, R"({"command": "echo"})", true)).result == 0);
}

TEST_CASE("a second server on a live path is refused and the first keeps working") {
  Fixture fx;
  UnixCommandServer first(fx.io.io, fx.path, fx.registry);
  first.start();
  UnixCommandServer second(fx.io.io, fx.path, fx.registry);
  CHECK_THROWS_WITH(second.start(),
                    Catch::Contains(fx.path) && Catch::Contains("already listening"));
  CHECK_FALSE(second.running());
  second.stop();  // must not remove the first server's file
  REQUIRE(exists(fx.path));
  CHECK(parse(roundTrip(fx.path, R"({"command": "echo"})", true)).result == 0);
  CHECK_THROWS_WITH(first.start(), Catch::Contains("already open"));
}

TEST_CASE("start reports unusable paths clearly") {
  Fixture fx;
  {
    UnixCommandServer server(fx.io.io, fx.dir.file("no-such-dir/ctrl.sock"), fx.registry);
    CHECK_THROWS_WITH(server.start(), Catch::Contains("does not exist"));
  }
  {
    const std::string long_path = fx.dir.file(std::string(120, 'a'));
    UnixCommandServer server(fx.io.io, long_path, fx.registry);
    CHECK_THROWS_WITH(server.start(), Catch::Contains("at most 107"));
  }
  {
    const std::string file = fx.dir.file("plain");
    std::ofstream(file) << "not a socket";
    UnixCommandServer server(fx.io.io, file, fx.registry);
    CHECK_THROWS_WITH(server.start(), Catch::Contains("not a socket"));
    CHECK(exists(file));  // never removed
  }
  if (::geteuid() != 0) {
    const std::string locked = fx.dir.file("locked");
    REQUIRE(::mkdir(locked.c_str(), 0500) == 0);
    UnixCommandServer server(fx.io.io, locked + "/ctrl.sock", fx.registry);
    CHECK_THROWS_WITH(server.start(), Catch::Contains("permission denied"));
  }
}

TEST_CASE("permissions option sets the socket file mode") {
  Fixture fx;
  UnixServerOptions options;
  options.permissions = 0600;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry, options);
  server.start();
  struct stat st {};
  REQUIRE(::stat(fx.path.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("stop closes open connections and start works again afterwards") {
  Fixture fx;
  UnixCommandServer server(fx.io.io, fx.path, fx.registry);
  server.start();
  Client idle(fx.path);
  REQUIRE(waitFor([&] { return server.activeConnections() == 1; }));
  server.stop();
  bool eof = false;
  CHECK(idle.readAll(&eof).empty());
  CHECK(eof);
  CHECK(server.activeConnections() == 0);
  CHECK_FALSE(exists(fx.path));

  server.start();
  CHECK(parse(roundTrip(fx.path, R"({"command": "echo"})", true)).result == 0);
}

TEST_CASE("a command handler may stop the server that is running it") {
  Fixture fx;
  UnixCommandServer* running = nullptr;
  fx.registry.add("shutdown", [&](const Command&) {
    running->stop();
    return makeAnswer(ResultCode::kSuccess, "Shutting down.");
  });
  UnixCommandServer server(fx.io.io, fx.path, fx.registry);
  running = &server;
  server.start();
  bool eof = false;
  Client client(fx.path);
  REQUIRE(client.send(R"({"command": "shutdown"})"));
  // The connection is closed by stop() before the answer could be written.
  CHECK(client.readAll(&eof).empty());
  CHECK(eof);
  CHECK_FALSE(server.running());
  CHECK_FALSE(exists(fx.path));
}
