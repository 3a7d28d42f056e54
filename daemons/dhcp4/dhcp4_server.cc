#include "dhcp4_server.h"

#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>

#include "control_commands.h"
#include "db_recovery.h"
#include "hooks4.h"
#include "dhcp4_messages.h"
#include "network_state.h"
#include "packet_path.h"
#include "processor.h"
#include "lease_store_open.h"
#include "socket_set.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/dhcpsrv/sql_host_store.h"
#include "takahe/dhcpsrv/sql_lease_store.h"
#include "takahe/db/connection.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/cc/map_reader.h"
#include "takahe/http/http.h"
#include "takahe/http/listener_settings.h"
#include "takahe/log/config.h"
#include "takahe/process/command_registry.h"
#include "takahe/process/unix_command_server.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"
#include "takahe_config.h"

namespace takahe::dhcp4 {

namespace asio = boost::asio;
using dhcpsrv::SrvConfig4Ptr;


struct Dhcp4Server::Impl final : ServerControl {
  ServerOptions opts;
  asio::io_context io;
  asio::signal_set signals{io, SIGTERM, SIGINT, SIGHUP};
  asio::steady_timer reclaim_timer{io};
  asio::steady_timer flush_timer{io};
  asio::steady_timer lfc_timer{io};
  asio::steady_timer lfc_poll_timer{io};
  std::map<std::string, std::unique_ptr<asio::steady_timer>> enable_timers;  // by origin
  asio::steady_timer shutdown_timer{io};
  process::CommandRegistry registry;
  std::vector<std::unique_ptr<process::UnixCommandServer>> control_servers;
  /// HTTP(S) control channels (Kea 3 `control-sockets`), with the JSON each was built from.
  std::vector<std::pair<cc::Value, std::unique_ptr<http::HttpServer>>> http_channels;
  std::vector<std::unique_ptr<http::HttpServer>> stopped_http;  // destroyed after their answers
  NetworkState network;
  int64_t start_time = nowUnixSeconds();
  int64_t reload_time = nowUnixSeconds();
  std::vector<std::string> socket_errors;
  log::Logger logger{"takahe-dhcp4"};

  SrvConfig4Ptr config;
  stats::StatsStore stats_store;
  std::unique_ptr<dhcpsrv::LeaseStore4> store;
  std::unique_ptr<Processor> processor_;
  Hooks4 hooks;
  PacketPath packets{PacketPath::Context{processor_, hooks, sockets, config, network, stats_store, logger,
                                         [this] { return ports(); },
                                         [this](std::function<void()> fn) { asio::post(io, std::move(fn)); },
                                         [this](const std::string& why) { db_recovery.lost(why); }}};
  DbRecovery db_recovery{network, logger,
                         DbRecovery::Hooks{[this](std::string& error) { return reconnectStore(error); },
                                           [this](uint32_t ms, std::function<void()> fn) { runAfter(ms, std::move(fn)); },
                                           [this](int code) {
                                             exit_code = code;
                                             io.stop();
                                           },
                                           [this] {
                                             // Statistics count the leases again.
                                             if (processor_ && config) processor_->configure(*config);
                                           }}};
  std::unique_ptr<dhcpsrv::HostStore4> host_store;  // reservations added by command
  dhcpsrv::ServerServices4 services;
  SocketSet sockets;
  struct Watch {
    std::unique_ptr<asio::posix::stream_descriptor> desc;
    ServedInterface* served;
    bool companion;  // the UDP socket beside a raw one: drained, not processed
  };
  std::vector<Watch> watches;
  std::vector<net::Datagram4> batch;
  unsigned unwarned_cycles = 0;
  int exit_code = 0;

  ReplyPorts ports() const {
    ReplyPorts p;
    if (opts.reply_port) {
      p.client = p.relay = *opts.reply_port;
    } else {
      p.client = 68;
      p.relay = 67;
    }
    return p;
  }

  void logWarnings(const dhcpsrv::SrvConfig4& cfg) {
    for (const auto& w : cfg.warnings) TAKAHE_LOG(logger, DHCP4_CONFIG_WARNING, w);
  }

