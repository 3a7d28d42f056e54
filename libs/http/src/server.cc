// HttpServer: an acceptor and one Session per connection, each on its own strand. A session reads
// one request at a time (pipelined requests wait in its buffer), checks it, hands it to the
// handler and writes the answer the handler gives through Respond, possibly later and from
// another thread.

#include <array>
#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <mutex>
#include <optional>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "internal.h"
#include "takahe/http/http.h"
#include "takahe/http/messages.h"
#include "takahe/util/error.h"

namespace takahe::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;

using detail::logger;

namespace {

constexpr uint32_t kHeaderLimit = 16 * 1024;
/// Pause before accepting again after an accept error (e.g. out of descriptors).
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};
/// How long a closing connection may take to drain unread input or finish the TLS shutdown.
constexpr std::chrono::milliseconds kLingerTime{1000};
constexpr size_t kMaxDrainBytes = 1024 * 1024;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string str(beast::string_view sv) { return std::string(sv.data(), sv.size()); }

std::string endpointText(const tcp::endpoint& ep) {
  const auto addr = ep.address();
  const std::string host = addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string();
  return host + ":" + std::to_string(ep.port());
}

Response statusResponse(unsigned status, std::string_view text) {
  Response r;
  r.status = status;
  r.body = detail::jsonStatusBody(status, text);
  return r;
}

bool isHttpError(const ErrorCode& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category();
}

std::string tlsErrorText(const ErrorCode& ec, SSL* ssl) {
  if (ec.category() == asio::error::get_ssl_category()) {
    return detail::tlsReason(static_cast<unsigned long>(ec.value()), ssl);
  }
  return ec.message();
}

/// Completes one request exactly once: the first complete() wins; if the handler drops every
/// copy of its Respond without calling it, the client gets a 500 instead of waiting forever.
class Responder {
 public:
  Responder(std::function<void(Response)> deliver, std::string remote)
      : deliver_(std::move(deliver)), remote_(std::move(remote)) {}
  Responder(const Responder&) = delete;
  Responder& operator=(const Responder&) = delete;
  ~Responder() {
    if (!done_.exchange(true)) {
      try {
        TAKAHE_LOG(logger(), HTTP_NO_RESPONSE, remote_);
        deliver_(statusResponse(500, "Internal Server Error: no answer"));
      } catch (...) {
        // Destructors must not throw; the connection then simply closes.
      }
    }
  }
  void complete(Response response) {
    if (!done_.exchange(true)) {
      deliver_(std::move(response));
    }
  }

 private:
  std::function<void(Response)> deliver_;
  std::string remote_;
  std::atomic<bool> done_{false};
};

}  // namespace

namespace detail {

/// State shared by the server object and its sessions (sessions keep it alive).
struct ServerState : std::enable_shared_from_this<ServerState> {
  ServerState(asio::io_context& io_in, ServerConfig config_in, Handler handler_in)
      : io(io_in),
        config(std::move(config_in)),
        handler(std::move(handler_in)),
        acceptor(io_in),
        retry_timer(io_in) {}

  void start();
  void stop();
  void accept();  // with mutex held
  void onAccept(const ErrorCode& ec, tcp::socket socket);
  template <bool kTls>
  void spawn(tcp::socket socket, std::string remote);
  void unregister(uint64_t id) {
    std::lock_guard lock(mutex);
    sessions.erase(id);
  }

  asio::io_context& io;
  const ServerConfig config;
  const Handler handler;
  std::unique_ptr<asio::ssl::context> ssl;  // set by start() for TLS, then read-only
  std::atomic<bool> running{false};
  std::atomic<uint16_t> port{0};
  std::atomic<size_t> active{0};

  std::mutex mutex;  // guards everything below
  tcp::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::string url;
  uint64_t next_id = 0;
  /// Per live session: a function posting its close onto its strand.
  std::unordered_map<uint64_t, std::function<void()>> sessions;
};

}  // namespace detail

using detail::ServerState;

struct HttpServer::Impl : ServerState {
  using ServerState::ServerState;
};

