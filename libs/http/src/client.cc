// post(): one blocking request on a private io_context. Every step runs asynchronously under one
// deadline (the configured timeout), so a silent server cannot block the caller longer.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>
#include <type_traits>

#include "internal.h"
#include "takahe/http/http.h"

namespace takahe::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

/// Answers larger than this are refused (the control channel's answers are far smaller).
constexpr uint64_t kMaxResponseBody = 512ull * 1024 * 1024;

bool isIpv6Literal(const std::string& host) {
  ErrorCode ec;
  const auto addr = asio::ip::make_address(host, ec);
  return !ec && addr.is_v6();
}

/// One request/response exchange over a plain or TLS stream.
template <typename Stream>
class Exchange {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  Exchange(asio::io_context& io, Stream& stream, const ClientConfig& config, std::string request)
      : io_(io),
        stream_(stream),
        config_(config),
        request_(std::move(request)),
        resolver_(io),
        resolve_timer_(io),
        deadline_(Clock::now() + config.timeout) {
    const std::string host = isIpv6Literal(config.host) ? "[" + config.host + "]" : config.host;
    where_ = host + ":" + std::to_string(config.port);
  }

  ClientResult run() {
    resolve_timer_.expires_at(deadline_);
    resolve_timer_.async_wait([this](const ErrorCode& ec) {
      if (!ec && !resolved_) {
        resolve_timed_out_ = true;
        resolver_.cancel();
      }
    });
    resolver_.async_resolve(config_.host, std::to_string(config_.port),
                            [this](const ErrorCode& ec, tcp::resolver::results_type results) {
                              onResolve(ec, std::move(results));
                            });
    io_.run();
    return result_;
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void fail(const std::string& step, const ErrorCode& ec) {
    std::string reason;
    if (ec == beast::error::timeout) {
      reason = "timed out after " + std::to_string(config_.timeout.count()) + " ms";
    } else if (ec.category() == asio::error::get_ssl_category()) {
      SSL* ssl = nullptr;
      if constexpr (kTls) {
        ssl = stream_.native_handle();
      }
      reason = detail::tlsReason(static_cast<unsigned long>(ec.value()), ssl);
    } else {
      reason = ec.message();
    }
    result_.ok = false;
    result_.error = step + " " + where_ + ": " + reason;
    ErrorCode ignored;
    lowest().socket().close(ignored);
  }

  void onResolve(const ErrorCode& ec, tcp::resolver::results_type results) {
    resolved_ = true;
    resolve_timer_.cancel();
    if (resolve_timed_out_) {
      result_.error = "resolve " + where_ + ": timed out after " +
                      std::to_string(config_.timeout.count()) + " ms";
      return;
    }
    if (ec) {
      fail("resolve", ec);
      return;
    }
    lowest().expires_at(deadline_);
    lowest().async_connect(results,
                           [this](const ErrorCode& cec, const tcp::endpoint&) { onConnect(cec); });
  }

  void onConnect(const ErrorCode& ec) {
    if (ec) {
      fail("connect to", ec);
      return;
    }
    if constexpr (kTls) {
      std::string error;
      if (!detail::setClientPeerName(stream_.native_handle(), config_.host, error)) {
        result_.error = "TLS handshake with " + where_ + ": " + error;
        return;
      }
      lowest().expires_at(deadline_);
      stream_.async_handshake(asio::ssl::stream_base::client, [this](const ErrorCode& hec) {
        if (hec) {
          fail("TLS handshake with", hec);
        } else {
          send();
        }
      });
    } else {
      send();
    }
  }

  void send() {
    lowest().expires_at(deadline_);
    asio::async_write(stream_, asio::buffer(request_), [this](const ErrorCode& ec, size_t) {
      if (ec) {
        fail("send to", ec);
        return;
      }
      parser_.emplace();
      parser_->body_limit(kMaxResponseBody);
      lowest().expires_at(deadline_);
      bhttp::async_read(stream_, buffer_, *parser_,
                        [this](const ErrorCode& rec, size_t) { onRead(rec); });
    });
  }

  void onRead(const ErrorCode& ec) {
    if (ec) {
      fail("read from", ec);
      return;
    }
    const auto& res = parser_->get();
    result_.ok = true;
    result_.error.clear();
    result_.status = res.result_int();
    result_.body = res.body();
    ErrorCode ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  asio::io_context& io_;
  Stream& stream_;
  const ClientConfig& config_;
  const std::string request_;
  tcp::resolver resolver_;
  asio::steady_timer resolve_timer_;
  const Clock::time_point deadline_;
  std::string where_;
  bool resolved_ = false;
  bool resolve_timed_out_ = false;
  beast::flat_buffer buffer_;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser_;
  ClientResult result_;
};

std::string buildRequest(const ClientConfig& config, const std::string& body) {
  const std::string host = isIpv6Literal(config.host) ? "[" + config.host + "]" : config.host;
  std::string req =
      "POST " + (config.path.empty() ? std::string("/") : config.path) + " HTTP/1.1\r\n";
  req += "Host: " + host + ":" + std::to_string(config.port) + "\r\n";
  req += "User-Agent: takahe\r\n";
  req += "Accept: application/json\r\n";
  req += "Content-Type: application/json\r\n";
  req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (config.auth) {
    req += "Authorization: " + detail::basicAuthHeader(*config.auth) + "\r\n";
  }
  req += "Connection: close\r\n\r\n";
  req += body;
  return req;
}

bool validHeaderText(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

}  // namespace

ClientResult post(const ClientConfig& config, const std::string& json_body) {
  ClientResult result;
  const std::string where = config.host + ":" + std::to_string(config.port);
  if (!validHeaderText(config.host) || !validHeaderText(config.path) ||
      (config.auth &&
       (!validHeaderText(config.auth->user) || config.auth->user.find(':') != std::string::npos))) {
    result.error = "request to " + where + ": host, path or user contains invalid characters";
    return result;
  }
  try {
    asio::io_context io;
    const std::string request = buildRequest(config, json_body);
    if (config.tls) {
      std::string error;
      SSL_CTX* raw = detail::makeClientTlsContext(*config.tls, error);
      if (raw == nullptr) {
        result.error = "TLS setup for " + where + ": " + error;
        return result;
      }
      asio::ssl::context ctx(raw);
      beast::ssl_stream<beast::tcp_stream> stream(io, ctx);
      return Exchange<beast::ssl_stream<beast::tcp_stream>>(io, stream, config, request).run();
    }
    beast::tcp_stream stream(io);
    return Exchange<beast::tcp_stream>(io, stream, config, request).run();
  } catch (const std::exception& e) {
    result.ok = false;
    result.error = "request to " + where + ": " + e.what();
    return result;
  }
}

}  // namespace takahe::http
