#pragma once

// Helpers of the http tests: an io_context on a background thread, temporary directories and a
// raw blocking HTTP/1.1 client over a plain TCP socket (to see exactly what the server sends).

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "takahe/http/client.h"
#include "test_support.h"

namespace takahe::http::test {

using takahe::testing::IoThread;
using takahe::testing::TempDir;

inline std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Waits (bounded) until `pred` holds; returns its last value.
template <typename Pred>
bool waitFor(Pred pred, std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    if (std::chrono::steady_clock::now() > end) {
      return pred();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

struct RawResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) {
        return value;
      }
    }
    return "";
  }
  bool hasHeader(const std::string& lower_name) const {
    for (const auto& h : headers) {
      if (h.first == lower_name) {
        return true;
      }
    }
    return false;
  }
};

/// A blocking TCP client on 127.0.0.1 that speaks HTTP by hand.
class RawClient {
 public:
  explicit RawClient(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) == 0);
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  /// The local port of the connection (what the server sees as the peer's port).
  uint16_t localPort() const {
    sockaddr_in sa{};
    socklen_t len = sizeof(sa);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    return ntohs(sa.sin_port);
  }

  void send(const std::string& data) {
    size_t off = 0;
    while (off < data.size()) {
      const ssize_t n = ::send(fd_, data.data() + off, data.size() - off, MSG_NOSIGNAL);
      REQUIRE(n > 0);
      off += static_cast<size_t>(n);
    }
  }

  /// Reads one complete response (Content-Length framed); nullopt on EOF or timeout first.
  std::optional<RawResponse> readResponse(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    size_t head_end;
    while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill(end)) {
        return std::nullopt;
      }
    }
    RawResponse res;
    std::istringstream head(buffer_.substr(0, head_end));
    std::string line;
    std::getline(head, line);
    if (line.rfind("HTTP/1.", 0) != 0 || line.size() < 12) {
      return std::nullopt;
    }
    res.status = static_cast<unsigned>(std::stoul(line.substr(9, 3)));
    while (std::getline(head, line)) {
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      const auto colon = line.find(':');
      if (colon == std::string::npos) {
        continue;
      }
      std::string name = line.substr(0, colon);
      for (auto& c : name) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      std::string value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') {
        value.erase(0, 1);
      }
      res.headers.emplace_back(name, value);
    }
    const std::string cl = res.header("content-length");
    const size_t length = cl.empty() ? 0 : std::stoul(cl);
    while (buffer_.size() < head_end + 4 + length) {
      if (!fill(end)) {
        return std::nullopt;
      }
    }
    res.body = buffer_.substr(head_end + 4, length);
    buffer_.erase(0, head_end + 4 + length);
    return res;
  }

  /// Whether the server closes the connection (EOF or reset) within `timeout`, reading and
  /// discarding anything before that.
  bool waitClosed(std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
    const auto end = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < end) {
      if (!fill(end)) {
        return closed_;
      }
    }
    return false;
  }

 private:
  /// Reads more into buffer_; false on EOF, error or deadline.
  bool fill(std::chrono::steady_clock::time_point end) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        end - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return false;
    }
    pollfd pfd{fd_, POLLIN, 0};
    if (::poll(&pfd, 1, static_cast<int>(left.count())) <= 0) {
      return false;
    }
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      closed_ = true;
      return false;
    }
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string buffer_;
  bool closed_ = false;
};

/// An HttpServer on 127.0.0.1 and any free port.
inline ServerConfig localConfig() {
  ServerConfig config;
  config.address = "127.0.0.1";
  config.port = 0;
  return config;
}

/// A client of 127.0.0.1:port.
inline ClientConfig clientFor(uint16_t port,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(3000)) {
  ClientConfig config;
  config.host = "127.0.0.1";
  config.port = port;
  config.timeout = timeout;
  return config;
}

/// Collects HttpClient completions: results by request id, in completion order, how often each
/// callback ran and whether it ran on the client's event thread.
class ResultCollector {
 public:
  explicit ResultCollector(EventThread* thread = nullptr) : thread_(thread) {}

  HttpClient::Callback callback(int id) {
    return [this, id](ClientResult result) {
      const bool on_thread = thread_ == nullptr || thread_->onThread();
      std::lock_guard lock(mutex_);
      ++calls_[id];
      off_thread_ += on_thread ? 0 : 1;
      order_.push_back(id);
      results_[id] = std::move(result);
      cv_.notify_all();
    };
  }
  /// Waits (bounded) until `n` callbacks ran.
  bool waitCount(std::size_t n, std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, limit, [&] { return order_.size() >= n; });
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return order_.size();
  }
  ClientResult result(int id) {
    std::lock_guard lock(mutex_);
    return results_.at(id);
  }
  std::vector<int> order() {
    std::lock_guard lock(mutex_);
    return order_;
  }
  /// Every id in [0, n) completed exactly once.
  bool exactlyOnce(int n) {
    std::lock_guard lock(mutex_);
    if (calls_.size() != static_cast<std::size_t>(n)) {
      return false;
    }
    for (int i = 0; i < n; ++i) {
      auto it = calls_.find(i);
      if (it == calls_.end() || it->second != 1) {
        return false;
      }
    }
    return true;
  }
  /// Callbacks that ran off the event thread.
  int offThread() {
    std::lock_guard lock(mutex_);
    return off_thread_;
  }

 private:
  EventThread* thread_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::map<int, int> calls_;
  std::map<int, ClientResult> results_;
  std::vector<int> order_;
  int off_thread_ = 0;
};

/// A minimal well-formed JSON POST.
inline std::string jsonPost(const std::string& body, const std::string& extra_headers = "") {
  return "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
         "Content-Length: " +
         std::to_string(body.size()) + "\r\n" + extra_headers + "\r\n" + body;
}

}  // namespace takahe::http::test
