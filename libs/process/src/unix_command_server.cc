#include "takahe/process/unix_command_server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "json_framer.h"
#include "takahe/cc/command.h"
#include "takahe/process/command_registry.h"
#include "takahe/process/messages.h"
#include "takahe/util/error.h"

namespace takahe::process {

namespace asio = boost::asio;
using Stream = asio::local::stream_protocol;
using Clock = std::chrono::steady_clock;
using ErrorCode = boost::system::error_code;

namespace {

const log::Logger& logger() {
  static const log::Logger kLogger("commands");
  return kLogger;
}

constexpr size_t kReadChunk = 64 * 1024;
/// Pause before accepting again after an accept error (e.g. out of descriptors), so that a
/// persistent error does not spin the io_context.
constexpr std::chrono::milliseconds kAcceptRetryDelay{100};

/// Kea's text for a request that stalled before it was complete.
constexpr std::string_view kTimeoutText = "Connection over control channel timed out";

std::string answerText(cc::ResultCode code, std::string_view text) {
  return cc::makeAnswer(code, text).toJson();
}

std::string parentDir(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) {
    return ".";
  }
  return slash == 0 ? "/" : path.substr(0, slash);
}

[[noreturn]] void failOpen(const std::string& path, const std::string& reason) {
  throw takahe::Error("cannot open control socket '" + path + "': " + reason);
}

std::string bindFailureReason(const std::string& path, int err) {
  switch (err) {
    case ENOENT:
      return "directory '" + parentDir(path) + "' does not exist";
    case ENOTDIR:
      return "a component of the path is not a directory";
    case EACCES:
    case EPERM:
      return "permission denied to create the socket file in '" + parentDir(path) + "'";
    case EADDRINUSE:
      return "the path is already in use";
    case EROFS:
      return "the file system is read-only";
    default:
      return std::strerror(err);
  }
}

/// Removes a socket file left by a dead server; refuses a live one or a non-socket file.
void clearStaleSocket(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) {
      return;
    }
    if (errno == ENOTDIR || errno == EACCES) {
      failOpen(path, bindFailureReason(path, errno));
    }
    failOpen(path, std::string("cannot inspect the path: ") + std::strerror(errno));
  }
  if (!S_ISSOCK(st.st_mode)) {
    failOpen(path, "the path exists and is not a socket (refusing to remove it)");
  }
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    failOpen(path, std::string("socket(): ") + std::strerror(errno));
  }
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  const int rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  const int err = errno;
  ::close(fd);
  if (rc == 0 || err == EAGAIN || err == EINPROGRESS) {
    // EAGAIN: a listener whose backlog is full is still a live listener.
    failOpen(path, "another server is already listening on it");
  }
  if (err == EACCES || err == EPERM) {
    failOpen(path, "permission denied to connect to the existing socket file");
  }
  if (err != ECONNREFUSED) {
    failOpen(path, std::string("cannot probe the existing socket file: ") + std::strerror(err));
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    failOpen(path, std::string("cannot remove the stale socket file: ") + std::strerror(errno));
  }
  TAKAHE_LOG(logger(), COMMAND_SOCKET_STALE_REMOVED, path);
}

class Connection;

/// Threads currently running a command for one UnixCommandServer (across restarts), so that
/// stop() can wait for commands running on other threads before the registry may go away.
struct Executions {
  std::mutex mu;
  std::condition_variable done;
  std::vector<std::thread::id> threads;

  void enter(std::thread::id t) {
    std::lock_guard lock(mu);
    threads.push_back(t);
  }
  void leave(std::thread::id t) {
    {
      std::lock_guard lock(mu);
      threads.erase(std::find(threads.begin(), threads.end(), t));
    }
    done.notify_all();
  }
  /// Waits until no thread but the caller runs a command.
  void waitForOthers() {
    const auto me = std::this_thread::get_id();
    std::unique_lock lock(mu);
    done.wait(lock, [&] {
      return std::all_of(threads.begin(), threads.end(),
                         [&](std::thread::id t) { return t == me; });
    });
  }
};

