// HttpClient over plain HTTP against a real HttpServer (on its own io thread) on 127.0.0.1:
// keep-alive reuse, order, parallel connections, reconnects, failures, timeouts, queue limit,
// closeAll and destruction with requests pending. The client runs on an EventThread.

#include "takahe/http/client.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"

using namespace std::chrono_literals;
using namespace takahe::http;
using namespace takahe::http::test;

namespace {

/// Echoes bodies at once, or holds the answers until release() when `hold` is set; records
/// the peer address of each request and the most answers held at once.
struct TestHandler {
  std::atomic<bool> hold{false};
  std::mutex mutex;
  std::vector<std::string> bodies;
  std::vector<std::string> remotes;
  std::vector<std::pair<std::string, Respond>> held;
  std::size_t max_held = 0;

  Handler handler() {
    return [this](const Request& request, Respond respond) {
      std::lock_guard lock(mutex);
      bodies.push_back(request.body);
      remotes.push_back(request.remote);
      if (hold) {
        held.emplace_back(request.body, std::move(respond));
        max_held = std::max(max_held, held.size());
        return;
      }
      Response response;
      response.body = request.body;
      respond(std::move(response));
    };
  }
  void release() {
    std::vector<std::pair<std::string, Respond>> answers;
    {
      std::lock_guard lock(mutex);
      answers.swap(held);
    }
    for (auto& [body, respond] : answers) {
      Response response;
      response.body = body;
      respond(std::move(response));
    }
  }
  std::size_t heldCount() {
    std::lock_guard lock(mutex);
    return held.size();
  }
  std::size_t requests() {
    std::lock_guard lock(mutex);
    return bodies.size();
  }
  std::set<std::string> connections() {
    std::lock_guard lock(mutex);
    return {remotes.begin(), remotes.end()};
  }
  std::vector<std::string> received() {
    std::lock_guard lock(mutex);
    return bodies;
  }
};

std::string numbered(int i) { return "{\"n\": " + std::to_string(i) + "}"; }

/// A plain HttpServer on its own io thread and an HttpClient on an EventThread.
struct Harness {
  Harness(const char* name, HttpClient::Options options, bool hold = false,
          const ServerConfig& config = localConfig())
      : server(io.io, config, handler.handler()), thread(name), client(thread, options) {
    handler.hold = hold;
    server.start();
  }
  explicit Harness(const char* name, bool hold = false) : Harness(name, {}, hold) {}

  /// Posts numbered(id) as request `id`.
  void post(int id, std::chrono::milliseconds timeout = 3000ms) {
    client.post(clientFor(server.port(), timeout), numbered(id), results.callback(id));
  }

  IoThread io;
  TestHandler handler;
  HttpServer server;
  EventThread thread;
  ResultCollector results{&thread};  // before the client: its destructor still calls back
  HttpClient client;
};

}  // namespace

TEST_CASE("HttpClient: many posts share one keep-alive connection and keep their order",
          "[http][client]") {
  Harness h("client-test");
  constexpr int kCount = 300;
  for (int i = 0; i < kCount; ++i) {
    h.post(i);
  }
  REQUIRE(h.results.waitCount(kCount));
  CHECK(h.results.exactlyOnce(kCount));
  CHECK(h.results.offThread() == 0);
  CHECK(h.client.pending() == 0);
  for (int i = 0; i < kCount; ++i) {
    const auto result = h.results.result(i);
    INFO(result.error);
    REQUIRE(result.ok);
    REQUIRE(result.status == 200);
    REQUIRE(result.body == numbered(i));
  }
  CHECK(h.handler.connections().size() == 1);
  CHECK(h.server.activeConnections() == 1);
  const auto order = h.results.order();
  const auto received = h.handler.received();
  for (int i = 0; i < kCount; ++i) {
    REQUIRE(order[i] == i);
    REQUIRE(received[i] == numbered(i));
  }
}