namespace {

template <bool kTls>
class Session : public std::enable_shared_from_this<Session<kTls>> {
 public:
  using Stream = std::conditional_t<kTls, beast::ssl_stream<beast::tcp_stream>, beast::tcp_stream>;

  Session(std::shared_ptr<ServerState> server, tcp::socket socket, std::string remote)
      : stream_(makeStream(std::move(socket), server->ssl.get())),
        server_(std::move(server)),
        remote_(std::move(remote)) {}

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  ~Session() {
    if (id_) {
      server_->unregister(*id_);
    }
    server_->active.fetch_sub(1);
  }

  void setId(uint64_t id) { id_ = id; }
  auto executor() { return stream_.get_executor(); }

  void start() {
    asio::dispatch(executor(), [self = this->shared_from_this()] { self->begin(); });
  }

  /// For stop(): an idle or reading connection closes at once; one whose request is with the
  /// handler or whose answer is being written closes after that answer is sent, so that e.g.
  /// the answer to a shutdown command still reaches its client. On the strand.
  void stopGracefully() {
    if (busy_) {
      keep_alive_ = false;
    } else {
      closeNow("server stopped");
    }
  }

  /// Closes the socket at once; pending operations end with operation_aborted. On the strand.
  void closeNow(std::string_view why) {
    if (closed_) {
      return;
    }
    closed_ = true;
    lowest().close();
    TAKAHE_LOG_DEBUG(logger(), kDbgHttp, HTTP_CONNECTION_CLOSED, remote_, why);
  }

 private:
  static Stream makeStream(tcp::socket&& socket, asio::ssl::context* ssl) {
    if constexpr (kTls) {
      return Stream(beast::tcp_stream(std::move(socket)), *ssl);
    } else {
      return Stream(std::move(socket));
    }
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }
  std::chrono::milliseconds idle() const { return server_->config.idle_timeout; }

  void begin() {
    if (closed_) {
      return;  // stopped before it started
    }
    TAKAHE_LOG_DEBUG(logger(), kDbgHttp, HTTP_CONNECTION_OPENED, remote_);
    if constexpr (kTls) {
      lowest().expires_after(idle());
      stream_.async_handshake(
          asio::ssl::stream_base::server,
          [self = this->shared_from_this()](const ErrorCode& ec) { self->onHandshake(ec); });
    } else {
      readHeader();
    }
  }

  void onHandshake(const ErrorCode& ec) {
    if constexpr (kTls) {
      if (ec) {
        if (!closed_) {  // not closed by stop()
          reportTlsFailure(ec);
        }
        closeNow("TLS handshake failed");
        return;
      }
      tls_subject_ = detail::peerSubject(stream_.native_handle());
    }
    readHeader();
  }

  /// Logs a failed handshake and hands it to on_tls_failure.
  void reportTlsFailure(const ErrorCode& ec) {
    SSL* ssl = nullptr;
    if constexpr (kTls) {
      ssl = stream_.native_handle();
    }
    TlsFailure failure;
    failure.remote = remote_;
    failure.reason = tlsErrorText(ec, ssl);
    TAKAHE_LOG(logger(), HTTP_TLS_HANDSHAKE_FAILED, remote_, failure.reason);
    const auto& callback = server_->config.on_tls_failure;
    if (!callback) {
      return;
    }
    failure.verify_error = detail::verifyError(ssl);
    failure.client_subject = detail::presentedSubject(ssl);
    try {
      callback(failure);
    } catch (const std::exception& e) {
      TAKAHE_LOG(logger(), HTTP_TLS_CALLBACK_FAILED, remote_, e.what());
    } catch (...) {
      TAKAHE_LOG(logger(), HTTP_TLS_CALLBACK_FAILED, remote_, "unknown exception");
    }
  }