/// Everything the asynchronous handlers touch. Handlers hold it by shared_ptr, so it outlives the
/// UnixCommandServer until the last pending handler has run or been destroyed. `mu` serialises
/// every use of the acceptor, sockets and timers between the io_context's thread(s) and callers
/// of stop()/activeConnections() on other threads.
struct ServerState {
  ServerState(asio::io_context& io_context, std::string socket_path, const CommandRegistry& reg,
              const UnixServerOptions& opts, std::shared_ptr<Executions> execs)
      : io(io_context),
        path(std::move(socket_path)),
        registry(reg),
        options(opts),
        executions(std::move(execs)),
        acceptor(io_context),
        retry_timer(io_context) {}

  asio::io_context& io;
  const std::string path;
  const CommandRegistry& registry;
  const UnixServerOptions options;
  const std::shared_ptr<Executions> executions;

  std::mutex mu;
  bool stopped = false;
  /// Identity of the socket file we created, so stop() never removes someone else's file.
  dev_t file_dev = 0;
  ino_t file_ino = 0;
  Stream::acceptor acceptor;
  asio::steady_timer retry_timer;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections;
  uint64_t next_id = 1;
};

/// One client: read one command, execute it, write the answer, close.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<ServerState> server, Stream::socket socket, uint64_t id)
      : server_(std::move(server)),
        socket_(std::move(socket)),
        timer_(server_->io),
        id_(id),
        chunk_(kReadChunk) {}

  // All methods below are called with server_->mu held (the lock is passed where it is
  // released).

  void start() {
    TAKAHE_LOG_DEBUG(logger(), kDbgCommand, COMMAND_CONNECTION_OPENED, server_->path, id_);
    deadline_ = Clock::now() + server_->options.idle_timeout;
    armTimer();
    readMore();
  }

  void close(std::string_view why) {
    if (phase_ == Phase::kClosed) {
      return;
    }
    phase_ = Phase::kClosed;
    ErrorCode ignored;
    socket_.close(ignored);
    timer_.cancel();
    answer_.clear();
    answer_.shrink_to_fit();
    request_.clear();
    request_.shrink_to_fit();
    TAKAHE_LOG_DEBUG(logger(), kDbgCommand, COMMAND_CONNECTION_CLOSED, server_->path, id_, why);
    // May drop the last owning reference but one: the caller's handler still holds `self`.
    server_->connections.erase(id_);
  }

 private:
  enum class Phase { kReading, kExecuting, kWriting, kLingering, kClosed };

  void readMore() {
    read_pending_ = true;
    socket_.async_read_some(
        asio::buffer(chunk_),
        [self = shared_from_this()](const ErrorCode& ec, size_t n) { self->onRead(ec, n); });
  }

  void armTimer() {
    timer_.expires_at(deadline_);
    timer_.async_wait([self = shared_from_this()](const ErrorCode& ec) { self->onTimer(ec); });
  }

  void onRead(const ErrorCode& ec, size_t n) {
    std::unique_lock lock(server_->mu);
    read_pending_ = false;
    if (phase_ == Phase::kClosed) {
      return;
    }
    if (ec == asio::error::eof) {
      onEof(lock);
      return;
    }
    if (ec) {
      close(ec.message());
      return;
    }
    if (phase_ != Phase::kReading) {
      // The answer is being written or was written: bytes after the command are discarded.
      readMore();
      return;
    }
    const std::string_view fresh(chunk_.data(), n);
    request_.append(fresh);
    deadline_ = Clock::now() + server_->options.idle_timeout;
    const size_t limit = server_->options.max_request_bytes;
    switch (framer_.feed(fresh)) {
      case JsonFramer::Status::kComplete:
        if (framer_.length() > limit) {
          refuseTooLarge();
          return;
        }
        request_.resize(framer_.length());  // drop bytes after the command
        execute(lock);
        return;
      case JsonFramer::Status::kInvalid:
        // Let the parser name the problem.
        execute(lock);
        return;
      case JsonFramer::Status::kNeedMore:
        break;
    }
    if (request_.size() > limit) {
      refuseTooLarge();
      return;
    }
    readMore();
  }

  void refuseTooLarge() {
    const size_t limit = server_->options.max_request_bytes;
    TAKAHE_LOG(logger(), COMMAND_TOO_LARGE, server_->path, id_, limit);
    request_.clear();
    request_.shrink_to_fit();
    beginWrite(answerText(cc::ResultCode::kError,
                          "command too large (more than " + std::to_string(limit) + " bytes)"));
  }

  void onEof(std::unique_lock<std::mutex>& lock) {
    peer_eof_ = true;
    switch (phase_) {
      case Phase::kReading:
        if (framer_.sawContent()) {
          // The client ended its request with EOF: parse what came.
          execute(lock);
        } else {
          close("client closed without a command");
        }
        return;
      case Phase::kWriting:
        return;  // finish writing; the client may still read
      case Phase::kLingering:
        close("answered");
        return;
      case Phase::kExecuting:
      case Phase::kClosed:
        return;
    }
  }

  void onTimer(const ErrorCode& ec) {
    std::unique_lock lock(server_->mu);
    if (phase_ == Phase::kClosed || ec == asio::error::operation_aborted) {
      return;
    }
    const auto now = Clock::now();
    if (phase_ == Phase::kExecuting) {
      // Commands may take long; the idle clock starts again when the answer is ready.
      deadline_ = now + server_->options.idle_timeout;
    } else if (now >= deadline_) {
      onIdleTimeout();
      if (phase_ == Phase::kClosed) {
        return;
      }
    }
    armTimer();
  }

  void onIdleTimeout() {
    const auto ms = server_->options.idle_timeout.count();
    switch (phase_) {
      case Phase::kReading:
        if (request_.empty()) {
          TAKAHE_LOG_DEBUG(logger(), kDbgCommand, COMMAND_TIMEOUT, server_->path, id_, ms,
                           "waiting for a command");
          close("timed out before sending anything");
          return;
        }
        TAKAHE_LOG_DEBUG(logger(), kDbgCommand, COMMAND_TIMEOUT, server_->path, id_, ms,
                         "reading a command");
        request_.clear();
        request_.shrink_to_fit();
        beginWrite(answerText(cc::ResultCode::kError, kTimeoutText));
        return;
      case Phase::kWriting:
        TAKAHE_LOG_DEBUG(logger(), kDbgCommand, COMMAND_TIMEOUT, server_->path, id_, ms,
                         "writing the answer");
        close("timed out writing the answer");
        return;
      case Phase::kLingering:
        close("answered; client did not close");
        return;
      case Phase::kExecuting:
      case Phase::kClosed:
        return;
    }
  }

  void execute(std::unique_lock<std::mutex>& lock) {
    phase_ = Phase::kExecuting;
    const std::string request = std::move(request_);
    request_.clear();
    request_.shrink_to_fit();
    const auto self_thread = std::this_thread::get_id();
    server_->executions->enter(self_thread);
    lock.unlock();

    // No lock held: the handler may take long or call back into the server (stop()).
    std::string answer;
    try {
      answer = server_->registry.executeText(request).toJson();
    } catch (const std::exception& e) {
      answer = answerText(cc::ResultCode::kError, e.what());
    }

    lock.lock();
    server_->executions->leave(self_thread);
    if (phase_ == Phase::kClosed) {
      return;  // stop() closed us meanwhile
    }
    beginWrite(std::move(answer));
  }

  void beginWrite(std::string answer) {
    phase_ = Phase::kWriting;
    answer_ = std::move(answer);
    written_ = 0;
    deadline_ = Clock::now() + server_->options.idle_timeout;
    writeMore();
    if (!peer_eof_ && !read_pending_) {
      // Keep reading (and discarding) so that EOF from the client is noticed and bytes it sends
      // after the command do not turn our close into a reset.
      readMore();
    }
  }

  void writeMore() {
    socket_.async_write_some(
        asio::buffer(answer_.data() + written_, answer_.size() - written_),
        [self = shared_from_this()](const ErrorCode& ec, size_t n) { self->onWrite(ec, n); });
  }

  void onWrite(const ErrorCode& ec, size_t n) {
    std::unique_lock lock(server_->mu);
    if (phase_ == Phase::kClosed) {
      return;
    }
    if (ec) {
      close("writing the answer failed: " + ec.message());
      return;
    }
    written_ += n;
    deadline_ = Clock::now() + server_->options.idle_timeout;
    if (written_ < answer_.size()) {
      writeMore();
      return;
    }
    answer_.clear();
    answer_.shrink_to_fit();
    ErrorCode ignored;
    socket_.shutdown(Stream::socket::shutdown_send, ignored);
    if (peer_eof_) {
      close("answered");
      return;
    }
    // Wait (bounded by the idle timeout) for the client to close after reading the answer.
    phase_ = Phase::kLingering;
  }

  std::shared_ptr<ServerState> server_;
  Stream::socket socket_;
  asio::steady_timer timer_;
  const uint64_t id_;
  Phase phase_ = Phase::kReading;
  std::vector<char> chunk_;
  std::string request_;
  JsonFramer framer_;
  std::string answer_;
  size_t written_ = 0;
  Clock::time_point deadline_;
  bool peer_eof_ = false;
  bool read_pending_ = false;
};