TEST_CASE("HttpClient: connections_per_peer requests run in parallel, no more", "[http][client]") {
  HttpClient::Options options;
  options.connections_per_peer = 4;
  Harness h("client-par", options, true);
  for (int i = 0; i < 10; ++i) {
    h.post(i);
  }
  REQUIRE(waitFor([&] { return h.handler.heldCount() == 4; }));
  std::this_thread::sleep_for(50ms);
  CHECK(h.handler.heldCount() == 4);  // the other 6 wait in the client's queue
  CHECK(h.client.pending() == 10);
  CHECK(h.results.count() == 0);
  while (h.results.count() < 10) {
    h.handler.release();
    std::this_thread::sleep_for(10ms);
  }
  CHECK(h.results.exactlyOnce(10));
  for (int i = 0; i < 10; ++i) {
    REQUIRE(h.results.result(i).ok);
    REQUIRE(h.results.result(i).body == numbered(i));
  }
  CHECK(h.handler.max_held == 4);
  CHECK(h.handler.connections().size() == 4);
}

TEST_CASE("HttpClient: a connection the server closed when idle is re-opened", "[http][client]") {
  ServerConfig config = localConfig();
  config.idle_timeout = 100ms;
  Harness h("client-idle", {}, false, config);
  h.post(0);
  REQUIRE(h.results.waitCount(1));
  REQUIRE(h.results.result(0).ok);
  REQUIRE(waitFor([&] { return h.server.activeConnections() == 0; }));  // the server's idle close
  h.post(1);
  REQUIRE(h.results.waitCount(2));
  INFO(h.results.result(1).error);
  CHECK(h.results.result(1).ok);
  CHECK(h.handler.connections().size() == 2);
}

TEST_CASE("HttpClient: a request sent while the server's close is unnoticed is retried",
          "[http][client]") {
  ServerConfig config = localConfig();
  config.idle_timeout = 50ms;
  Harness h("client-retry", {}, false, config);
  auto first = h.results.callback(0);
  auto second = h.results.callback(1);
  h.client.post(clientFor(h.server.port()), numbered(0), [&](ClientResult result) {
    first(std::move(result));
    // Keeps the event thread from seeing the server's close, then posts on that connection.
    // (No REQUIRE here: Catch assertions belong to the test thread.)
    waitFor([&] { return h.server.activeConnections() == 0; });
    h.client.post(clientFor(h.server.port()), numbered(1), second);
  });
  REQUIRE(h.results.waitCount(2));
  INFO(h.results.result(1).error);
  CHECK(h.results.result(1).ok);
  CHECK(h.results.result(1).body == numbered(1));
  CHECK(h.handler.requests() == 2);
}

TEST_CASE("HttpClient: a stopped server gives a failure naming host, port and reason",
          "[http][client]") {
  Harness h("client-stop");
  const uint16_t port = h.server.port();
  h.post(0);
  REQUIRE(h.results.waitCount(1));
  REQUIRE(h.results.result(0).ok);
  h.server.stop();
  // Once the server has closed the idle connection (and the client had a moment to see it),
  // the requests need a new connection. A request sent in the very moment of the close could
  // instead fail with "read from ...: connection closed by the server".
  REQUIRE(waitFor([&] { return h.server.activeConnections() == 0; }));
  std::this_thread::sleep_for(50ms);
  for (int i = 1; i <= 5; ++i) {
    h.post(i);
  }
  REQUIRE(h.results.waitCount(6));
  CHECK(h.results.exactlyOnce(6));
  for (int i = 1; i <= 5; ++i) {
    const auto result = h.results.result(i);
    CHECK_FALSE(result.ok);
    CHECK_FALSE(result.tls_failed);
    CHECK(result.error == "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");
  }
  CHECK(h.client.pending() == 0);
  // The server comes back on the same port: the client connects again.
  ServerConfig again = localConfig();
  again.port = port;
  HttpServer restarted(h.io.io, again, h.handler.handler());
  restarted.start();
  h.post(6);
  REQUIRE(h.results.waitCount(7));
  CHECK(h.results.result(6).ok);
}

