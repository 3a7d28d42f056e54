#pragma once

// Sends one command to a daemon's UNIX control socket and reads its answer, asynchronously on
// the agent's io_context (Kea's channel: one JSON command per connection, the daemon answers
// and closes). Boost.Asio stays in forwarder.cc.

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include "takahe/cc/value.h"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace takahe::agent {

struct ForwardResult {
  bool ok = false;
  cc::Value answer;   // the daemon's parsed answer when ok
  std::string error;  // why there is no answer when !ok ("cannot connect to /run/x.sock: ...")
};

using ForwardDone = std::function<void(ForwardResult)>;

class UnixForwarder {
 public:
  /// `timeout` bounds a whole exchange (connect, write, read); `max_answer_bytes` bounds the
  /// answer.
  UnixForwarder(boost::asio::io_context& io, std::chrono::milliseconds timeout,
                std::size_t max_answer_bytes = 64 * 1024 * 1024);

  void setTimeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }
  std::chrono::milliseconds timeout() const { return timeout_; }

  /// Connects to `socket_path`, writes `request`, reads until the answer is one complete JSON
  /// value or the daemon closes, and calls `done` once, on the io_context thread and never from
  /// inside forward() itself. Must be called on the io_context thread. Never throws.
  void forward(const std::string& socket_path, std::string request, ForwardDone done);

 private:
  boost::asio::io_context& io_;
  std::chrono::milliseconds timeout_;
  std::size_t max_answer_bytes_;
};

/// Incremental check whether bytes form one complete JSON container: the first non-blank byte
/// opens `{` or `[`, and the value is complete when the bracket depth, counted outside strings
/// (with `\` escapes), returns to 0. Scalars are complete only at end of input.
class JsonCompleteness {
 public:
  /// Feeds more bytes; returns true once the value is complete.
  bool feed(std::string_view bytes);
  bool complete() const { return complete_; }

 private:
  bool started_ = false;
  bool container_ = false;
  bool in_string_ = false;
  bool escape_ = false;
  bool complete_ = false;
  std::size_t depth_ = 0;
};

}  // namespace takahe::agent
