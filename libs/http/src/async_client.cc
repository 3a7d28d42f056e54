// HttpClient: post() drops requests into an inbox (any thread); the event thread drains it into
// one Peer per host, port, TLS files and user. A peer owns its queue, its TLS context and up to
// connections_per_peer ClientConnections, and hands the next request to whichever connection is
// free. Completions are collected while the bookkeeping runs and called at the very end, so a
// callback may post, closeAll() or even destroy the client.

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "client_connection.h"
#include "event_thread_impl.h"
#include "internal.h"
#include "takahe/http/client.h"
#include "takahe/http/messages.h"

namespace takahe::http {

namespace asio = boost::asio;
using detail::ClientConnection;
using detail::OutgoingRequest;
using Outcome = ClientConnection::Outcome;

namespace detail {

/// A callback to run once the bookkeeping is done.
struct Completion {
  HttpClient::Callback done;
  ClientResult result;
};
using Completions = std::vector<Completion>;

ClientResult failure(std::string error) {
  ClientResult result;
  result.error = std::move(error);
  return result;
}

/// Requests for one host, port, TLS files and user. Event thread only.
class Peer {
 public:
  Peer(HttpClient::Impl& client, const ClientConfig& config)
      : client_(client),
        host_(config.host),
        port_(config.port),
        tls_(config.tls),
        where_(hostPort(config.host, config.port)) {}
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  const std::string& where() const { return where_; }

  void enqueue(OutgoingRequest request, Completions& out);
  /// Hands waiting requests to free connections, opening new ones up to the limit.
  void dispatch(Completions& out);
  /// Closes every connection for good; the requests on them and in the queue fail with `why`.
  void teardown(const std::string& why, Completions& out);

 private:
  void onFinished(Outcome outcome, OutgoingRequest request, ClientResult result);
  void failQueue(const ClientResult& result, Completions& out) {
    for (auto& request : queue_) {
      out.push_back({std::move(request.done), result});
    }
    queue_.clear();
  }

  HttpClient::Impl& client_;
  const std::string host_;
  const uint16_t port_;
  const std::optional<TlsConfig> tls_;
  const std::string where_;
  std::shared_ptr<const PeerTarget> target_;  // with the TLS context; built on first use
  std::deque<OutgoingRequest> queue_;
  std::vector<ClientConnection> connections_;
  bool closed_ = false;
};

/// What post() leaves for the event thread.
struct InboxEntry {
  std::shared_ptr<Peer> peer;  // null when `error` is set
  OutgoingRequest request;
  std::string error;
};

}  // namespace detail

using detail::Completions;
using detail::InboxEntry;
using detail::Peer;

struct HttpClient::Impl : std::enable_shared_from_this<HttpClient::Impl> {
  Impl(std::shared_ptr<EventThread::Impl> thread_in, Options options_in)
      : thread(std::move(thread_in)), options(options_in) {
    options.connections_per_peer = std::max(1u, options.connections_per_peer);
  }

  /// Runs the callbacks (on the calling thread), each after pending() stopped counting it.
  void run(Completions& out) {
    const auto keep = shared_from_this();  // a callback may destroy the HttpClient
    for (auto& completion : out) {
      pending.fetch_sub(1);
      try {
        completion.done(std::move(completion.result));
      } catch (const std::exception& e) {
        TAKAHE_LOG(detail::logger(), HTTP_CLIENT_CALLBACK_FAILED, e.what());
      } catch (...) {
        TAKAHE_LOG(detail::logger(), HTTP_CLIENT_CALLBACK_FAILED, "unknown exception");
      }
    }
  }

  void drain() {
    {
      std::lock_guard lock(mutex);
      draining.swap(inbox);
      drain_posted = false;
    }
    Completions out;
    for (auto& entry : draining) {
      if (!entry.error.empty()) {
        out.push_back({std::move(entry.request.done), detail::failure(std::move(entry.error))});
        continue;
      }
      entry.peer->enqueue(std::move(entry.request), out);
      entry.peer->dispatch(out);
    }
    draining.clear();
    run(out);
  }