TEST_CASE("HttpClient: a silent server times out after the request's timeout", "[http][client]") {
  Harness h("client-timeout", true);
  const auto start = std::chrono::steady_clock::now();
  h.post(0, 300ms);
  REQUIRE(h.results.waitCount(1));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= 300ms);
  CHECK(elapsed < 2000ms);
  const auto result = h.results.result(0);
  CHECK_FALSE(result.ok);
  CHECK(result.error ==
        "read from 127.0.0.1:" + std::to_string(h.server.port()) + ": timed out after 300 ms");
  // The next request gets a new connection (the timed-out one is closed).
  h.handler.hold = false;
  h.post(1);
  REQUIRE(h.results.waitCount(2));
  CHECK(h.results.result(1).ok);
  CHECK(h.handler.connections().size() == 2);
  h.handler.release();
}

TEST_CASE("HttpClient: queued time does not count against the timeout", "[http][client]") {
  Harness h("client-queued", true);
  h.post(0, 2000ms);
  h.post(1, 300ms);
  REQUIRE(waitFor([&] { return h.handler.heldCount() == 1; }));
  std::this_thread::sleep_for(500ms);  // longer than the second request's timeout
  h.handler.release();
  REQUIRE(waitFor([&] { return h.handler.heldCount() == 1; }));
  h.handler.release();
  REQUIRE(h.results.waitCount(2));
  CHECK(h.results.result(0).ok);
  CHECK(h.results.result(1).ok);
}

TEST_CASE("HttpClient: beyond max_queue a request fails at once with 'queue full'",
          "[http][client]") {
  HttpClient::Options options;
  options.max_queue = 2;
  Harness h("client-queue", options, true);
  for (int i = 0; i < 4; ++i) {  // one in flight, two waiting, one too many
    h.post(i);
  }
  REQUIRE(h.results.waitCount(1));
  const auto full = h.results.result(3);
  CHECK_FALSE(full.ok);
  CHECK(full.error == "request to 127.0.0.1:" + std::to_string(h.server.port()) +
                          ": queue full (2 requests waiting)");
  CHECK(h.client.pending() == 3);
  while (h.results.count() < 4) {
    h.handler.release();
    std::this_thread::sleep_for(10ms);
  }
  CHECK(h.results.exactlyOnce(4));
  for (int i = 0; i < 3; ++i) {
    CHECK(h.results.result(i).ok);
  }
}

TEST_CASE("HttpClient: a request whose connection breaks after sending fails, not retried",
          "[http][client]") {
  // A bare TCP server that reads one request and closes without answering.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
  REQUIRE(::listen(listener, 8) == 0);
  socklen_t len = sizeof(sa);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&sa), &len);
  const uint16_t port = ntohs(sa.sin_port);
  std::atomic<int> accepted{0};
  std::thread server([&] {
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) {
      return;
    }
    ++accepted;
    std::string got;
    char buf[4096];
    while (got.find("\r\n\r\n{}") == std::string::npos) {
      const ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) {
        break;
      }
      got.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
  });
  EventThread thread("client-broken");
  HttpClient client(thread);
  ResultCollector results(&thread);
  client.post(clientFor(port), "{}", results.callback(0));
  REQUIRE(results.waitCount(1));
  server.join();
  ::close(listener);
  const auto result = results.result(0);
  CHECK_FALSE(result.ok);
  CHECK(result.error ==
        "read from 127.0.0.1:" + std::to_string(port) + ": connection closed by the server");
  CHECK(accepted == 1);
}

TEST_CASE("HttpClient: closeAll fails requests in flight; later posts use new connections",
          "[http][client]") {
  Harness h("client-closeall", true);
  h.post(0);
  h.post(1);
  REQUIRE(waitFor([&] { return h.handler.heldCount() == 1; }));
  h.client.closeAll();
  REQUIRE(h.results.waitCount(2));
  const std::string cancelled =
      "request to 127.0.0.1:" + std::to_string(h.server.port()) + ": cancelled: connections closed";
  CHECK(h.results.result(0).error == cancelled);
  CHECK(h.results.result(1).error == cancelled);
  h.handler.hold = false;
  h.post(2);
  REQUIRE(h.results.waitCount(3));
  CHECK(h.results.result(2).ok);
  CHECK(h.handler.connections().size() == 2);
  CHECK(h.results.exactlyOnce(3));
  h.handler.release();
}

