// ClientConnection: resolve (only for names), connect, TLS handshake, then one request at a
// time. A read is always pending while the connection is up, so that a server closing an idle
// connection is noticed at once (the next request then opens a new one instead of failing), and
// the answer is parsed from it as it comes. One steady_timer serves the request deadline and the
// idle close; a generation number tells a stale expiry from the current one.

#include "client_connection.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "internal.h"

namespace takahe::http::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

namespace {

/// Answers larger than this are refused (the control channel's answers are far smaller).
constexpr uint64_t kMaxResponseBody = 512ull * 1024 * 1024;
/// How much one read asks for.
constexpr std::size_t kReadChunk = 16 * 1024;

constexpr const char* kResolve = "resolve";
constexpr const char* kConnect = "connect to";
constexpr const char* kHandshake = "TLS handshake with";
constexpr const char* kSend = "send to";
constexpr const char* kRead = "read from";

enum class State { kNew, kOpening, kBusy, kIdle, kClosed };

std::string describe(const ErrorCode& ec) {
  if (ec == asio::error::eof) {
    return "connection closed by the server";
  }
  return ec.message();
}

}  // namespace

std::shared_ptr<const PeerTarget> makePeerTarget(const std::string& host, uint16_t port,
                                                 const std::optional<TlsConfig>& tls,
                                                 std::string& error) {
  auto target = std::make_shared<PeerTarget>();
  target->host = host;
  target->port = port;
  target->where = hostPort(host, port);
  if (tls) {
    std::string why;
    SSL_CTX* raw = makeClientTlsContext(*tls, why);
    if (raw == nullptr) {
      error = "TLS setup for " + target->where + ": " + why;
      return nullptr;
    }
    target->tls = std::make_shared<asio::ssl::context>(raw);
  }
  return target;
}

struct ClientConnection::Impl : std::enable_shared_from_this<ClientConnection::Impl> {
  using Outcome = ClientConnection::Outcome;

  Impl(asio::io_context& io_in, std::shared_ptr<const PeerTarget> target_in, Finished finished_in,
       std::chrono::milliseconds idle_close_in, bool keep_alive_in)
      : io(io_in),
        target(std::move(target_in)),
        finished(std::move(finished_in)),
        idle_close(idle_close_in),
        keep_alive(keep_alive_in),
        timer(io_in) {}

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
  SSL* ssl() { return tls ? tls->native_handle() : nullptr; }

  void send(OutgoingRequest r) {
    request = std::move(r);
    wire = std::move(request->wire);  // kept here while Asio writes it
    parser.emplace();
    parser->body_limit(kMaxResponseBody);
    parser->eager(true);
    write_done = false;
    response_done = false;
    must_close = false;
    armTimer(request->timeout);
    if (state == State::kNew) {
      open();
    } else {
      state = State::kBusy;
      write();
    }
  }

  void armTimer(std::chrono::milliseconds after) {
    const uint64_t gen = ++timer_gen;
    timer.expires_after(after);
    timer.async_wait([self = shared_from_this(), gen](const ErrorCode&) { self->onTimer(gen); });
  }

  void onTimer(uint64_t gen) {
    if (gen != timer_gen || state == State::kClosed) {
      return;  // cancelled, re-armed or closed meanwhile
    }
    if (!request) {
      closeNow();  // idle for idle_close
      return;
    }
    const std::string reason =
        "timed out after " + std::to_string(request->timeout.count()) + " ms";
    ClientResult result;
    if (step == kHandshake) {
      setTlsFailure(result, target->where, reason, ssl());
    } else {
      result.error = std::string(step) + " " + target->where + ": " + reason;
    }
    finish(state == State::kOpening ? Outcome::kOpenFailed : Outcome::kFailed, std::move(result));
  }

  void open() {
    state = State::kOpening;
    if (target->tls) {
      tls.emplace(io, *target->tls);
    } else {
      plain.emplace(io);
    }
    ErrorCode ec;
    const auto address = asio::ip::make_address(target->host, ec);
    if (!ec) {
      step = kConnect;
      lowest().async_connect(
          tcp::endpoint(address, target->port),
          [self = shared_from_this()](const ErrorCode& cec) { self->onConnect(cec); });
      return;
    }
    step = kResolve;
    resolver.emplace(io);
    resolver->async_resolve(
        target->host, std::to_string(target->port),
        [self = shared_from_this()](const ErrorCode& rec, tcp::resolver::results_type results) {
          if (self->state != State::kOpening) {
            return;
          }
          if (rec) {
            self->fail(Outcome::kOpenFailed, rec);
            return;
          }
          self->step = kConnect;
          self->lowest().async_connect(results, [self](const ErrorCode& cec, const tcp::endpoint&) {
            self->onConnect(cec);
          });
        });
  }