  void readHeader() {
    if (closed_) {
      return;
    }
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(static_cast<uint64_t>(server_->config.max_body_bytes));
    refusal_.reset();
    user_.clear();
    version_ = 11;
    lowest().expires_after(idle());
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](const ErrorCode& ec, size_t) { self->onHeader(ec); });
  }

  void onHeader(const ErrorCode& ec) {
    if (ec) {
      onReadError(ec);
      return;
    }
    const auto& req = parser_->get();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    refusal_ = checkHeader(req);
    const bool expect_continue = beast::iequals(req[bhttp::field::expect], "100-continue");
    if (expect_continue && refusal_) {
      // The client waits before sending the body; answer now and do not read it.
      keep_alive_ = false;
      sendResponse(std::move(*refusal_));
      return;
    }
    if (expect_continue && !parser_->is_done()) {
      lowest().expires_after(idle());
      asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                        [self = this->shared_from_this()](const ErrorCode& wec, size_t) {
                          if (wec) {
                            self->closeNow(wec.message());
                          } else {
                            self->readBody();
                          }
                        });
      return;
    }
    readBody();
  }

  void readBody() {
    if (parser_->is_done()) {
      onBody({});
      return;
    }
    lowest().expires_after(idle());
    bhttp::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](const ErrorCode& ec, size_t) { self->onBody(ec); });
  }

  /// Authentication, method and content type; the refusal to send, if any.
  std::optional<Response> checkHeader(const bhttp::request<bhttp::string_body>& req) {
    const auto& config = server_->config;
    if (!config.auth.clients.empty()) {
      const auto auth = detail::checkBasicAuth(
          config.auth, std::string_view(req[bhttp::field::authorization].data(),
                                        req[bhttp::field::authorization].size()));
      if (!auth.ok) {
        TAKAHE_LOG(logger(), HTTP_AUTH_FAILED, remote_, auth.user);
        Response r = statusResponse(401, "Unauthorized");
        r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"" + config.auth.realm + "\"");
        return r;
      }
      user_ = auth.user;
    }
    if (req.method() != bhttp::verb::post) {
      TAKAHE_LOG(logger(), HTTP_REQUEST_BAD, remote_, 405,
                 "method " + str(req.method_string()) + " is not allowed");
      Response r = statusResponse(405, "Method Not Allowed");
      r.headers.emplace_back("Allow", "POST");
      return r;
    }
    const auto content_type = req[bhttp::field::content_type];
    if (!detail::isJsonContentType(std::string_view(content_type.data(), content_type.size()))) {
      TAKAHE_LOG(logger(), HTTP_REQUEST_BAD, remote_, 400,
                 "Content-Type '" + str(content_type) + "' is not application/json");
      return statusResponse(400, "Content-Type must be application/json");
    }
    return std::nullopt;
  }

  void onReadError(const ErrorCode& ec) {
    if (ec == bhttp::error::end_of_stream || ec == asio::error::operation_aborted) {
      closeNow("closed by peer");
    } else if (ec == beast::error::timeout) {
      closeNow("idle timeout");
    } else if (ec == bhttp::error::body_limit) {
      keep_alive_ = false;
      const std::string text = "Request body is larger than " +
                               std::to_string(server_->config.max_body_bytes) + " bytes";
      TAKAHE_LOG(logger(), HTTP_REQUEST_BAD, remote_, 413, text);
      sendResponse(statusResponse(413, text));
    } else if (ec == bhttp::error::partial_message) {
      closeNow("closed by peer in the middle of a request");
    } else if (isHttpError(ec)) {
      keep_alive_ = false;
      const std::string text =
          ec == bhttp::error::header_limit
              ? "Request header is larger than " + std::to_string(kHeaderLimit) + " bytes"
              : "Bad Request: " + ec.message();
      TAKAHE_LOG(logger(), HTTP_REQUEST_BAD, remote_, 400, text);
      sendResponse(statusResponse(400, text));
    } else {
      closeNow(ec.message());
    }
  }

  void onBody(const ErrorCode& ec) {
    if (ec) {
      onReadError(ec);
      return;
    }
    lowest().expires_never();  // the handler may take its time
    busy_ = true;
    if (refusal_) {
      sendResponse(std::move(*refusal_));
      return;
    }
    if (!server_->running.load()) {
      closeNow("server stopped");
      return;
    }
    auto& req = parser_->get();
    Request request;
    request.method = str(req.method_string());
    request.target = str(req.target());
    request.content_type = str(req[bhttp::field::content_type]);
    request.body = std::move(req.body());
    request.remote = remote_;
    request.user = user_;
    request.tls_subject = tls_subject_;
    TAKAHE_LOG_DEBUG(logger(), kDbgHttp, HTTP_REQUEST_RECEIVED, remote_, user_,
                     request.body.size());

    // Respond may run on any thread: the write goes through the connection's strand.
    auto deliver = [self = this->shared_from_this()](Response response) {
      asio::post(self->executor(),
                 [self, r = std::move(response)]() mutable { self->sendResponse(std::move(r)); });
    };
    auto responder = std::make_shared<Responder>(std::move(deliver), remote_);
    Respond respond = [responder](Response response) { responder->complete(std::move(response)); };
    try {
      server_->handler(request, std::move(respond));
    } catch (const std::exception& e) {
      TAKAHE_LOG(logger(), HTTP_HANDLER_FAILED, remote_, e.what());
      responder->complete(statusResponse(500, std::string("Internal Server Error: ") + e.what()));
    } catch (...) {
      TAKAHE_LOG(logger(), HTTP_HANDLER_FAILED, remote_, "unknown exception");
      responder->complete(statusResponse(500, "Internal Server Error"));
    }
  }

  void sendResponse(Response r) {
    if (closed_) {
      return;
    }
    busy_ = true;
    response_ = {};
    response_.version(version_);
    response_.result(r.status);
    response_.set(bhttp::field::server, "takahe");
    response_.set(bhttp::field::content_type, r.content_type);
    for (const auto& [name, value] : server_->config.headers) {
      response_.set(name, value);
    }
    for (const auto& [name, value] : r.headers) {
      response_.set(name, value);
    }
    response_.body() = std::move(r.body);
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
    lowest().expires_after(idle());
    bhttp::async_write(
        stream_, response_,
        [self = this->shared_from_this()](const ErrorCode& ec, size_t) { self->onWrite(ec); });
  }

  void onWrite(const ErrorCode& ec) {
    busy_ = false;
    if (ec) {
      closeNow(ec.message());
    } else if (!keep_alive_) {
      shutdownAndClose();
    } else {
      readHeader();
    }
  }

  /// Ends the connection so the client still gets the answer: closing with unread input in the
  /// kernel would send a reset that can destroy the answer before the client reads it.
  void shutdownAndClose() {
    if (closed_) {
      return;
    }
    lowest().expires_after(kLingerTime);
    if constexpr (kTls) {
      stream_.async_shutdown(
          [self = this->shared_from_this()](const ErrorCode&) { self->closeNow("done"); });
    } else {
      ErrorCode ignored;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
      drain();
    }
  }

  void drain() {
    lowest().async_read_some(asio::buffer(drain_),
                             [self = this->shared_from_this()](const ErrorCode& ec, size_t n) {
                               self->drained_ += n;
                               if (ec || self->drained_ > kMaxDrainBytes) {
                                 self->closeNow("done");
                               } else {
                                 self->drain();
                               }
                             });
  }

  Stream stream_;
  std::shared_ptr<ServerState> server_;
  const std::string remote_;
  std::optional<uint64_t> id_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  std::optional<Response> refusal_;
  std::string user_;
  std::string tls_subject_;
  unsigned version_ = 11;
  bool keep_alive_ = false;
  bool closed_ = false;
  bool busy_ = false;  // a request is with the handler or its answer is being written
  std::array<char, 4096> drain_{};
  size_t drained_ = 0;
};

}  // namespace