  std::unique_ptr<dhcpsrv::LeaseStore4> openStore(const dhcpsrv::SrvConfig4& cfg) {
    return openLeaseStore(cfg, opts.config_file, logger);
  }

  /// A lost database connection starts recovery (on-fail).
  void noteDbFailure(const std::exception& e) {
    if (const auto* dbe = dynamic_cast<const db::DbError*>(&e); dbe && dbe->connectionLost()) db_recovery.lost(e.what());
  }

  /// Reconnects whichever SQL store lost its database (leases, reservations).
  bool reconnectStore(std::string& error) {
    auto* leases = dynamic_cast<dhcpsrv::SqlLeaseStore4*>(store.get());
    if (leases && !leases->connected() && !leases->reconnect(&error)) return false;
    auto* hosts = dynamic_cast<dhcpsrv::SqlHostStore4*>(host_store.get());
    if (hosts && !hosts->connected() && !hosts->reconnect(&error)) return false;
    return true;
  }

  void runAfter(uint32_t ms, std::function<void()> fn) {
    auto timer = std::make_shared<asio::steady_timer>(io, std::chrono::milliseconds(ms));
    timer->async_wait([timer, fn = std::move(fn)](const boost::system::error_code& ec) {
      if (!ec) fn();
    });
  }

  /// The memfile store, or nullptr when leases are in a database.
  dhcpsrv::MemfileLeaseStore4* memfile() const { return dynamic_cast<dhcpsrv::MemfileLeaseStore4*>(store.get()); }

  void openSockets(const dhcpsrv::SrvConfig4& cfg) {
    watches.clear();
    std::vector<std::string> errors, opened;
    sockets.open(cfg.interfaces, opts.server_port, errors, opened);
    socket_errors = errors;
    for (const auto& e : errors) TAKAHE_LOG(logger, DHCP4_OPEN_SOCKET_FAIL, e);
    if (cfg.interfaces.service_sockets_require_all && !errors.empty()) {
      throw Error("service-sockets-require-all is set and " + std::to_string(errors.size()) +
                  " interface(s) could not be opened: " + errors.front());
    }
    for (auto& s : sockets.served()) {
      TAKAHE_LOG(logger, DHCP4_OPEN_SOCKET, s.iface.name, s.reader ? "raw" : "udp", opts.server_port);
      if (s.reader) addWatch(s, s.reader->fd(), false);
      if (s.udp) addWatch(s, s.udp->fd(), s.reader != nullptr);
    }
    if (sockets.empty()) TAKAHE_LOG(logger, DHCP4_NO_SOCKETS);
  }

  void addWatch(ServedInterface& s, int fd, bool companion) {
    Watch w;
    // The descriptor is owned by the socket object: give Asio a duplicate it may close.
    w.desc = std::make_unique<asio::posix::stream_descriptor>(io, ::dup(fd));
    w.served = &s;
    w.companion = companion;
    watches.push_back(std::move(w));
    waitRead(watches.size() - 1);
  }

  void waitRead(size_t index) {
    Watch& w = watches[index];
    w.desc->async_wait(asio::posix::stream_descriptor::wait_read, [this, index, d = w.desc.get()](const boost::system::error_code& ec) {
      if (ec || index >= watches.size() || watches[index].desc.get() != d) return;  // closed or replaced
      onReadable(watches[index]);
      waitRead(index);
    });
  }

  void onReadable(Watch& w) {
    ServedInterface& s = *w.served;
    if (w.companion) {
      s.udp->discardPending(256);
      return;
    }
    net::PacketSocket4& sock = s.reader ? *s.reader : static_cast<net::PacketSocket4&>(*s.udp);
    // Bounded work per wake-up so timers and signals stay responsive.
    for (int round = 0; round < 8; ++round) {
      size_t n = sock.receiveBatch(batch, 32);
      if (n == 0) break;
      for (size_t i = 0; i < n; ++i) packets.handle(s, batch[i]);
    }
  }

  // --- timers -------------------------------------------------------------------------------