  void onConnect(const ErrorCode& ec) {
    if (state != State::kOpening) {
      return;
    }
    if (ec) {
      fail(Outcome::kOpenFailed, ec);
      return;
    }
    ErrorCode ignored;
    lowest().socket().set_option(tcp::no_delay(true), ignored);
    if (!tls) {
      ready();
      return;
    }
    step = kHandshake;
    std::string error;
    if (!setClientPeerName(ssl(), target->host, error)) {
      ClientResult result;
      setTlsFailure(result, target->where, error, nullptr);
      finish(Outcome::kOpenFailed, std::move(result));
      return;
    }
    tls->async_handshake(asio::ssl::stream_base::client,
                         [self = shared_from_this()](const ErrorCode& hec) {
                           if (self->state != State::kOpening) {
                             return;
                           }
                           if (hec) {
                             self->fail(Outcome::kOpenFailed, hec);
                           } else {
                             self->subject = presentedSubject(self->ssl());
                             self->ready();
                           }
                         });
  }

  void ready() {
    state = State::kBusy;
    opened = true;
    read();
    write();
  }

  void write() {
    step = kSend;
    auto handler = [self = shared_from_this()](const ErrorCode& ec, std::size_t) {
      self->onWrite(ec);
    };
    if (tls) {
      asio::async_write(*tls, asio::buffer(wire), std::move(handler));
    } else {
      asio::async_write(*plain, asio::buffer(wire), std::move(handler));
    }
  }

  void onWrite(const ErrorCode& ec) {
    if (state == State::kClosed || !request) {
      return;
    }
    if (ec && response_done) {
      must_close = true;  // the answer came anyway (the server did not read it all)
    } else if (ec) {
      failBroken(ec);
      return;
    }
    write_done = true;
    if (!response_done) {
      step = kRead;
    }
    maybeComplete();
  }

  void read() {
    auto handler = [self = shared_from_this()](const ErrorCode& ec, std::size_t n) {
      self->onRead(ec, n);
    };
    if (tls) {
      tls->async_read_some(buffer.prepare(kReadChunk), std::move(handler));
    } else {
      plain->async_read_some(buffer.prepare(kReadChunk), std::move(handler));
    }
  }

  void onRead(const ErrorCode& ec, std::size_t n) {
    if (state == State::kClosed) {
      return;
    }
    if (ec) {
      onReadError(ec);
      return;
    }
    buffer.commit(n);
    if (!request) {
      closeNow();  // data nobody asked for: the connection cannot be trusted any more
      return;
    }
    if (!response_done && !parse()) {
      return;
    }
    if (state != State::kClosed) {
      read();
    }
  }

  /// Feeds the buffer to the parser; completes the request when the answer is whole. False when
  /// the request failed.
  bool parse() {
    ErrorCode ec;
    while (buffer.size() > 0 && !parser->is_done()) {
      const std::size_t used = parser->put(buffer.data(), ec);
      buffer.consume(used);
      if (ec == bhttp::error::need_more) {
        ec = {};
        break;
      }
      if (ec || used == 0) {
        break;
      }
    }
    if (ec) {
      step = kRead;
      fail(Outcome::kFailed, ec);
      return false;
    }
    if (parser->is_done()) {
      response_done = true;
      maybeComplete();
    }
    return true;
  }

  void onReadError(const ErrorCode& ec) {
    if (!request) {
      closeNow();  // idle: the server closed the connection (or its idle timeout did)
      return;
    }
    if (response_done) {
      must_close = true;  // complete once the write ends
      return;
    }
    const bool closed_by_server =
        ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
    if (closed_by_server && parser->is_header_done() && parser->need_eof()) {
      ErrorCode eof_ec;
      parser->put_eof(eof_ec);  // an answer delimited by the end of the connection
      if (!eof_ec) {
        response_done = true;
        must_close = true;
        maybeComplete();
        return;
      }
    }
    // A reset with nothing answered means the server closed with our request unread (a
    // server that read it all would have closed with a FIN): it was not processed.
    const bool unread = ec == asio::error::connection_reset;
    if ((!write_done || unread) && !parser->got_some()) {
      failBroken(ec);
    } else {
      step = kRead;
      fail(Outcome::kFailed, ec);
    }
  }

  /// The connection broke before the server read the request (before it was completely written,
  /// or reset with the request unread): on a reused connection (the server closed it) the
  /// request may try again once on a new one.
  void failBroken(const ErrorCode& ec) {
    if (exchanges > 0 && !request->retried && ec.category() != asio::error::get_ssl_category()) {
      ClientResult result;
      result.error = std::string(kSend) + " " + target->where + ": " + describe(ec);
      finish(Outcome::kNotSent, std::move(result));
    } else {
      fail(Outcome::kFailed, ec);
    }
  }