/// Best-effort refusal for a connection over the limit: the small answer fits in the socket
/// buffer, so a non-blocking write either goes through at once or is skipped.
void refuse(ServerState& server, Stream::socket socket) {
  TAKAHE_LOG(logger(), COMMAND_CONNECTION_LIMIT, server.path, server.connections.size());
  ErrorCode ec;
  socket.non_blocking(true, ec);
  const std::string text =
      answerText(cc::ResultCode::kError, "too many connections to the control socket (limit " +
                                             std::to_string(server.options.max_connections) + ")");
  if (!ec) {
    socket.write_some(asio::buffer(text), ec);
  }
  socket.shutdown(Stream::socket::shutdown_both, ec);
  socket.close(ec);
}

void doAccept(const std::shared_ptr<ServerState>& server);

void onAccept(const std::shared_ptr<ServerState>& server, const ErrorCode& ec,
              Stream::socket socket) {
  std::unique_lock lock(server->mu);
  if (server->stopped || ec == asio::error::operation_aborted) {
    return;
  }
  if (ec) {
    TAKAHE_LOG(logger(), COMMAND_SOCKET_ERROR, server->path, "accept failed: " + ec.message());
    server->retry_timer.expires_after(kAcceptRetryDelay);
    server->retry_timer.async_wait([server](const ErrorCode& wait_ec) {
      std::unique_lock retry_lock(server->mu);
      if (!wait_ec && !server->stopped) {
        doAccept(server);
      }
    });
    return;
  }
  if (server->connections.size() >= server->options.max_connections) {
    refuse(*server, std::move(socket));
  } else {
    const uint64_t id = server->next_id++;
    auto connection = std::make_shared<Connection>(server, std::move(socket), id);
    server->connections.emplace(id, connection);
    connection->start();
  }
  doAccept(server);
}