TEST_CASE("HttpClient: destroying the client completes pending requests exactly once",
          "[http][client]") {
  IoThread io;
  TestHandler handler;
  handler.hold = true;
  HttpServer server(io.io, localConfig(), handler.handler());
  server.start();
  EventThread thread("client-dtor");
  ResultCollector results(&thread);

  SECTION("while the event thread runs") {
    auto client = std::make_unique<HttpClient>(thread);
    for (int i = 0; i < 5; ++i) {
      client->post(clientFor(server.port()), numbered(i), results.callback(i));
    }
    REQUIRE(waitFor([&] { return handler.heldCount() == 1; }));
    client.reset();
    CHECK(results.count() == 5);
    CHECK(results.offThread() == 0);  // closed on the event thread
  }
  SECTION("after the event thread stopped") {
    auto client = std::make_unique<HttpClient>(thread);
    for (int i = 0; i < 5; ++i) {
      client->post(clientFor(server.port()), numbered(i), results.callback(i));
    }
    REQUIRE(waitFor([&] { return handler.heldCount() == 1; }));
    thread.stop();
    client->post(clientFor(server.port()), numbered(5), results.callback(5));  // never sent
    client.reset();
    REQUIRE(results.count() == 6);
    CHECK(results.result(5).error ==
          "request to 127.0.0.1:" + std::to_string(server.port()) + ": client closed");
  }
  CHECK(results.exactlyOnce(static_cast<int>(results.count())));
  CHECK(results.result(0).error ==
        "request to 127.0.0.1:" + std::to_string(server.port()) + ": client closed");
  CHECK(results.result(4).error == results.result(0).error);
  handler.release();
}

TEST_CASE("HttpClient: a callback may destroy the client", "[http][client]") {
  IoThread io;
  TestHandler handler;
  HttpServer server(io.io, localConfig(), handler.handler());
  server.start();
  EventThread thread("client-selfdtor");
  auto client = std::make_unique<HttpClient>(thread);
  ResultCollector results(&thread);
  auto second = results.callback(1);
  std::atomic<bool> posted{false};
  client->post(clientFor(server.port()), numbered(0), [&](ClientResult result) {
    results.callback(0)(std::move(result));
    waitFor([&] { return posted.load(); });
    client.reset();
  });
  client->post(clientFor(server.port(), 2000ms), numbered(1), second);
  posted = true;
  REQUIRE(results.waitCount(2));
  CHECK(results.result(0).ok);
  CHECK(results.result(1).error.find("client closed") != std::string::npos);
}

TEST_CASE("HttpClient: posts from many threads, names resolved, bad settings refused",
          "[http][client]") {
  HttpClient::Options options;
  options.connections_per_peer = 2;
  Harness h("client-threads", options);
  std::vector<std::thread> posters;
  for (int t = 0; t < 4; ++t) {
    posters.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        ClientConfig config = clientFor(h.server.port());
        config.host = (i % 2 == 0) ? "127.0.0.1" : "localhost";  // two peers, one resolved
        h.client.post(config, numbered(t * 100 + i), h.results.callback(t * 100 + i));
      }
    });
  }
  for (auto& poster : posters) {
    poster.join();
  }
  REQUIRE(h.results.waitCount(400));
  CHECK(h.results.exactlyOnce(400));
  for (int i = 0; i < 400; ++i) {
    INFO(h.results.result(i).error);
    REQUIRE(h.results.result(i).ok);
    REQUIRE(h.results.result(i).body == numbered(i));
  }
  CHECK(h.handler.connections().size() <= 4);

  ClientConfig bad = clientFor(h.server.port());
  bad.path = "/\r\nX-Injected: 1";
  h.client.post(bad, "{}", h.results.callback(400));
  REQUIRE(h.results.waitCount(401));
  CHECK(h.results.result(400).error.find("invalid characters") != std::string::npos);
  CHECK(h.results.offThread() == 0);
}

TEST_CASE("HttpClient: a callback that throws does not stop the others", "[http][client]") {
  Harness h("client-throw");
  h.client.post(clientFor(h.server.port()), numbered(0),
                [](ClientResult) { throw std::runtime_error("callback failure for the test"); });
  h.post(1);
  h.post(2);
  REQUIRE(h.results.waitCount(2));
  CHECK(h.results.result(1).ok);
  CHECK(h.results.result(2).ok);
  CHECK(h.client.pending() == 0);
}