  /// Fails the request with `ec`. TLS errors before the first answer (the handshake, or the
  /// server's alert right after it, e.g. "certificate required") are TLS failures.
  void fail(Outcome outcome, const ErrorCode& ec) {
    ClientResult result;
    const bool ssl_error = ec.category() == asio::error::get_ssl_category();
    const std::string reason =
        ssl_error ? tlsReason(static_cast<unsigned long>(ec.value()), ssl()) : describe(ec);
    if (step == kHandshake || (ssl_error && exchanges == 0)) {
      setTlsFailure(result, target->where, reason, ssl());
      outcome = Outcome::kOpenFailed;
    } else {
      result.error = std::string(step) + " " + target->where + ": " + reason;
    }
    finish(outcome, std::move(result));
  }

  void finish(Outcome outcome, ClientResult result) {
    OutgoingRequest done = std::move(*request);
    request.reset();
    if (outcome == Outcome::kNotSent) {
      done.wire = wire;
    }
    closeNow();
    notify(outcome, std::move(done), std::move(result));
  }

  void maybeComplete() {
    if (!write_done || !response_done) {
      return;
    }
    auto& answer = parser->get();
    ClientResult result;
    result.ok = true;
    result.status = answer.result_int();
    result.body = std::move(answer.body());
    result.tls_peer_subject = subject;
    const bool keep = keep_alive && !must_close && answer.keep_alive() && buffer.size() == 0;
    ++exchanges;
    ++timer_gen;  // the deadline no longer applies
    OutgoingRequest done = std::move(*request);
    request.reset();
    if (keep) {
      state = State::kIdle;
    } else {
      closeNow();
    }
    notify(Outcome::kAnswered, std::move(done), std::move(result));
    if (state == State::kIdle) {
      armTimer(idle_close);
    }
  }

  void notify(Outcome outcome, OutgoingRequest done, ClientResult result) {
    // A copy: the callback may abandon() this connection, which clears `finished`.
    if (Finished callback = finished) {
      callback(outcome, std::move(done), std::move(result));
    }
  }

  void closeNow() {
    if (state == State::kClosed) {
      return;
    }
    state = State::kClosed;
    ++timer_gen;
    timer.cancel();
    if (resolver) {
      resolver->cancel();
    }
    if (tls || plain) {
      lowest().close();
    }
  }

  std::optional<OutgoingRequest> abandon() {
    finished = nullptr;
    std::optional<OutgoingRequest> left;
    if (request) {
      left = std::move(request);
      request.reset();
    }
    closeNow();
    return left;
  }

  asio::io_context& io;
  const std::shared_ptr<const PeerTarget> target;
  Finished finished;
  const std::chrono::milliseconds idle_close;
  const bool keep_alive;

  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  std::optional<tcp::resolver> resolver;
  asio::steady_timer timer;
  uint64_t timer_gen = 0;
  State state = State::kNew;
  const char* step = kConnect;  // for messages: what the request was waiting for
  bool opened = false;
  unsigned long exchanges = 0;  // answers received on this connection
  std::string subject;          // the server certificate's subject

  std::optional<OutgoingRequest> request;  // the one in flight
  std::string wire;
  beast::flat_buffer buffer;
  std::optional<bhttp::response_parser<bhttp::string_body>> parser;
  bool write_done = false;
  bool response_done = false;
  bool must_close = false;
};

ClientConnection::ClientConnection(asio::io_context& io, std::shared_ptr<const PeerTarget> target,
                                   Finished finished, std::chrono::milliseconds idle_close,
                                   bool keep_alive)
    : impl_(std::make_shared<Impl>(io, std::move(target), std::move(finished), idle_close,
                                   keep_alive)) {}

ClientConnection::ClientConnection(ClientConnection&&) noexcept = default;
ClientConnection& ClientConnection::operator=(ClientConnection&& other) noexcept {
  if (this != &other) {
    if (impl_) {
      impl_->abandon();
    }
    impl_ = std::move(other.impl_);
  }
  return *this;
}

ClientConnection::~ClientConnection() {
  if (impl_) {
    impl_->abandon();
  }
}

void ClientConnection::send(OutgoingRequest request) { impl_->send(std::move(request)); }

bool ClientConnection::usable() const {
  return impl_->state == State::kNew || impl_->state == State::kIdle;
}

bool ClientConnection::up() const { return impl_->opened && impl_->state != State::kClosed; }

bool ClientConnection::closed() const { return impl_->state == State::kClosed; }

std::optional<OutgoingRequest> ClientConnection::abandon() { return impl_->abandon(); }

}  // namespace takahe::http::detail
