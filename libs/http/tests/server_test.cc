// HttpServer and post() over real sockets on 127.0.0.1: the server runs on an io_context in a
// background thread; clients are post() or a raw TCP client that shows the exact bytes.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <future>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "takahe/http/http.h"
#include "takahe/util/error.h"
#include "test_util.h"

using namespace std::chrono_literals;
using namespace takahe::http;
using namespace takahe::http::test;

namespace {

/// Answers with the request body and records what it saw.
struct EchoHandler {
  std::mutex mutex;
  std::vector<Request> seen;

  Handler handler() {
    return [this](const Request& request, Respond respond) {
      {
        std::lock_guard lock(mutex);
        seen.push_back(request);
      }
      Response response;
      response.body = request.body;
      respond(std::move(response));
    };
  }
  size_t count() {
    std::lock_guard lock(mutex);
    return seen.size();
  }
  Request at(size_t i) {
    std::lock_guard lock(mutex);
    return seen.at(i);
  }
};

}  // namespace

TEST_CASE("a POSTed JSON body reaches the handler and its answer comes back", "[http]") {
  IoThread io;
  EchoHandler echo;
  ServerConfig config = localConfig();
  config.headers = {{"X-Takahe-Test", "yes"}};
  HttpServer server(io.io, config, echo.handler());
  server.start();
  REQUIRE(server.port() != 0);

  ClientConfig client = clientFor(server.port());
  client.path = "/control";
  const auto result = post(client, R"({"command": "status-get"})");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(result.status == 200);
  CHECK(result.body == R"({"command": "status-get"})");

  REQUIRE(echo.count() == 1);
  const Request seen = echo.at(0);
  CHECK(seen.method == "POST");
  CHECK(seen.target == "/control");
  CHECK(seen.content_type == "application/json");
  CHECK(seen.remote.rfind("127.0.0.1:", 0) == 0);
  CHECK(seen.user.empty());
  CHECK(seen.tls_subject.empty());

  // The exact response headers, seen by a raw client.
  RawClient raw(server.port());
  raw.send(jsonPost("{}"));
  const auto res = raw.readResponse();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->header("content-type") == "application/json");
  CHECK(res->header("content-length") == "2");
  CHECK(res->header("server") == "takahe");
  CHECK(res->header("x-takahe-test") == "yes");
  CHECK(res->body == "{}");
}

TEST_CASE("keep-alive: sequential and pipelined requests share one connection", "[http]") {
  IoThread io;
  EchoHandler echo;
  HttpServer server(io.io, localConfig(), echo.handler());
  server.start();

  RawClient raw(server.port());
  raw.send(jsonPost(R"({"n": 1})"));
  auto first = raw.readResponse();
  REQUIRE(first);
  CHECK(first->body == R"({"n": 1})");
  CHECK(first->header("connection") != "close");

  raw.send(jsonPost(R"({"n": 2})"));
  auto second = raw.readResponse();
  REQUIRE(second);
  CHECK(second->body == R"({"n": 2})");

  // Two requests in one write: answered in order.
  raw.send(jsonPost(R"({"n": 3})") + jsonPost(R"({"n": 4})"));
  auto third = raw.readResponse();
  auto fourth = raw.readResponse();
  REQUIRE(third);
  REQUIRE(fourth);
  CHECK(third->body == R"({"n": 3})");
  CHECK(fourth->body == R"({"n": 4})");

  REQUIRE(echo.count() == 4);
  const std::string remote = "127.0.0.1:" + std::to_string(raw.localPort());
  for (size_t i = 0; i < 4; ++i) {
    CHECK(echo.at(i).remote == remote);
  }
  CHECK(server.activeConnections() == 1);

  // "Connection: close" is honoured: answer, then the server closes.
  raw.send(jsonPost("{}", "Connection: close\r\n"));
  auto last = raw.readResponse();
  REQUIRE(last);
  CHECK(last->header("connection") == "close");
  CHECK(raw.waitClosed());
}

