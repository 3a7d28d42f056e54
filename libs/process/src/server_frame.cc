#include "takahe/process/server_frame.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <map>

#include "takahe/cc/map_reader.h"
#include "takahe/hooks/hooks_manager.h"
#include "takahe/http/http.h"
#include "takahe/http/listener_settings.h"
#include "takahe/process/unix_command_server.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::process {

namespace asio = boost::asio;

struct ServerFrame::Impl {
  asio::io_context io;
  asio::signal_set signals{io, SIGTERM, SIGINT, SIGHUP};
  asio::steady_timer shutdown_timer{io};
  std::map<std::string, std::unique_ptr<asio::steady_timer>> timers;  // by name

  struct Watch {
    std::unique_ptr<asio::posix::stream_descriptor> desc;
    std::function<void()> on_readable;
  };
  std::vector<std::unique_ptr<Watch>> watches;

  std::vector<std::unique_ptr<UnixCommandServer>> unix_channels;
  /// HTTP(S) channels with the JSON each was built from.
  std::vector<std::pair<cc::Value, std::unique_ptr<http::HttpServer>>> http_channels;
  std::vector<std::unique_ptr<http::HttpServer>> stopped_http;  // destroyed after their answers
  // A reconfiguration in progress (stageChannels .. commitChannels / rollbackChannels).
  std::vector<std::unique_ptr<UnixCommandServer>> staged_opened;
  std::vector<const UnixCommandServer*> staged_kept;
  bool http_changed = false;

  void waitRead(Watch* w) {
    w->desc->async_wait(asio::posix::stream_descriptor::wait_read, [this, w](const boost::system::error_code& ec) {
      if (ec) return;  // closed (clearWatches)
      w->on_readable();
      // The callback may have cleared the watches (a reconfiguration reopened the sockets).
      for (const auto& live : watches) {
        if (live.get() == w) {
          waitRead(w);
          return;
        }
      }
    });
  }
};

ServerFrame::ServerFrame(DaemonIdentity identity, const log::Logger& logger, FrameMessages messages)
    : identity_(std::move(identity)),
      logger_(logger),
      msgs_(messages),
      start_time_(nowUnixSeconds()),
      reload_time_(start_time_),
      impl_(std::make_unique<Impl>()) {}

ServerFrame::~ServerFrame() = default;

asio::io_context& ServerFrame::io() { return impl_->io; }

int ServerFrame::run() {
  impl_->io.run();
  return exit_code_;
}

void ServerFrame::stop(int exit_code) {
  exit_code_ = exit_code;
  impl_->io.stop();
}

void ServerFrame::waitSignals(std::function<void()> reload) {
  impl_->signals.async_wait([this, reload](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (sig == SIGHUP) {
      reload();
      waitSignals(reload);
      return;
    }
    TAKAHE_LOG(logger_, *msgs_.shutdown, sig == SIGTERM ? "SIGTERM" : "SIGINT");
    impl_->io.stop();
  });
}

void ServerFrame::shutdown(int exit_value, const std::string& why) {
  exit_code_ = exit_value;
  TAKAHE_LOG(logger_, *msgs_.shutdown, why);
  // Long enough for the answer to leave; the command servers write asynchronously.
  impl_->shutdown_timer.expires_after(std::chrono::milliseconds(200));
  impl_->shutdown_timer.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) impl_->io.stop();
  });
}

void ServerFrame::post(std::function<void()> fn) { asio::post(impl_->io, std::move(fn)); }

void ServerFrame::runAfter(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->io, delay);
  timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (!ec) fn();
  });
}

void ServerFrame::once(const std::string& name, std::chrono::milliseconds delay, std::function<void()> fn) {
  auto& slot = impl_->timers[name];
  slot = std::make_unique<asio::steady_timer>(impl_->io, delay);  // replaces (cancels) an earlier one
  asio::steady_timer* self = slot.get();
  slot->async_wait([this, name, self, fn = std::move(fn)](const boost::system::error_code& ec) {
    if (ec) return;
    auto it = impl_->timers.find(name);
    if (it != impl_->timers.end() && it->second.get() == self) impl_->timers.erase(it);
    fn();
  });
}

void ServerFrame::every(const std::string& name, std::chrono::milliseconds period, std::function<void()> fn) {
  if (period.count() <= 0) {
    cancelTimer(name);
    return;
  }
  auto& slot = impl_->timers[name];
  slot = std::make_unique<asio::steady_timer>(impl_->io, period);
  asio::steady_timer* self = slot.get();
  auto tick = std::make_shared<std::function<void(const boost::system::error_code&)>>();
  *tick = [this, name, self, period, fn = std::move(fn), tick_weak = std::weak_ptr(tick)](const boost::system::error_code& ec) {
    if (ec) return;
    fn();
    // fn may have replaced or cancelled this timer.
    auto it = impl_->timers.find(name);
    if (it == impl_->timers.end() || it->second.get() != self) return;
    if (auto again = tick_weak.lock()) {
      self->expires_after(period);
      self->async_wait([again](const boost::system::error_code& e) { (*again)(e); });
    }
  };
  slot->async_wait([tick](const boost::system::error_code& e) { (*tick)(e); });
}

