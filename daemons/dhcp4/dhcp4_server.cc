#include "dhcp4_server.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>

#include "control_commands.h"
#include "db_recovery.h"
#include "hooks4.h"
#include "lease_work.h"
#include "dhcp4_messages.h"
#include "takahe/process/network_state.h"
#include "packet_path.h"
#include "processor.h"
#include "lease_store_open.h"
#include "socket_set.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/dhcpsrv/sql_host_store.h"
#include "takahe/dhcpsrv/sql_lease_store.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/log/config.h"
#include "takahe/process/server_frame.h"
#include "takahe/hooks/hooks_manager.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"
#include "takahe_config.h"

namespace takahe::dhcp4 {

using dhcpsrv::SrvConfig4Ptr;


struct Dhcp4Server::Impl final : process::ConfigHandler {
  ServerOptions opts;
  log::Logger logger{"takahe-dhcp4"};
  process::ServerFrame frame{{"takahe-dhcp4", "Dhcp4", "DHCPv4", [] { return buildReport(); }},
                             logger,
                             {&DHCP4_CONTROL_SOCKET, &DHCP4_OPEN_SOCKET_FAIL, &DHCP4_HOOKS_LOAD_FAIL,
                              &DHCP4_SERVICE_REENABLED, &DHCP4_SHUTDOWN}};
  NetworkState& network = frame.network();

  SrvConfig4Ptr config;
  stats::StatsStore stats_store;
  std::unique_ptr<dhcpsrv::LeaseStore4> store;
  std::unique_ptr<Processor> processor_;
  Hooks4 hooks;
  PacketPath packets{PacketPath::Context{processor_, hooks, sockets, config, network, stats_store, logger,
                                         [this] { return ports(); },
                                         [this](std::function<void()> fn) { frame.post(std::move(fn)); },
                                         [this](const std::exception& e) { db_recovery.failed(e); }}};
  daemon::DbRecovery db_recovery{network, logger,
                                 {&DHCP4_DB_LOST, &DHCP4_DB_RECONNECTED, &DHCP4_DB_RECONNECT_FAILED, &DHCP4_DB_GIVE_UP},
                                 daemon::DbRecovery::Hooks{[this](std::string& error) { return reconnectStore(error); },
                                           [this](uint32_t ms, std::function<void()> fn) {
                                             frame.runAfter(std::chrono::milliseconds(ms), std::move(fn));
                                           },
                                           [this](int code) { frame.stop(code); },
                                           [this] {
                                             // Statistics count the leases again.
                                             if (processor_ && config) processor_->configure(*config);
                                           }}};
  std::unique_ptr<dhcpsrv::HostStore4> host_store;  // reservations added by command
  dhcpsrv::ServerServices4 services;
  SocketSet sockets;
  daemon::LeaseTimers<dhcpsrv::SrvConfig4, Processor, dhcpsrv::MemfileLeaseStore4> timers{
      frame, logger, {&DHCP4_RECLAIMED, &DHCP4_RECLAIM_INCOMPLETE, &DHCP4_PROCESS_FAIL, &DHCP4_LFC_START, &DHCP4_LFC_FAIL},
      {[this] { return processor_.get(); }, [this] { return config.get(); }, [this] { return memfile(); },
       [this](const std::exception& e) { db_recovery.failed(e); }}};
  std::vector<net::Datagram4> batch;

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


  /// Reconnects whichever SQL store lost its database (leases, reservations).
  bool reconnectStore(std::string& error) {
    auto* leases = dynamic_cast<dhcpsrv::SqlLeaseStore4*>(store.get());
    if (leases && !leases->connected() && !leases->reconnect(&error)) return false;
    auto* hosts = dynamic_cast<dhcpsrv::SqlHostStore4*>(host_store.get());
    if (hosts && !hosts->connected() && !hosts->reconnect(&error)) return false;
    return true;
  }

  /// The memfile store, or nullptr when leases are in a database.
  dhcpsrv::MemfileLeaseStore4* memfile() const { return dynamic_cast<dhcpsrv::MemfileLeaseStore4*>(store.get()); }

  void openSockets(const dhcpsrv::SrvConfig4& cfg) {
    frame.clearWatches();
    std::vector<std::string> errors, opened;
    sockets.open(cfg.interfaces, opts.server_port, errors, opened);
    frame.setSocketErrors(errors);
    for (const auto& e : errors) TAKAHE_LOG(logger, DHCP4_OPEN_SOCKET_FAIL, e);
    if (cfg.interfaces.service_sockets_require_all && !errors.empty()) {
      throw Error("service-sockets-require-all is set and " + std::to_string(errors.size()) +
                  " interface(s) could not be opened: " + errors.front());
    }
    for (auto& s : sockets.served()) {
      TAKAHE_LOG(logger, DHCP4_OPEN_SOCKET, s.iface.name, s.reader ? "raw" : "udp", opts.server_port);
      ServedInterface* served = &s;
      if (s.reader) frame.watch(s.reader->fd(), [this, served] { onReadable(*served, false); });
      // In raw mode the UDP socket beside the raw one is drained, not processed.
      if (s.udp) frame.watch(s.udp->fd(), [this, served, raw = s.reader != nullptr] { onReadable(*served, raw); });
    }
    if (sockets.empty()) TAKAHE_LOG(logger, DHCP4_NO_SOCKETS);
  }