void ServerState::start() {
  std::lock_guard lock(mutex);
  if (running) {
    throw Error("HTTP server on " + url + " is already started");
  }
  const std::string scheme = config.tls ? "https" : "http";
  const std::string host =
      config.address.find(':') != std::string::npos ? "[" + config.address + "]" : config.address;
  const std::string where = (config.tls ? "HTTPS server on " : "HTTP server on ") + host + ":" +
                            std::to_string(config.port);
  if (config.tls) {
    try {
      ssl = std::make_unique<asio::ssl::context>(detail::makeServerTlsContext(*config.tls));
    } catch (const Error& e) {
      throw Error("cannot start " + where + ": " + e.what());
    }
  }
  ErrorCode ec;
  const auto address = asio::ip::make_address(config.address, ec);
  if (ec) {
    throw Error("cannot start " + where + ": '" + config.address + "' is not an IP address");
  }
  const tcp::endpoint endpoint(address, config.port);
  auto fail = [&](const char* step) {
    ErrorCode ignored;
    acceptor.close(ignored);
    throw Error("cannot start " + where + ": " + step + ": " + ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec)) {
    fail("socket");
  }
  if (acceptor.set_option(tcp::acceptor::reuse_address(true), ec)) {
    fail("setsockopt");
  }
  if (acceptor.bind(endpoint, ec)) {
    fail("bind");
  }
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) {
    fail("listen");
  }
  const auto local = acceptor.local_endpoint(ec);
  port = local.port();
  url = scheme + "://" + endpointText(local);
  running = true;
  accept();
  TAKAHE_LOG(logger(), HTTP_SERVER_STARTED, url);
}

