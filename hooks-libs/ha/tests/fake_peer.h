#pragma once

// Test doubles shared by the ha_link tests: a fake HA peer (a real http::HttpServer on
// 127.0.0.1 that records the commands it receives and answers as Kea's control agent does),
// HA configurations pointing at it, and log capture. The code under test is always the real one.

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/ha_config.h"
#include "takahe/cc/command.h"
#include "takahe/cc/value.h"
#include "takahe/http/event_thread.h"
#include "takahe/http/http.h"
#include "takahe/log/config.h"
#include "test_support.h"

namespace takahe::hooks::ha::test {

using namespace std::chrono_literals;

/// Waits (bounded) until `pred` holds; returns its last value.
template <typename Pred>
bool waitFor(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) {
      return pred();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

/// Logs of the "takahe-dhcp4" root (so of "ha-hooks") go to a file while the object lives.
struct LogCapture {
  takahe::testing::TempDir dir;
  std::string path = dir.file("ha.log");

  explicit LogCapture(log::Severity severity = log::Severity::kInfo) {
    log::initLogging("takahe-dhcp4", "kea-dhcp4");
    log::LoggerSpec spec;
    spec.name = "takahe-dhcp4";
    spec.severity = severity;
    log::OutputOption out;
    out.output = path;
    spec.outputs.push_back(out);
    log::configure({spec});
  }
  ~LogCapture() { quiet(); }

  std::string text() const {
    std::ifstream in(path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  /// Lines that contain `needle`.
  std::vector<std::string> lines(const std::string& needle) const {
    std::vector<std::string> out;
    std::istringstream in(text());
    std::string line;
    while (std::getline(in, line)) {
      if (line.find(needle) != std::string::npos) {
        out.push_back(line);
      }
    }
    return out;
  }

  /// Only fatal messages, to stderr (the failures tests provoke stay out of the output).
  static void quiet() {
    log::initLogging("takahe-dhcp4", "kea-dhcp4");
    log::LoggerSpec spec;
    spec.name = "takahe-dhcp4";
    spec.severity = log::Severity::kFatal;
    log::OutputOption out;
    out.output = "stderr";
    spec.outputs.push_back(out);
    log::configure({spec});
  }
};

/// A command as the fake peer received it.
struct Received {
  std::string body;  ///< exactly as sent
  std::string command;
  std::vector<std::string> services;
  std::optional<cc::Value> arguments;
  std::string user;  ///< basic-auth user, "" when none
};

/// How the fake peer answers one command.
struct Reply {
  unsigned status = 200;
  std::string body;
  std::chrono::milliseconds delay{0};  ///< answer this much later
};

/// Kea's answer through its control agent: [ {"result", "text"[, "arguments"]} ] (or the bare
/// map when `list` is false).
inline Reply keaAnswer(int result, const std::string& text,
                       std::optional<cc::Value> arguments = std::nullopt, bool list = true) {
  cc::Value a = cc::makeAnswer(static_cast<cc::ResultCode>(result), text, std::move(arguments));
  Reply r;
  r.body = list ? cc::Value(cc::List{a}).toJson() : a.toJson();
  return r;
}

/// A fake HA peer on 127.0.0.1 (any free port), on its own event thread.
class FakePeer {
 public:
  using Answerer = std::function<Reply(const Received&)>;

  explicit FakePeer(http::ServerConfig config = {}) : thread_("fake-peer") {
    static const bool quiet = [] {
      LogCapture::quiet();  // tests that look at logs capture them
      return true;
    }();
    (void)quiet;
    config.address = "127.0.0.1";
    config.port = 0;
    answerer_ = [](const Received&) { return keaAnswer(0, "ok"); };
    server_ = std::make_unique<http::HttpServer>(
        thread_.io(), config,
        [this](const http::Request& req, http::Respond respond) { handle(req, std::move(respond)); });
    server_->start();
    port_ = server_->port();
  }
  ~FakePeer() {
    server_->stop();
    thread_.stop();
    timers_.clear();
  }

  void answer(Answerer a) {
    std::lock_guard lock(mu_);
    answerer_ = std::move(a);
  }
  uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }
  std::vector<Received> received() const {
    std::lock_guard lock(mu_);
    return received_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return received_.size();
  }
  /// list-commands is answered by the fake itself (not recorded, not given to the answerer):
  /// like Kea 2.2 (no lease4-bulk-apply) unless `takes_bulk`, like Takahe.
  void takeBulkApply(bool takes_bulk) { takes_bulk_ = takes_bulk; }
  size_t listCommandsAsked() const { return list_commands_; }
  std::vector<std::string> commands() const {
    std::vector<std::string> out;
    for (const auto& r : received()) {
      out.push_back(r.command);
    }
    return out;
  }

 private:
  void handle(const http::Request& req, http::Respond respond) {
    Received r;
    r.body = req.body;
    r.user = req.user;
    try {
      cc::Command c = cc::parseCommand(cc::parseJson(req.body));
      r.command = c.name;
      r.services = c.services;
      r.arguments = c.arguments;
    } catch (const std::exception& e) {
      r.command = std::string("<bad: ") + e.what() + ">";
    }
    Reply reply;
    if (r.command == "list-commands") {
      ++list_commands_;
      cc::List names;
      for (const char* n : {"ha-heartbeat", "lease4-del", "lease4-get-page", "lease4-update",
                            "list-commands"}) {
        names.emplace_back(n);
      }
      if (takes_bulk_) {
        names.emplace_back("lease4-bulk-apply");
      }
      reply = keaAnswer(0, "", cc::Value(std::move(names)));
    } else {
      Answerer answerer;
      {
        std::lock_guard lock(mu_);
        received_.push_back(r);
        answerer = answerer_;
      }
      reply = answerer(r);
    }
    http::Response resp;
    resp.status = reply.status;
    resp.body = reply.body;
    if (reply.delay.count() > 0) {
      auto timer = std::make_unique<http::Timer>(thread_);
      timer->schedule(reply.delay, [respond = std::move(respond), resp = std::move(resp)] {
        respond(resp);
      });
      std::lock_guard lock(mu_);
      timers_.push_back(std::move(timer));
      return;
    }
    respond(std::move(resp));
  }

  http::EventThread thread_;
  std::unique_ptr<http::HttpServer> server_;
  uint16_t port_ = 0;
  mutable std::mutex mu_;
  Answerer answerer_;
  std::vector<Received> received_;
  std::vector<std::unique_ptr<http::Timer>> timers_;
  std::atomic<bool> takes_bulk_{false};
  std::atomic<size_t> list_commands_{0};
};

/// A peer entry as parseHaConfig fills it, for an http URL on 127.0.0.1.
inline PeerConfig peerAt(const std::string& name, PeerRole role, uint16_t port) {
  PeerConfig p;
  p.name = name;
  p.role = role;
  p.host = "127.0.0.1";
  p.port = port;
  p.path = "/";
  p.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  return p;
}

/// A closed port on 127.0.0.1 (bound, then released).
inline uint16_t closedPort() {
  http::EventThread t("closed-port");
  uint16_t port = 0;
  {
    http::ServerConfig sc;
    sc.address = "127.0.0.1";
    sc.port = 0;
    http::HttpServer s(t.io(), sc, {});
    s.start();
    port = s.port();
    s.stop();
  }
  t.stop();
  return port;
}

/// A relationship where this server is "server1" (the primary) and the others are as given.
inline HaConfig configWith(HaMode mode, std::vector<PeerConfig> others) {
  HaConfig c;
  c.this_server_name = "server1";
  c.mode = mode;
  c.peers.push_back(peerAt("server1", PeerRole::kPrimary, 1));
  for (auto& p : others) {
    c.peers.push_back(std::move(p));
  }
  return c;
}

}  // namespace takahe::hooks::ha::test