  void scheduleReclaim() {
    const auto& e = config->expired_leases;
    if (e.reclaim_timer_wait_time == 0) return;
    reclaim_timer.expires_after(std::chrono::seconds(e.reclaim_timer_wait_time));
    reclaim_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      try {
        int64_t t0 = monotonicMicros();
        auto [n, more] = processor_->reclaimExpired(*config, nowUnixSeconds());
        if (n) TAKAHE_LOG_DEBUG(logger, 40, DHCP4_RECLAIMED, n, (monotonicMicros() - t0) / 1000);
        unwarned_cycles = more ? unwarned_cycles + 1 : 0;
        auto limit = config->expired_leases.unwarned_reclaim_cycles;
        if (limit && unwarned_cycles >= limit) {
          TAKAHE_LOG(logger, DHCP4_RECLAIM_INCOMPLETE, unwarned_cycles);
          unwarned_cycles = 0;
        }
      } catch (const std::exception& ex) {
        TAKAHE_LOG(logger, DHCP4_PROCESS_FAIL, "reclamation", ex.what());
        noteDbFailure(ex);
      }
      scheduleReclaim();
    });
  }

  void scheduleFlush() {
    const auto& e = config->expired_leases;
    if (e.flush_reclaimed_timer_wait_time == 0) return;
    flush_timer.expires_after(std::chrono::seconds(e.flush_reclaimed_timer_wait_time));
    flush_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      try {
        processor_->flushReclaimed(*config, nowUnixSeconds());
      } catch (const std::exception& ex) {
        TAKAHE_LOG(logger, DHCP4_PROCESS_FAIL, "flush of reclaimed leases", ex.what());
        noteDbFailure(ex);
      }
      scheduleFlush();
    });
  }

  void scheduleLfc() {
    int64_t interval = config->lease_database.lfc_interval;
    if (interval <= 0 || !config->lease_database.persist || config->lease_database.sql) return;
    lfc_timer.expires_after(std::chrono::seconds(interval));
    lfc_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      try {
        auto* m = memfile();
        if (m && m->startLfc() == dhcpsrv::LfcStart::kStarted) TAKAHE_LOG(logger, DHCP4_LFC_START);
      } catch (const std::exception& ex) {
        TAKAHE_LOG(logger, DHCP4_LFC_FAIL, ex.what());
      }
      scheduleLfc();
    });
  }

  void scheduleLfcPoll() {
    lfc_poll_timer.expires_after(std::chrono::seconds(1));
    lfc_poll_timer.async_wait([this](const boost::system::error_code& ec) {
      if (ec) return;
      if (auto* m = memfile()) {
        if (auto rc = m->pollLfc(); rc && *rc != 0) {
          TAKAHE_LOG(logger, DHCP4_LFC_FAIL, "takahe-lfc exited with status " + std::to_string(*rc));
        }
      }
      scheduleLfcPoll();
    });
  }

  void restartTimers() {
    reclaim_timer.cancel();
    flush_timer.cancel();
    lfc_timer.cancel();
    scheduleReclaim();
    scheduleFlush();
    scheduleLfc();
  }

  void waitSignals(std::function<bool()> reload_fn) {
    signals.async_wait([this, reload_fn](const boost::system::error_code& ec, int sig) {
      if (ec) return;
      if (sig == SIGHUP) {
        reload_fn();
        waitSignals(reload_fn);
        return;
      }
      TAKAHE_LOG(logger, DHCP4_SHUTDOWN, sig == SIGTERM ? "SIGTERM" : "SIGINT");
      io.stop();
    });
  }

  // --- configuration ------------------------------------------------------------------------

  /// Moves the running server to `cfg`. Everything that can fail happens before the new
  /// configuration becomes current, and each step is undone when a later one fails, so a
  /// rejected reload leaves the server exactly as it was (sockets, leases, logging).
  void applyConfig(SrvConfig4Ptr cfg, bool initial) {
    SrvConfig4Ptr previous = config;
    log::configure(cfg->loggers);  // validates first, changes nothing on error
    bool sockets_changed = false;
    std::vector<std::unique_ptr<process::UnixCommandServer>> opened_channels, retired;
    std::vector<const process::UnixCommandServer*> kept_channels;
    bool http_changed = false;
    bool hooks_changed = false;
    std::unique_ptr<dhcpsrv::HostStore4> fresh_hosts;
    try {
      // On start-up the lease database comes first, as in Kea: a server its database refuses
      // exits without ever listening.
      if (initial && !leaseStoreMatches(store.get(), *cfg)) replaceStore(*cfg, previous);
      bool reopen_sockets = initial || !previous || !sameInterfaces(*previous, *cfg);
      if (reopen_sockets) {
        sockets_changed = true;  // openSockets closes the old sockets before it can fail
        openSockets(*cfg);
      }
      prepareControlSockets(*cfg, opened_channels, kept_channels);
      http_changed = replaceHttpChannels(*cfg, previous);
      if (!hostStoreMatches(host_store.get(), *cfg)) fresh_hosts = openHostStore(*cfg, logger);
      hooks_changed = replaceHooks(*cfg, previous);
      if (!leaseStoreMatches(store.get(), *cfg)) replaceStore(*cfg, previous);
    } catch (...) {
      if (previous) {
        if (hooks_changed) restoreHooks(*previous);
        if (sockets_changed) reopenQuietly(*previous);
        if (http_changed) {
          try {
            replaceHttpChannels(*previous, nullptr);
          } catch (const std::exception& e) {
            TAKAHE_LOG(logger, DHCP4_OPEN_SOCKET_FAIL, e.what());
          }
        }
        try {
          log::configure(previous->loggers);
        } catch (...) {
        }
      }
      throw;
    }
    if (fresh_hosts) {
      host_store = std::move(fresh_hosts);
      services.hosts = host_store.get();
      if (processor_) processor_->setHooks(&hooks, host_store.get());
    }
    logWarnings(*cfg);
    // As in Kea, the age limit applies only when the count limit is 0.
    if (cfg->statistic_default_sample_count == 0 && cfg->statistic_default_sample_age > 0) {
      stats_store.setMaxSampleAgeAll(std::chrono::seconds(cfg->statistic_default_sample_age));
    } else {
      stats_store.setMaxSampleCountAll(static_cast<uint32_t>(std::max<int64_t>(1, cfg->statistic_default_sample_count)));
    }
    processor_->configure(*cfg);
    processor_->engine().resetCursors();
    if (cfg->lease_database.sql) {
      db_recovery.configure(*cfg->lease_database.sql);
    } else if (cfg->hosts_database.sql) {
      db_recovery.configure(*cfg->hosts_database.sql);
    }
    config = std::move(cfg);
    reload_time = nowUnixSeconds();
    commitControlSockets(opened_channels, kept_channels, retired);
    restartTimers();
    if (hooks.present(hooks.dhcp4_srv_configured)) {
      auto handle = hooks.manager().createHandle();
      handle->setArgument("json_config", config->source);
      handle->setArgument("server_config", config);
      hooks.call(hooks.dhcp4_srv_configured, *handle);
    }
    if (!retired.empty()) {
      // Channels no longer configured close after the current command's answer has gone out.
      auto keep = std::make_shared<std::vector<std::unique_ptr<process::UnixCommandServer>>>(std::move(retired));
      asio::post(io, [keep] { keep->clear(); });
    }
  }

  /// Opens the unix control sockets `cfg` names that are not open yet (into `opened`) and notes
  /// which running ones stay (`kept`). Nothing running changes; on failure `opened` closes.
  void prepareControlSockets(const dhcpsrv::SrvConfig4& cfg,
                             std::vector<std::unique_ptr<process::UnixCommandServer>>& opened,
                             std::vector<const process::UnixCommandServer*>& kept) {
    for (const auto& spec : cfg.control_sockets) {
      if (spec.type != "unix") continue;
      auto same = std::find_if(control_servers.begin(), control_servers.end(),
                               [&](const auto& srv) { return srv->path() == spec.name; });
      if (same != control_servers.end()) {
        kept.push_back(same->get());
        continue;
      }
      auto srv = std::make_unique<process::UnixCommandServer>(io, spec.name, registry);
      srv->start();
      TAKAHE_LOG(logger, DHCP4_CONTROL_SOCKET, spec.name);
      opened.push_back(std::move(srv));
    }
  }

  /// Listener settings of one http(s) control socket (Kea 3 keys). Throws ConfigError.
  http::ServerConfig httpSettings(const dhcpsrv::ControlSocketSpec& spec, std::vector<std::string>& warnings) {
    cc::MapReader r(spec.raw, "Dhcp4/control-sockets[" + spec.type + "]");
    r.getString("socket-type");
    http::ServerConfig c;
    c.address = r.getString("socket-address").value_or("127.0.0.1");
    c.port = static_cast<uint16_t>(r.getInt("socket-port", 1, 65535).value_or(8000));
    http::readListenerSettings(r, c, warnings, "takahe-dhcp4");
    if (spec.type == "https" && !c.tls) {
      r.fail("socket-type", "an 'https' control socket needs trust-anchor, cert-file and key-file");
    }
    if (spec.type == "http" && c.tls) r.fail("socket-type", "TLS files are given: use 'https'");
    r.finish(warnings);
    return c;
  }

  /// Replaces the HTTP control channels when their configuration changed; returns whether it
  /// did. Old listeners stop first (their port may be reused) and are destroyed after the
  /// current answer has gone out. Throws, with the new listeners closed, when one cannot open.
  bool replaceHttpChannels(const dhcpsrv::SrvConfig4& cfg, const SrvConfig4Ptr& /*previous*/) {
    std::vector<cc::Value> wanted;
    for (const auto& spec : cfg.control_sockets) {
      if (spec.type != "unix") wanted.push_back(spec.raw);
    }
    bool same = wanted.size() == http_channels.size();
    for (size_t i = 0; same && i < wanted.size(); ++i) same = wanted[i] == http_channels[i].first;
    if (same) return false;
    std::vector<std::string> warnings;
    std::vector<http::ServerConfig> settings;
    for (const auto& spec : cfg.control_sockets) {
      if (spec.type != "unix") settings.push_back(httpSettings(spec, warnings));
    }
    for (auto& [raw, srv] : http_channels) {
      srv->stop();
      stopped_http.push_back(std::move(srv));
    }
    http_channels.clear();
    asio::post(io, [this] { stopped_http.clear(); });
    for (size_t i = 0; i < settings.size(); ++i) {
      auto srv = std::make_unique<http::HttpServer>(io, settings[i], [this](const http::Request& req, http::Respond respond) {
        // Kea wraps every answer sent over HTTP in a list.
        cc::Value list = cc::Value::makeList();
        list.push(registry.executeText(req.body));
        http::Response res;
        res.body = list.toJson();
        respond(std::move(res));
      });
      try {
        srv->start();
      } catch (...) {
        for (auto& [raw, opened] : http_channels) opened->stop();
        http_channels.clear();
        throw;
      }
      TAKAHE_LOG(logger, DHCP4_CONTROL_SOCKET, (settings[i].tls ? "https://" : "http://") + settings[i].address + ":" +
                                                   std::to_string(settings[i].port));
      http_channels.emplace_back(wanted[i], std::move(srv));
    }
    return true;
  }

  /// Makes the prepared set current; channels no longer configured move to `retired`.
  void commitControlSockets(std::vector<std::unique_ptr<process::UnixCommandServer>>& opened,
                            const std::vector<const process::UnixCommandServer*>& kept,
                            std::vector<std::unique_ptr<process::UnixCommandServer>>& retired) {
    std::vector<std::unique_ptr<process::UnixCommandServer>> next;
    for (auto& srv : control_servers) {
      bool stays = std::find(kept.begin(), kept.end(), srv.get()) != kept.end();
      (stays ? next : retired).push_back(std::move(srv));
    }
    for (auto& srv : opened) next.push_back(std::move(srv));
    control_servers = std::move(next);
  }

  // --- ServerControl ------------------------------------------------------------------------

  SrvConfig4Ptr currentConfig() const override { return config; }
  const std::string& configFile() const override { return opts.config_file; }
  void applyConfig(SrvConfig4Ptr cfg) override { applyConfig(std::move(cfg), false); }
  stats::StatsStore& stats() override { return stats_store; }
  Processor& processor() override { return *processor_; }
  NetworkState& networkState() override { return network; }
  int64_t startTime() const override { return start_time; }
  int64_t reloadTime() const override { return reload_time; }
  std::vector<std::string> socketErrors() const override { return socket_errors; }

  void scheduleEnable(uint32_t seconds, const std::string& origin) override {
    auto& timer = enable_timers[origin];
    timer = std::make_unique<asio::steady_timer>(io);  // replaces (and cancels) an earlier one
    timer->expires_after(std::chrono::seconds(seconds));
    timer->async_wait([this, origin](const boost::system::error_code& ec) {
      if (ec) return;
      network.enable(origin);
      TAKAHE_LOG(logger, DHCP4_SERVICE_REENABLED, origin);
      enable_timers.erase(origin);
    });
  }

  void cancelScheduledEnable(const std::string& origin) override { enable_timers.erase(origin); }

  void shutdown(int exit_value) override {
    exit_code = exit_value;
    TAKAHE_LOG(logger, DHCP4_SHUTDOWN, "shutdown command");
    // Long enough for the answer to leave; the command server writes asynchronously.
    shutdown_timer.expires_after(std::chrono::milliseconds(200));
    shutdown_timer.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) io.stop();
    });
  }

  static bool sameInterfaces(const dhcpsrv::SrvConfig4& a, const dhcpsrv::SrvConfig4& b) {
    const cc::Value* x = a.source.find("interfaces-config");
    const cc::Value* y = b.source.find("interfaces-config");
    if (!x || !y) return x == y;
    return *x == *y;
  }

  void reopenQuietly(const dhcpsrv::SrvConfig4& cfg) {
    try {
      openSockets(cfg);
    } catch (const std::exception& e) {
      TAKAHE_LOG(logger, DHCP4_OPEN_SOCKET_FAIL, e.what());
    }
  }

  std::unique_ptr<Processor> makeProcessor() {
    auto p = std::make_unique<Processor>(*store, stats_store);
    p->setHooks(&hooks, host_store.get());
    services.leases = store.get();
    return p;
  }

  /// Loads the configured hook libraries when the list changed (an unchanged list keeps the
  /// libraries loaded, with their state). On failure the previous libraries are loaded again and
  /// the error is rethrown.
  bool replaceHooks(const dhcpsrv::SrvConfig4& cfg, const SrvConfig4Ptr& previous) {
    auto& manager = hooks.manager();
    if (cfg.hooks_libraries == manager.loaded()) return false;
    hooks::HooksManager::validate(cfg.hooks_libraries, cfg.multi_threading.enabled, "Dhcp4/hooks-libraries");
    manager.setParkingLimit(cfg.parked_packet_limit ? cfg.parked_packet_limit : SIZE_MAX);
    try {
      manager.load(cfg.hooks_libraries, cfg.multi_threading.enabled);
    } catch (const std::exception& e) {
      TAKAHE_LOG(logger, DHCP4_HOOKS_LOAD_FAIL, e.what());
      if (previous) restoreHooks(*previous);
      throw;
    }
    return true;
  }

  void restoreHooks(const dhcpsrv::SrvConfig4& cfg) {
    try {
      hooks.manager().load(cfg.hooks_libraries, cfg.multi_threading.enabled);
    } catch (const std::exception& e) {
      TAKAHE_LOG(logger, DHCP4_HOOKS_LOAD_FAIL, std::string("restoring the previous libraries: ") + e.what());
    }
  }

  /// Publishes the server's stores and statistics to hook libraries, and library commands in
  /// the command registry. Once, before the first configuration.
  void initHooks() {
    services.stats = &stats_store;
    services.config = [this] { return config; };
    services.hosts = host_store.get();
    services.post = [this](std::function<void()> fn) { asio::post(io, std::move(fn)); };
    services.execute = [this](const cc::Command& command) {
      return registry.execute(cc::makeCommand(command.name, command.arguments, command.services));
    };
    dhcpsrv::setServerServices4(&services);
    hooks.manager().setCommandSink({[this](const std::string& name, hooks::CommandFn fn) { registry.add(name, std::move(fn)); },
                                    [this](const std::string& name) { registry.remove(name); }});
    registry.setAnswerObserver([this](const cc::Command& command, cc::Value& answer) {
      if (!hooks.present(hooks.command_processed)) return;
      auto handle = hooks.manager().createHandle();
      handle->setArgument("name", command.name);
      handle->setArgument("arguments", command.arguments.value_or(cc::Value()));
      handle->setArgument("response", answer);
      hooks.call(hooks.command_processed, *handle);
      if (auto* changed = handle->argument<cc::Value>("response")) answer = *changed;
    });
  }

  void replaceStore(const dhcpsrv::SrvConfig4& cfg, const SrvConfig4Ptr& previous) {
    bool same_file = sameLeaseFile(store.get(), cfg);
    if (same_file) {
      // Same file, other settings: the old store must let go of the file's lock first, and
      // comes back if the new settings cannot be used.
      processor_.reset();
      store.reset();
    }
    std::unique_ptr<dhcpsrv::LeaseStore4> fresh;
    try {
      fresh = openStore(cfg);
    } catch (...) {
      if (same_file && previous) {
        try {
          store = openStore(*previous);
          processor_ = makeProcessor();
          processor_->configure(*previous);
        } catch (const std::exception& e) {
          // Neither the new nor the old lease file can be used: serving without a lease store
          // is impossible, so the server stops (a supervisor restarts it) instead of crashing.
          TAKAHE_LOG(logger, DHCP4_LEASE_STORE_LOST, e.what());
          exit_code = 1;
          io.stop();
        }
      }
      throw;
    }
    processor_.reset();
    store = std::move(fresh);
    processor_ = makeProcessor();
  }
};