void ServerState::stop() {
  std::vector<std::function<void()>> closers;
  std::string stopped_url;
  {
    std::lock_guard lock(mutex);
    if (!running) {
      return;
    }
    running = false;
    ErrorCode ignored;
    acceptor.close(ignored);
    retry_timer.cancel();
    for (const auto& entry : sessions) {
      closers.push_back(entry.second);
    }
    stopped_url = url;
  }
  for (const auto& close : closers) {
    close();
  }
  TAKAHE_LOG(logger(), HTTP_SERVER_STOPPED, stopped_url);
}

void ServerState::accept() {
  acceptor.async_accept(asio::make_strand(io),
                        [self = shared_from_this()](const ErrorCode& ec, tcp::socket socket) {
                          self->onAccept(ec, std::move(socket));
                        });
}

void ServerState::onAccept(const ErrorCode& ec, tcp::socket socket) {
  if (ec == asio::error::operation_aborted || !running) {
    return;
  }
  if (ec) {
    TAKAHE_LOG(logger(), HTTP_ACCEPT_FAILED, ec.message());
    std::lock_guard lock(mutex);
    if (running) {
      retry_timer.expires_after(kAcceptRetryDelay);
      retry_timer.async_wait([self = shared_from_this()](const ErrorCode& wec) {
        std::lock_guard relock(self->mutex);
        if (!wec && self->running) {
          self->accept();
        }
      });
    }
    return;
  }
  ErrorCode peer_ec;
  const auto peer = socket.remote_endpoint(peer_ec);
  if (!peer_ec) {
    std::string remote = endpointText(peer);
    if (active.load() >= config.max_connections) {
      TAKAHE_LOG(logger(), HTTP_CONNECTION_LIMIT, remote, config.max_connections);
      ErrorCode ignored;
      socket.close(ignored);
    } else if (ssl) {
      spawn<true>(std::move(socket), std::move(remote));
    } else {
      spawn<false>(std::move(socket), std::move(remote));
    }
  }
  std::lock_guard lock(mutex);
  if (running) {
    accept();
  }
}

template <bool kTls>
void ServerState::spawn(tcp::socket socket, std::string remote) {
  active.fetch_add(1);
  auto session =
      std::make_shared<Session<kTls>>(shared_from_this(), std::move(socket), std::move(remote));
  bool started = false;
  {
    std::lock_guard lock(mutex);
    if (running) {
      const uint64_t id = next_id++;
      session->setId(id);
      sessions.emplace(id, [weak = std::weak_ptr(session), ex = session->executor()] {
        asio::post(ex, [weak] {
          if (auto s = weak.lock()) {
            s->stopGracefully();
          }
        });
      });
      started = true;
    }
  }
  if (started) {
    session->start();
  }
  // Otherwise the session is destroyed here, outside the lock its destructor takes.
}

HttpServer::HttpServer(asio::io_context& io, ServerConfig config, Handler handler)
    : impl_(std::make_shared<Impl>(io, std::move(config), std::move(handler))) {}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() { impl_->start(); }

void HttpServer::stop() { impl_->stop(); }

uint16_t HttpServer::port() const { return impl_->port.load(); }

std::size_t HttpServer::activeConnections() const { return impl_->active.load(); }

}  // namespace takahe::http