void doAccept(const std::shared_ptr<ServerState>& server) {
  server->acceptor.async_accept([server](const ErrorCode& ec, Stream::socket socket) {
    onAccept(server, ec, std::move(socket));
  });
}

}  // namespace

struct UnixCommandServer::Impl {
  Impl(asio::io_context& io_context, std::string socket_path, const CommandRegistry& reg,
       UnixServerOptions opts)
      : io(io_context), path(std::move(socket_path)), registry(reg), options(opts) {}

  asio::io_context& io;
  const std::string path;
  const CommandRegistry& registry;
  const UnixServerOptions options;

  const std::shared_ptr<Executions> executions = std::make_shared<Executions>();

  /// Guards `state` (the pointer, not what it points to). Never held while waiting, so a command
  /// handler may call running() or activeConnections() while another thread is in stop().
  mutable std::mutex mu;
  /// The current run; kept (stopped) after stop() until the next start().
  std::shared_ptr<ServerState> state;
};

UnixCommandServer::UnixCommandServer(asio::io_context& io, std::string path,
                                     const CommandRegistry& registry, UnixServerOptions options)
    : impl_(std::make_unique<Impl>(io, std::move(path), registry, options)) {}

UnixCommandServer::~UnixCommandServer() { stop(); }

const std::string& UnixCommandServer::path() const { return impl_->path; }

bool UnixCommandServer::running() const {
  std::shared_ptr<ServerState> state;
  {
    std::lock_guard lock(impl_->mu);
    state = impl_->state;
  }
  if (!state) {
    return false;
  }
  std::lock_guard lock(state->mu);
  return !state->stopped;
}