Dhcp4Server::Dhcp4Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->opts = std::move(options);
}

Dhcp4Server::~Dhcp4Server() {
  // Libraries go while everything they may touch still exists.
  impl_->hooks.manager().unloadAll();
  dhcpsrv::setServerServices4(nullptr);
}

void Dhcp4Server::start() {
  auto& m = *impl_;
  TAKAHE_LOG(m.logger, DHCP4_STARTING, TAKAHE_VERSION, ::getpid());
  SrvConfig4Ptr cfg;
  try {
    cfg = dhcpsrv::loadDhcp4ConfigFile(m.opts.config_file);
  } catch (const std::exception& e) {
    TAKAHE_LOG(m.logger, DHCP4_CONFIG_LOAD_FAIL, m.opts.config_file, e.what());
    throw;
  }
  registerDhcp4Commands(m.registry, m);
  m.initHooks();
  m.applyConfig(cfg, true);
  if (auto* sql = dynamic_cast<dhcpsrv::SqlLeaseStore4*>(m.store.get()); sql && !sql->connected()) {
    m.db_recovery.lost("not reachable at start-up");  // retry-on-startup
  }
  TAKAHE_LOG(m.logger, DHCP4_CONFIG_LOADED, m.opts.config_file, m.config->subnets.size());
  m.waitSignals([this] { return reload(); });
  m.scheduleLfcPoll();
  TAKAHE_LOG(m.logger, DHCP4_STARTED, TAKAHE_VERSION, m.config->subnets.size());
}

void Dhcp4Server::stop() { impl_->io.stop(); }

bool Dhcp4Server::reload() {
  auto& m = *impl_;
  try {
    auto cfg = dhcpsrv::loadDhcp4ConfigFile(m.opts.config_file);
    m.applyConfig(cfg, false);
    TAKAHE_LOG(m.logger, DHCP4_RECONFIGURED, m.opts.config_file);
    return true;
  } catch (const std::exception& e) {
    TAKAHE_LOG(m.logger, DHCP4_RECONFIGURE_FAIL, m.opts.config_file, e.what());
    return false;
  }
}

int Dhcp4Server::run() {
  impl_->io.run();
  return impl_->exit_code;
}

}  // namespace takahe::dhcp4