void ServerFrame::cancelTimer(const std::string& name) { impl_->timers.erase(name); }

void ServerFrame::watch(int fd, std::function<void()> on_readable) {
  auto w = std::make_unique<Impl::Watch>();
  // The descriptor belongs to the caller: Asio gets a duplicate it may close.
  w->desc = std::make_unique<asio::posix::stream_descriptor>(impl_->io, ::dup(fd));
  w->on_readable = std::move(on_readable);
  Impl::Watch* raw = w.get();
  impl_->watches.push_back(std::move(w));
  impl_->waitRead(raw);
}

void ServerFrame::clearWatches() {
  // Pending waits complete with operation_aborted once their descriptors are closed; the watch
  // objects must outlive those handlers, so they are released on a later turn.
  auto old = std::make_shared<std::vector<std::unique_ptr<Impl::Watch>>>(std::move(impl_->watches));
  impl_->watches.clear();
  for (auto& w : *old) w->desc->close();
  post([old] {});
}

void ServerFrame::markReconfigured() { reload_time_ = nowUnixSeconds(); }

void ServerFrame::scheduleEnable(uint32_t seconds, const std::string& origin) {
  once("enable:" + origin, std::chrono::seconds(seconds), [this, origin] {
    network_.enable(origin);
    TAKAHE_LOG(logger_, *msgs_.service_reenabled, origin);
  });
}

void ServerFrame::cancelScheduledEnable(const std::string& origin) { cancelTimer("enable:" + origin); }

// --- control channels ---------------------------------------------------------------------

namespace {

/// Listener settings of one http(s) control socket (Kea 3 keys). Throws ConfigError.
http::ServerConfig httpSettings(const ControlChannelSpec& spec, const DaemonIdentity& id,
                                std::vector<std::string>& warnings) {
  cc::MapReader r(spec.raw, id.config_root + "/control-sockets[" + spec.type + "]");
  r.getString("socket-type");
  http::ServerConfig c;
  c.address = r.getString("socket-address").value_or("127.0.0.1");
  c.port = static_cast<uint16_t>(r.getInt("socket-port", 1, 65535).value_or(8000));
  http::readListenerSettings(r, c, warnings, id.name);
  if (spec.type == "https" && !c.tls) {
    r.fail("socket-type", "an 'https' control socket needs trust-anchor, cert-file and key-file");
  }
  if (spec.type == "http" && c.tls) r.fail("socket-type", "TLS files are given: use 'https'");
  r.finish(warnings);
  return c;
}

}  // namespace

void ServerFrame::stageChannels(const std::vector<ControlChannelSpec>& specs) {
  Impl& m = *impl_;
  m.staged_opened.clear();
  m.staged_kept.clear();
  m.http_changed = false;
  for (const auto& spec : specs) {
    if (spec.type != "unix") continue;
    auto same = std::find_if(m.unix_channels.begin(), m.unix_channels.end(),
                             [&](const auto& srv) { return srv->path() == spec.name; });
    if (same != m.unix_channels.end()) {
      m.staged_kept.push_back(same->get());
      continue;
    }
    auto srv = std::make_unique<UnixCommandServer>(m.io, spec.name, registry_);
    try {
      srv->start();
    } catch (...) {
      m.staged_opened.clear();
      throw;
    }
    TAKAHE_LOG(logger_, *msgs_.control_socket, spec.name);
    m.staged_opened.push_back(std::move(srv));
  }

  // HTTP listeners: replaced as a whole when their settings changed. The old ones stop first
  // (their port may be reused) and are destroyed after the current answer has gone out.
  std::vector<cc::Value> wanted;
  for (const auto& spec : specs) {
    if (spec.type != "unix") wanted.push_back(spec.raw);
  }
  bool same = wanted.size() == m.http_channels.size();
  for (size_t i = 0; same && i < wanted.size(); ++i) same = wanted[i] == m.http_channels[i].first;
  if (same) return;
  std::vector<std::string> warnings;
  std::vector<http::ServerConfig> settings;
  try {
    for (const auto& spec : specs) {
      if (spec.type != "unix") settings.push_back(httpSettings(spec, identity_, warnings));
    }
  } catch (...) {
    m.staged_opened.clear();
    throw;
  }
  m.http_changed = true;
  for (auto& [raw, srv] : m.http_channels) {
    srv->stop();
    m.stopped_http.push_back(std::move(srv));
  }
  m.http_channels.clear();
  post([this] { impl_->stopped_http.clear(); });
  for (size_t i = 0; i < settings.size(); ++i) {
    auto srv = std::make_unique<http::HttpServer>(m.io, settings[i], [this](const http::Request& req, http::Respond respond) {
      // Kea wraps every answer sent over HTTP in a list.
      cc::Value list = cc::Value::makeList();
      list.push(registry_.executeText(req.body));
      http::Response res;
      res.body = list.toJson();
      respond(std::move(res));
    });
    try {
      srv->start();
    } catch (...) {
      for (auto& [raw, opened] : m.http_channels) opened->stop();
      m.http_channels.clear();
      m.staged_opened.clear();
      throw;
    }
    TAKAHE_LOG(logger_, *msgs_.control_socket,
               (settings[i].tls ? "https://" : "http://") + settings[i].address + ":" + std::to_string(settings[i].port));
    m.http_channels.emplace_back(wanted[i], std::move(srv));
  }
}