  void teardownRetired() {
    std::vector<std::shared_ptr<Peer>> old;
    {
      std::lock_guard lock(mutex);
      old.swap(retired);
    }
    Completions out;
    for (const auto& peer : old) {
      peer->teardown("cancelled: connections closed", out);
    }
    run(out);
  }

  /// The destructor's: everything fails with "client closed".
  void teardown() {
    std::vector<InboxEntry> entries;
    std::vector<std::shared_ptr<Peer>> old;
    {
      std::lock_guard lock(mutex);
      entries.swap(inbox);
      old.swap(retired);
      for (auto& [key, peer] : peers) {
        old.push_back(std::move(peer));
      }
      peers.clear();
    }
    Completions out;
    for (auto& entry : entries) {
      std::string error = entry.error.empty()
                              ? "request to " + entry.peer->where() + ": client closed"
                              : std::move(entry.error);
      out.push_back({std::move(entry.request.done), detail::failure(std::move(error))});
    }
    for (const auto& peer : old) {
      peer->teardown("client closed", out);
    }
    run(out);
  }

  const std::shared_ptr<EventThread::Impl> thread;
  Options options;
  std::atomic<std::size_t> pending{0};
  std::atomic<bool> teardown_claimed{false};

  std::mutex mutex;  // guards what follows
  std::unordered_map<std::string, std::shared_ptr<Peer>> peers;
  std::vector<InboxEntry> inbox;
  std::vector<std::shared_ptr<Peer>> retired;  // closeAll()'s, torn down on the event thread
  bool drain_posted = false;