TEST_CASE("an answer given later from another thread is delivered", "[http]") {
  IoThread io;
  std::mutex mutex;
  std::vector<std::thread> workers;
  HttpServer server(io.io, localConfig(), [&](const Request& request, Respond respond) {
    std::lock_guard lock(mutex);
    workers.emplace_back([respond = std::move(respond), body = request.body] {
      std::this_thread::sleep_for(50ms);
      Response response;
      response.body = R"({"deferred": )" + body + "}";
      respond(std::move(response));
    });
  });
  server.start();

  const auto start = std::chrono::steady_clock::now();
  const auto result = post(clientFor(server.port()), "7");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  {
    std::lock_guard lock(mutex);
    for (auto& t : workers) {
      t.join();
    }
  }
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(result.status == 200);
  CHECK(result.body == R"({"deferred": 7})");
  CHECK(elapsed >= 50ms);
}

TEST_CASE("a handler that never answers or throws gives 500, not a hung client", "[http]") {
  IoThread io;
  HttpServer server(io.io, localConfig(), [](const Request& request, Respond) {
    if (request.body == "\"throw\"") {
      throw std::runtime_error("boom");
    }
    // Drops `respond` without calling it.
  });
  server.start();
  auto dropped = post(clientFor(server.port()), "\"drop\"");
  REQUIRE(dropped.ok);
  CHECK(dropped.status == 500);
  CHECK(dropped.body.find("\"result\":500") != std::string::npos);
  auto thrown = post(clientFor(server.port()), "\"throw\"");
  REQUIRE(thrown.ok);
  CHECK(thrown.status == 500);
  CHECK(thrown.body.find("boom") != std::string::npos);
}