void ServerFrame::commitChannels() {
  Impl& m = *impl_;
  std::vector<std::unique_ptr<UnixCommandServer>> next, retired;
  for (auto& srv : m.unix_channels) {
    bool stays = std::find(m.staged_kept.begin(), m.staged_kept.end(), srv.get()) != m.staged_kept.end();
    (stays ? next : retired).push_back(std::move(srv));
  }
  for (auto& srv : m.staged_opened) next.push_back(std::move(srv));
  m.unix_channels = std::move(next);
  m.staged_opened.clear();
  m.staged_kept.clear();
  m.http_changed = false;
  if (!retired.empty()) {
    // Channels no longer configured close after the current command's answer has gone out.
    auto keep = std::make_shared<std::vector<std::unique_ptr<UnixCommandServer>>>(std::move(retired));
    post([keep] { keep->clear(); });
  }
}

void ServerFrame::rollbackChannels(const std::vector<ControlChannelSpec>* previous) {
  Impl& m = *impl_;
  m.staged_opened.clear();
  m.staged_kept.clear();
  if (!m.http_changed) return;
  m.http_changed = false;
  if (!previous) return;
  // Put the previous HTTP listeners back (the UNIX sockets never changed).
  std::vector<ControlChannelSpec> http_only;
  for (const auto& spec : *previous) {
    if (spec.type != "unix") http_only.push_back(spec);
  }
  try {
    stageChannels(http_only);
  } catch (const std::exception& e) {
    TAKAHE_LOG(logger_, *msgs_.open_socket_fail, e.what());
  }
  m.staged_opened.clear();
  m.staged_kept.clear();
  m.http_changed = false;
}

// --- hooks --------------------------------------------------------------------------------

void ServerFrame::connectHooks(hooks::HooksManager& manager, int command_processed) {
  manager.setCommandSink({[this](const std::string& name, hooks::CommandFn fn) { registry_.add(name, std::move(fn)); },
                          [this](const std::string& name) { registry_.remove(name); }});
  registry_.setAnswerObserver([&manager, command_processed](const cc::Command& command, cc::Value& answer) {
    if (!manager.calloutsPresent(command_processed)) return;
    auto handle = manager.createHandle();
    handle->setArgument("name", command.name);
    handle->setArgument("arguments", command.arguments.value_or(cc::Value()));
    handle->setArgument("response", answer);
    manager.callCallouts(command_processed, *handle);
    if (auto* changed = handle->argument<cc::Value>("response")) answer = *changed;
  });
}

bool ServerFrame::replaceHooks(hooks::HooksManager& manager, const std::vector<hooks::HookLibraryConfig>& libraries,
                               bool multi_threading, uint32_t parked_packet_limit,
                               const std::vector<hooks::HookLibraryConfig>* previous, const std::string& path) {
  if (libraries == manager.loaded()) return false;
  hooks::HooksManager::validate(libraries, multi_threading, path);
  manager.setParkingLimit(parked_packet_limit ? parked_packet_limit : SIZE_MAX);
  try {
    manager.load(libraries, multi_threading);
  } catch (const std::exception& e) {
    TAKAHE_LOG(logger_, *msgs_.hooks_load_fail, e.what());
    if (previous) restoreHooks(manager, *previous, multi_threading);
    throw;
  }
  return true;
}

void ServerFrame::restoreHooks(hooks::HooksManager& manager, const std::vector<hooks::HookLibraryConfig>& libraries,
                               bool multi_threading) {
  try {
    manager.load(libraries, multi_threading);
  } catch (const std::exception& e) {
    TAKAHE_LOG(logger_, *msgs_.hooks_load_fail, std::string("restoring the previous libraries: ") + e.what());
  }
}

void ServerFrame::restoreLogging(const std::vector<log::LoggerSpec>& loggers) {
  try {
    log::configure(loggers);
  } catch (...) {
    // The previous outputs were in use a moment ago; if one cannot be set up again now, the
    // logging set up so far stays.
  }
}

void ServerFrame::applyStatisticDefaults(stats::StatsStore& stats, int64_t sample_count, int64_t sample_age) {
  if (sample_count == 0 && sample_age > 0) {
    stats.setMaxSampleAgeAll(std::chrono::seconds(sample_age));
  } else {
    stats.setMaxSampleCountAll(static_cast<uint32_t>(std::max<int64_t>(1, sample_count)));
  }
}

}  // namespace takahe::process