size_t UnixCommandServer::activeConnections() const {
  std::shared_ptr<ServerState> state;
  {
    std::lock_guard lock(impl_->mu);
    state = impl_->state;
  }
  if (!state) {
    return 0;
  }
  std::lock_guard lock(state->mu);
  return state->connections.size();
}

void UnixCommandServer::start() {
  std::lock_guard owner_lock(impl_->mu);
  const std::string& path = impl_->path;
  if (impl_->state) {
    std::lock_guard lock(impl_->state->mu);
    if (!impl_->state->stopped) {
      throw takahe::Error("control socket '" + path + "' is already open");
    }
  }
  if (path.empty()) {
    throw takahe::Error("cannot open control socket: empty socket path");
  }
  constexpr size_t kMaxPath = sizeof(sockaddr_un::sun_path) - 1;
  if (path.size() > kMaxPath) {
    failOpen(path, "the path is " + std::to_string(path.size()) + " bytes long, at most " +
                       std::to_string(kMaxPath) + " fit in a UNIX socket address");
  }
  if (path.find('\0') != std::string::npos) {
    failOpen(path, "the path contains a NUL byte");
  }
  if (impl_->options.max_connections == 0) {
    failOpen(path, "max_connections must be at least 1");
  }

  clearStaleSocket(path);

  auto state = std::make_shared<ServerState>(impl_->io, path, impl_->registry, impl_->options,
                                             impl_->executions);
  std::lock_guard state_lock(state->mu);
  Stream::acceptor& acceptor = state->acceptor;
  ErrorCode ec;
  acceptor.open(Stream(), ec);
  if (ec) {
    failOpen(path, "socket(): " + ec.message());
  }
  // On Linux the mode of a socket's inode before bind() becomes the socket file's mode (minus
  // the umask): start restrictive so the file is never more open than asked for.
  (void)::fchmod(acceptor.native_handle(), impl_->options.permissions & 07777);
  acceptor.bind(Stream::endpoint(path), ec);
  if (ec) {
    failOpen(path, bindFailureReason(path, ec.value()));
  }
  struct stat st {};
  bool bound_file = ::stat(path.c_str(), &st) == 0;
  auto undo = [&]() {
    ErrorCode ignored;
    acceptor.close(ignored);
    if (bound_file) {
      ::unlink(path.c_str());
    }
  };
  if (::chmod(path.c_str(), impl_->options.permissions & 07777) != 0) {
    const int err = errno;
    undo();
    failOpen(path, std::string("chmod of the socket file failed: ") + std::strerror(err));
  }
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    undo();
    failOpen(path, "listen(): " + ec.message());
  }
  state->file_dev = bound_file ? st.st_dev : 0;
  state->file_ino = bound_file ? st.st_ino : 0;
  doAccept(state);
  impl_->state = std::move(state);
  TAKAHE_LOG(logger(), COMMAND_SOCKET_OPENED, path);
}

void UnixCommandServer::stop() {
  std::shared_ptr<ServerState> state;
  std::shared_ptr<Executions> executions;
  {
    std::lock_guard owner_lock(impl_->mu);
    state = impl_->state;
    executions = impl_->executions;
  }
  if (!state) {
    return;
  }
  // From here on only `state` and `executions` are used: a concurrent stop() (say, a "shutdown"
  // handler's, and the destructor's) must not touch this object after the other returned.
  {
    std::lock_guard lock(state->mu);
    if (!state->stopped) {
      state->stopped = true;
      ErrorCode ignored;
      state->acceptor.close(ignored);
      state->retry_timer.cancel();
      auto connections = std::move(state->connections);
      state->connections.clear();
      for (auto& [id, connection] : connections) {
        connection->close("server stopped");
      }
      struct stat st {};
      if (state->file_ino != 0 && ::lstat(state->path.c_str(), &st) == 0 &&
          st.st_dev == state->file_dev && st.st_ino == state->file_ino) {
        ::unlink(state->path.c_str());
      }
      TAKAHE_LOG(logger(), COMMAND_SOCKET_CLOSED, state->path);
    }
  }
  // A command running on another thread still uses the registry: wait for it, so that the
  // caller may destroy the registry once stop() returns. A command on this thread is the caller.
  executions->waitForOthers();
}

}  // namespace takahe::process