TEST_CASE("a malformed request line is answered 400 with a JSON body", "[http]") {
  IoThread io;
  EchoHandler echo;
  HttpServer server(io.io, localConfig(), echo.handler());
  server.start();

  RawClient raw(server.port());
  raw.send("THIS IS NOT HTTP\r\n\r\n");
  auto res = raw.readResponse();
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(res->header("content-type") == "application/json");
  CHECK(res->body.rfind(R"({"result":400,"text":")", 0) == 0);
  CHECK(raw.waitClosed());
  CHECK(echo.count() == 0);
}

TEST_CASE("a body that is not application/json is refused with 400", "[http]") {
  IoThread io;
  EchoHandler echo;
  HttpServer server(io.io, localConfig(), echo.handler());
  server.start();

  RawClient raw(server.port());
  raw.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\n{}");
  auto res = raw.readResponse();
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(res->body == R"({"result":400,"text":"Content-Type must be application/json"})");
  CHECK(echo.count() == 0);

  // The connection stays usable, and parameters after the media type are allowed.
  raw.send(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: Application/JSON; charset=utf-8\r\n"
      "Content-Length: 2\r\n\r\n{}");
  res = raw.readResponse();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(echo.count() == 1);

  // No Content-Type at all.
  raw.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  res = raw.readResponse();
  REQUIRE(res);
  CHECK(res->status == 400);
}

TEST_CASE("a method other than POST is answered 405", "[http]") {
  IoThread io;
  EchoHandler echo;
  HttpServer server(io.io, localConfig(), echo.handler());
  server.start();

  RawClient raw(server.port());
  raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  auto res = raw.readResponse();
  REQUIRE(res);
  CHECK(res->status == 405);
  CHECK(res->header("allow") == "POST");
  CHECK(res->body == R"({"result":405,"text":"Method Not Allowed"})");
  CHECK(echo.count() == 0);
}

TEST_CASE("a body over the limit is answered 413 and never reaches the handler", "[http]") {
  IoThread io;
  EchoHandler echo;
  ServerConfig config = localConfig();
  config.max_body_bytes = 16;
  HttpServer server(io.io, config, echo.handler());
  server.start();

  const auto small = post(clientFor(server.port()), R"({"a": 1})");
  REQUIRE(small.ok);
  CHECK(small.status == 200);

  const auto big = post(clientFor(server.port()), "[" + std::string(20000, ' ') + "]");
  INFO(big.error);
  REQUIRE(big.ok);
  CHECK(big.status == 413);
  CHECK(big.body.find("\"result\":413") != std::string::npos);
  CHECK(echo.count() == 1);

  // Chunked bodies are counted too.
  RawClient raw(server.port());
  raw.send(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n10\r\n0123456789abcdef\r\n"
      "0\r\n\r\n");
  auto res = raw.readResponse();
  REQUIRE(res);
  CHECK(res->status == 413);
  CHECK(echo.count() == 1);
}

TEST_CASE("basic auth: 401 with WWW-Authenticate, then 200 with the right credentials", "[http]") {
  IoThread io;
  EchoHandler echo;
  ServerConfig config = localConfig();
  config.auth.realm = "takahe-test";
  config.auth.clients = {{"admin", "s3cret"}, {"ops", "other"}};
  HttpServer server(io.io, config, echo.handler());
  server.start();

  RawClient raw(server.port());
  raw.send(jsonPost("{}"));
  auto res = raw.readResponse();
  REQUIRE(res);
  CHECK(res->status == 401);
  CHECK(res->header("www-authenticate") == R"(Basic realm="takahe-test")");
  CHECK(res->body == R"({"result":401,"text":"Unauthorized"})");

  ClientConfig client = clientFor(server.port());
  auto none = post(client, "{}");
  REQUIRE(none.ok);
  CHECK(none.status == 401);

  client.auth = BasicAuthClient{"admin", "wrong"};
  auto wrong = post(client, "{}");
  REQUIRE(wrong.ok);
  CHECK(wrong.status == 401);

  client.auth = BasicAuthClient{"ops", "s3cret"};  // another user's password
  CHECK(post(client, "{}").status == 401);
  CHECK(echo.count() == 0);

  client.auth = BasicAuthClient{"admin", "s3cret"};
  auto right = post(client, R"({"ok": true})");
  REQUIRE(right.ok);
  CHECK(right.status == 200);
  CHECK(right.body == R"({"ok": true})");
  REQUIRE(echo.count() == 1);
  CHECK(echo.at(0).user == "admin");
}

TEST_CASE("100 concurrent clients are all answered", "[http]") {
  IoThread io;
  EchoHandler echo;
  HttpServer server(io.io, localConfig(), echo.handler());
  server.start();

  constexpr int kClients = 100;
  std::vector<ClientResult> results(kClients);
  std::vector<std::thread> threads;
  for (int i = 0; i < kClients; ++i) {
    threads.emplace_back([&, i] {
      results[i] = post(clientFor(server.port()), "{\"client\": " + std::to_string(i) + "}");
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  int good = 0;
  for (int i = 0; i < kClients; ++i) {
    INFO(i << ": " << results[i].error);
    CHECK(results[i].ok);
    CHECK(results[i].status == 200);
    if (results[i].body == "{\"client\": " + std::to_string(i) + "}") {
      ++good;
    }
  }
  CHECK(good == kClients);
  CHECK(echo.count() == kClients);
  CHECK(waitFor([&] { return server.activeConnections() == 0; }));
}

TEST_CASE("a silent connection is closed after the idle timeout", "[http]") {
  IoThread io;
  EchoHandler echo;
  ServerConfig config = localConfig();
  config.idle_timeout = 200ms;
  HttpServer server(io.io, config, echo.handler());
  server.start();

  RawClient raw(server.port());
  REQUIRE(waitFor([&] { return server.activeConnections() == 1; }));
  const auto start = std::chrono::steady_clock::now();
  CHECK(raw.waitClosed(3000ms));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed >= 150ms);
  CHECK(elapsed < 2000ms);
  CHECK(waitFor([&] { return server.activeConnections() == 0; }));
}

TEST_CASE("connections beyond max_connections are closed at once", "[http]") {
  IoThread io;
  EchoHandler echo;
  ServerConfig config = localConfig();
  config.max_connections = 2;
  HttpServer server(io.io, config, echo.handler());
  server.start();

  RawClient a(server.port());
  RawClient b(server.port());
  REQUIRE(waitFor([&] { return server.activeConnections() == 2; }));
  RawClient c(server.port());
  CHECK(c.waitClosed(2000ms));
  // The admitted ones still work.
  a.send(jsonPost("{}"));
  auto res = a.readResponse();
  REQUIRE(res);
  CHECK(res->status == 200);
}

TEST_CASE("Expect: 100-continue gets an interim answer before the body is sent", "[http]") {
  IoThread io;
  EchoHandler echo;
  HttpServer server(io.io, localConfig(), echo.handler());
  server.start();

  RawClient raw(server.port());
  raw.send(
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 4\r\nExpect: 100-continue\r\n\r\n");
  auto interim = raw.readResponse();
  REQUIRE(interim);
  CHECK(interim->status == 100);
  raw.send("[42]");
  auto res = raw.readResponse();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == "[42]");
}

TEST_CASE("stop() closes the listener and open connections", "[http]") {
  IoThread io;
  EchoHandler echo;
  HttpServer server(io.io, localConfig(), echo.handler());
  server.start();
  const uint16_t port = server.port();
  RawClient raw(port);
  REQUIRE(waitFor([&] { return server.activeConnections() == 1; }));
  server.stop();
  CHECK(raw.waitClosed(2000ms));
  const auto refused = post(clientFor(port), "{}");
  CHECK_FALSE(refused.ok);
}

TEST_CASE("stop() while a request is with the handler still delivers its answer", "[http]") {
  IoThread io;
  HttpServer* self = nullptr;
  HttpServer server(io.io, localConfig(), [&](const Request&, Respond respond) {
    self->stop();  // e.g. a shutdown command: stop listening, then answer
    Response response;
    response.body = R"({"result": 0, "text": "Shutting down."})";
    respond(std::move(response));
  });
  self = &server;
  server.start();

  RawClient raw(server.port());
  raw.send(jsonPost("{}"));
  auto res = raw.readResponse();
  REQUIRE(res);
  CHECK(res->status == 200);
  CHECK(res->body == R"({"result": 0, "text": "Shutting down."})");
  CHECK(res->header("connection") == "close");
  CHECK(raw.waitClosed(2000ms));
  CHECK(waitFor([&] { return server.activeConnections() == 0; }));
}

TEST_CASE("start() on a port in use names the address, port and reason", "[http]") {
  IoThread io;
  EchoHandler echo;
  HttpServer first(io.io, localConfig(), echo.handler());
  first.start();
  ServerConfig config = localConfig();
  config.port = first.port();
  HttpServer second(io.io, config, echo.handler());
  try {
    second.start();
    FAIL("start() should have thrown");
  } catch (const takahe::Error& e) {
    const std::string what = e.what();
    CHECK(what.find("127.0.0.1:" + std::to_string(first.port())) != std::string::npos);
    CHECK(what.find("in use") != std::string::npos);
  }
  ServerConfig bad = localConfig();
  bad.address = "not-an-address";
  HttpServer third(io.io, bad, echo.handler());
  CHECK_THROWS_WITH(third.start(), Catch::Contains("not-an-address"));
}

TEST_CASE("post() reports transport errors with host:port and the reason", "[http]") {
  uint16_t port = 0;
  {
    IoThread io;
    EchoHandler echo;
    HttpServer server(io.io, localConfig(), echo.handler());
    server.start();
    port = server.port();
  }
  const auto refused = post(clientFor(port), "{}");
  CHECK_FALSE(refused.ok);
  CHECK(refused.error == "connect to 127.0.0.1:" + std::to_string(port) + ": Connection refused");

  // A server that accepts but answers only after the client gave up: the timeout ends the wait.
  IoThread io;
  std::promise<void> release;
  std::mutex mutex;
  std::thread worker;
  HttpServer silent(io.io, localConfig(), [&](const Request&, Respond respond) {
    std::lock_guard lock(mutex);
    worker = std::thread([respond = std::move(respond), done = release.get_future()]() mutable {
      done.wait_for(3000ms);
      respond(Response{});
    });
  });
  silent.start();
  ClientConfig client = clientFor(silent.port());
  client.timeout = 200ms;
  const auto start = std::chrono::steady_clock::now();
  const auto late = post(client, "{}");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  release.set_value();
  REQUIRE(waitFor([&] {
    std::lock_guard lock(mutex);
    return worker.joinable();
  }));
  worker.join();
  CHECK(elapsed < 1000ms);
  CHECK_FALSE(late.ok);
  CHECK(late.error.find("read from 127.0.0.1:") != std::string::npos);
  CHECK(late.error.find("timed out after 200 ms") != std::string::npos);
}