  std::vector<InboxEntry> draining;  // event thread only; kept for its capacity
};

namespace detail {

void Peer::enqueue(OutgoingRequest request, Completions& out) {
  if (closed_) {
    out.push_back({std::move(request.done),
                   failure("request to " + where_ + ": cancelled: connections closed")});
  } else if (queue_.size() >= client_.options.max_queue) {
    out.push_back(
        {std::move(request.done), failure("request to " + where_ + ": queue full (" +
                                          std::to_string(queue_.size()) + " requests waiting)")});
  } else {
    queue_.push_back(std::move(request));
  }
}

void Peer::dispatch(Completions& out) {
  if (closed_) {
    return;
  }
  std::erase_if(connections_, [](const ClientConnection& c) { return c.closed(); });
  while (!queue_.empty()) {
    ClientConnection* free = nullptr;
    for (auto& connection : connections_) {
      if (connection.usable()) {
        free = &connection;
        break;
      }
    }
    if (free == nullptr) {
      if (connections_.size() >= client_.options.connections_per_peer) {
        return;  // all busy: the next answer dispatches again
      }
      if (!target_) {
        std::string error;
        target_ = makePeerTarget(host_, port_, tls_, error);
        if (!target_) {
          failQueue(failure(error), out);  // tried again with the next request
          return;
        }
      }
      connections_.emplace_back(
          client_.thread->io, target_,
          [this](Outcome outcome, OutgoingRequest request, ClientResult result) {
            onFinished(outcome, std::move(request), std::move(result));
          },
          client_.options.idle_close, true);
      free = &connections_.back();
    }
    free->send(std::move(queue_.front()));
    queue_.pop_front();
  }
}

void Peer::onFinished(Outcome outcome, OutgoingRequest request, ClientResult result) {
  Completions out;
  if (outcome == Outcome::kNotSent && !request.retried) {
    request.retried = true;  // the server had closed the connection: once more on a new one
    queue_.push_front(std::move(request));
  } else {
    const bool peer_unreachable = outcome == Outcome::kOpenFailed &&
                                  std::none_of(connections_.begin(), connections_.end(),
                                               [](const ClientConnection& c) { return c.up(); });
    if (peer_unreachable) {
      out.push_back({std::move(request.done), result});
      failQueue(result, out);
    } else {
      out.push_back({std::move(request.done), std::move(result)});
    }
  }
  dispatch(out);
  // Last: a callback may destroy this peer (closeAll()) or the whole client.
  client_.run(out);
}

void Peer::teardown(const std::string& why, Completions& out) {
  closed_ = true;
  const ClientResult result = failure("request to " + where_ + ": " + why);
  for (auto& connection : connections_) {
    if (auto request = connection.abandon()) {
      out.push_back({std::move(request->done), result});
    }
  }
  connections_.clear();
  failQueue(result, out);
}

namespace {

/// Everything that makes two configs different peers; the buffer is reused across calls.
void peerKey(const ClientConfig& config, std::string& key) {
  key.clear();
  key += config.host;
  key += '\0';
  key += std::to_string(config.port);
  if (config.tls) {
    key.append("\0tls\0", 5);
    key += config.tls->trust_anchor;
    key += '\0';
    key += config.tls->cert_file;
    key += '\0';
    key += config.tls->key_file;
  }
  if (config.auth) {
    key.append("\0auth\0", 6);
    key += config.auth->user;
    key += '\0';
    key += config.auth->password;
  }
}

}  // namespace

}  // namespace detail

HttpClient::HttpClient(EventThread& thread, Options options)
    : impl_(std::make_shared<Impl>(thread.impl_, options)) {}

HttpClient::HttpClient(EventThread& thread) : HttpClient(thread, Options{}) {}

HttpClient::~HttpClient() {
  const std::shared_ptr<Impl> impl = impl_;
  EventThread::Impl& thread = *impl->thread;
  if (!thread.onThread() && !thread.finished) {
    // The thread runs: close there (the connections are its objects) and wait, unless it ends
    // first.
    auto closed = std::make_shared<std::promise<void>>();
    auto future = closed->get_future();
    asio::post(thread.io, [weak = std::weak_ptr<Impl>(impl), closed] {
      if (auto self = weak.lock(); self && !self->teardown_claimed.exchange(true)) {
        self->teardown();
      }
      closed->set_value();
    });
    while (future.wait_for(std::chrono::milliseconds(10)) != std::future_status::ready) {
      if (thread.finished) {
        break;  // stopped before running it: no task runs any more
      }
    }
  }
  if (!impl->teardown_claimed.exchange(true)) {
    impl->teardown();
  }
}

void HttpClient::post(const ClientConfig& config, std::string json_body, Callback done) {
  InboxEntry entry;
  entry.request.timeout = config.timeout;
  entry.request.done = std::move(done);
  if (const std::string why = detail::checkClientConfig(config); !why.empty()) {
    entry.error = "request to " + detail::hostPort(config.host, config.port) + ": " + why;
  } else {
    entry.request.wire = detail::buildRequest(config, json_body, true);
  }
  thread_local std::string key;
  detail::peerKey(config, key);
  impl_->pending.fetch_add(1);
  bool wake = false;
  {
    std::lock_guard lock(impl_->mutex);
    if (entry.error.empty()) {
      auto& peer = impl_->peers[key];
      if (!peer) {
        peer = std::make_shared<Peer>(*impl_, config);
      }
      entry.peer = peer;
    }
    impl_->inbox.push_back(std::move(entry));
    wake = !std::exchange(impl_->drain_posted, true);
  }
  if (wake) {
    asio::post(impl_->thread->io, [weak = std::weak_ptr<Impl>(impl_)] {
      if (auto self = weak.lock()) {
        self->drain();
      }
    });
  }
}

void HttpClient::closeAll() {
  {
    std::lock_guard lock(impl_->mutex);
    for (auto& [key, peer] : impl_->peers) {
      impl_->retired.push_back(std::move(peer));
    }
    impl_->peers.clear();
  }
  if (impl_->thread->onThread()) {
    impl_->teardownRetired();
  } else {
    asio::post(impl_->thread->io, [weak = std::weak_ptr<Impl>(impl_)] {
      if (auto self = weak.lock()) {
        self->teardownRetired();
      }
    });
  }
}

std::size_t HttpClient::pending() const { return impl_->pending.load(); }

}  // namespace takahe::http
