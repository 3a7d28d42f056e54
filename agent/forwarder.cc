#include "forwarder.h"

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <memory>

namespace takahe::agent {

namespace asio = boost::asio;
using boost::system::error_code;
using Stream = asio::local::stream_protocol;

bool JsonCompleteness::feed(std::string_view bytes) {
  for (char c : bytes) {
    if (complete_) {
      break;
    }
    if (!started_) {
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        continue;
      }
      started_ = true;
      container_ = c == '{' || c == '[';
      if (container_) {
        depth_ = 1;
      }
      continue;
    }
    if (!container_) {
      continue;  // a scalar ends only with the input
    }
    if (in_string_) {
      if (escape_) {
        escape_ = false;
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        complete_ = true;
      }
    }
  }
  return complete_;
}

namespace {

/// One exchange with a daemon. Keeps itself alive through its pending handlers.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(asio::io_context& io, std::string path, std::string request, ForwardDone done,
           std::size_t max_answer)
      : socket_(io),
        timer_(io),
        path_(std::move(path)),
        request_(std::move(request)),
        done_(std::move(done)),
        max_answer_(max_answer) {}

  void start(std::chrono::milliseconds timeout) {
    auto self = shared_from_this();
    timer_.expires_after(timeout);
    timer_.async_wait([self, timeout](const error_code& ec) {
      if (!ec) {
        self->fail("no answer within " + std::to_string(timeout.count()) + " ms (" + self->phase_ +
                   ")");
      }
    });
    Stream::endpoint endpoint;
    try {
      endpoint = Stream::endpoint(path_);
    } catch (const std::exception& e) {
      // Only reached through a path longer than sun_path.
      asio::post(socket_.get_executor(),
                 [self, why = std::string(e.what())] { self->fail("bad socket path: " + why); });
      return;
    }
    socket_.async_connect(endpoint, [self](const error_code& ec) {
      if (ec) {
        self->fail("cannot connect to " + self->path_ + ": " + ec.message());
        return;
      }
      self->phase_ = "sending the command";
      self->write();
    });
  }

 private:
  void write() {
    auto self = shared_from_this();
    asio::async_write(socket_, asio::buffer(request_), [self](const error_code& ec, std::size_t) {
      if (ec) {
        self->fail("cannot send the command to " + self->path_ + ": " + ec.message());
        return;
      }
      self->phase_ = "waiting for the answer";
      self->read();
    });
  }

  void read() {
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(buffer_), [self](const error_code& ec, std::size_t n) {
      if (n > 0) {
        std::string_view chunk(self->buffer_.data(), n);
        self->answer_.append(chunk);
        if (self->answer_.size() > self->max_answer_) {
          self->fail("the answer is larger than " + std::to_string(self->max_answer_) + " bytes");
          return;
        }
        if (self->scan_.feed(chunk)) {
          self->complete();
          return;
        }
      }
      if (ec == asio::error::eof) {
        self->complete();
        return;
      }
      if (ec) {
        self->fail("cannot read the answer from " + self->path_ + ": " + ec.message());
        return;
      }
      self->read();
    });
  }

  void complete() {
    if (answer_.find_first_not_of(" \t\r\n") == std::string::npos) {
      fail("the connection was closed without an answer");
      return;
    }
    ForwardResult r;
    try {
      r.answer = cc::parseJson(answer_, "<answer>");
      r.ok = true;
    } catch (const std::exception& e) {
      fail(std::string("invalid answer: ") + e.what());
      return;
    }
    finish(std::move(r));
  }

  void fail(std::string why) {
    ForwardResult r;
    r.error = std::move(why);
    finish(std::move(r));
  }

  void finish(ForwardResult r) {
    if (finished_) {
      return;
    }
    finished_ = true;
    timer_.cancel();
    error_code ignored;
    socket_.close(ignored);
    ForwardDone done = std::move(done_);
    if (done) {
      done(std::move(r));
    }
  }

  Stream::socket socket_;
  asio::steady_timer timer_;
  std::string path_;
  std::string request_;
  ForwardDone done_;
  std::size_t max_answer_;
  std::string answer_;
  std::array<char, 16384> buffer_{};
  JsonCompleteness scan_;
  std::string phase_ = "connecting";
  bool finished_ = false;
};

}  // namespace

UnixForwarder::UnixForwarder(asio::io_context& io, std::chrono::milliseconds timeout,
                             std::size_t max_answer_bytes)
    : io_(io), timeout_(timeout), max_answer_bytes_(max_answer_bytes) {}

void UnixForwarder::forward(const std::string& socket_path, std::string request, ForwardDone done) {
  try {
    // `done` is copied, not moved: the catch below still needs it.
    auto exchange =
        std::make_shared<Exchange>(io_, socket_path, std::move(request), done, max_answer_bytes_);
    exchange->start(timeout_);
  } catch (const std::exception& e) {
    // Out of descriptors or memory: answer anyway, later, as promised.
    asio::post(io_, [done, why = std::string(e.what())] {
      ForwardResult r;
      r.error = why;
      if (done) {
        done(std::move(r));
      }
    });
  }
}

}  // namespace takahe::agent