  void onReadable(ServedInterface& s, bool companion) {
    if (companion) {
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

  // --- configuration ------------------------------------------------------------------------

  /// Moves the running server to `cfg`. Everything that can fail happens before the new
  /// configuration becomes current, and each step is undone when a later one fails, so a
  /// rejected reload leaves the server exactly as it was (sockets, leases, logging).
  void applyConfig(SrvConfig4Ptr cfg, bool initial) {
    SrvConfig4Ptr previous = config;
    log::configure(cfg->loggers);  // validates first, changes nothing on error
    bool sockets_changed = false;
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
      if (!hostStoreMatches(host_store.get(), *cfg)) fresh_hosts = openHostStore(*cfg, logger);
      hooks_changed = frame.stageConfig(*cfg, previous.get(), hooks.manager());
      if (!leaseStoreMatches(store.get(), *cfg)) replaceStore(*cfg, previous);
    } catch (...) {
      frame.rollbackConfig(previous.get(), hooks.manager(), hooks_changed);
      if (previous && sockets_changed) reopenQuietly(*previous);
      throw;
    }
    if (fresh_hosts) {
      host_store = std::move(fresh_hosts);
      services.hosts = host_store.get();
      if (processor_) processor_->setHooks(&hooks, host_store.get());
    }
    logWarnings(*cfg);
    process::ServerFrame::applyStatisticDefaults(stats_store, cfg->statistic_default_sample_count,
                                                 cfg->statistic_default_sample_age);
    processor_->configure(*cfg);
    processor_->engine().resetCursors();
    if (cfg->lease_database.sql) {
      db_recovery.configure(*cfg->lease_database.sql);
    } else if (cfg->hosts_database.sql) {
      db_recovery.configure(*cfg->hosts_database.sql);
    }
    config = std::move(cfg);
    frame.markReconfigured();
    frame.commitChannels();
    timers.restart();
    if (hooks.present(hooks.dhcp4_srv_configured)) {
      auto handle = hooks.manager().createHandle();
      handle->setArgument("json_config", config->source);
      handle->setArgument("server_config", config);
      hooks.call(hooks.dhcp4_srv_configured, *handle);
    }
  }

  // --- process::ConfigHandler ---------------------------------------------------------------

  cc::Value configJson() const override {
    cc::Value root = cc::Value::makeMap();
    root.set("Dhcp4", config->source);
    return root;
  }
  std::string serverTag() const override { return config->server_tag; }
  const std::string& configFile() const override { return opts.config_file; }
  std::string testConfig(const cc::Value& arguments) override {
    auto cfg = dhcpsrv::parseDhcp4Config(arguments);
    hooks::HooksManager::validate(cfg->hooks_libraries, cfg->multi_threading.enabled, "Dhcp4/hooks-libraries");
    return std::to_string(cfg->subnets.size()) + " subnet(s)";
  }
  void setConfig(const cc::Value& arguments) override { applyConfig(dhcpsrv::parseDhcp4Config(arguments), false); }
  void reloadConfig() override { applyConfig(dhcpsrv::loadDhcp4ConfigFile(opts.config_file), false); }

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

  /// Publishes the server's stores and statistics to hook libraries, and library commands in
  /// the command registry. Once, before the first configuration.
  void initHooks() {
    services.stats = &stats_store;
    services.config = [this] { return config; };
    services.hosts = host_store.get();
    services.post = [this](std::function<void()> fn) { frame.post(std::move(fn)); };
    services.execute = [this](const cc::Command& command) {
      return frame.registry().execute(cc::makeCommand(command.name, command.arguments, command.services));
    };
    dhcpsrv::setServerServices4(&services);
    frame.connectHooks(hooks.manager(), hooks.command_processed);
  }

  void replaceStore(const dhcpsrv::SrvConfig4& cfg, const SrvConfig4Ptr& previous) {
    daemon::swapLeaseStore<dhcpsrv::SrvConfig4, dhcpsrv::LeaseStore4, Processor>(
        cfg, previous.get(), sameLeaseFile(store.get(), cfg), store, processor_,
        [this](const dhcpsrv::SrvConfig4& c) { return openStore(c); }, [this] { return makeProcessor(); }, frame,
        logger, DHCP4_LEASE_STORE_LOST);
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
  m.frame.registerCommonCommands(m, m.stats_store);
  daemon::registerLeasesReclaim<dhcpsrv::SrvConfig4, Processor>(
      m.frame.registry(), [&m]() -> const dhcpsrv::SrvConfig4& { return *m.config; },
      [&m]() -> Processor& { return *m.processor_; });
  m.initHooks();
  m.applyConfig(cfg, true);
  if (auto* sql = dynamic_cast<dhcpsrv::SqlLeaseStore4*>(m.store.get()); sql && !sql->connected()) {
    m.db_recovery.lost("not reachable at start-up");  // retry-on-startup
  }
  TAKAHE_LOG(m.logger, DHCP4_CONFIG_LOADED, m.opts.config_file, m.config->subnets.size());
  m.frame.waitSignals([this] { reload(); });
  TAKAHE_LOG(m.logger, DHCP4_STARTED, TAKAHE_VERSION, m.config->subnets.size());
}

void Dhcp4Server::stop() { impl_->frame.stop(); }

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

int Dhcp4Server::run() { return impl_->frame.run(); }

}  // namespace takahe::dhcp4
