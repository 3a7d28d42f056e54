#include "dhcp6_server.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <random>

#include "db_recovery.h"
#include "dhcp6_messages.h"
#include "hooks6.h"
#include "lease_work.h"
#include "packet_path6.h"
#include "processor6.h"
#include "socket_set6.h"
#include "takahe/dhcpsrv/config_parser6.h"
#include "takahe/dhcpsrv/data_paths.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"
#include "takahe/dhcpsrv/sql_lease_store6.h"
#include "takahe/dhcpsrv/server_services6.h"
#include "takahe/hooks/hooks_manager.h"
#include "takahe/log/config.h"
#include "takahe/net/interface.h"
#include "takahe/process/daemon_main.h"
#include "takahe/process/server_frame.h"
#include "takahe/stats/stats_store.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::dhcp6 {

using dhcpsrv::SrvConfig6Ptr;

namespace {

constexpr const char* kDefaultLeaseFile = "takahe-leases6.csv";

/// A link-layer address for a generated DUID-LLT/LL: the first non-loopback interface that
/// has one (Kea picks an interface's address the same way). A host without one (a container
/// with only loopback) gets a random, locally administered Ethernet address, as Kea does; with
/// `persist` the DUID built from it is kept, so it is drawn once.
dhcpsrv::LinkLayerSource linkLayerSource() {
  for (const auto& iface : net::listInterfaces()) {
    if (iface.loopback || iface.mac.bytes.size() < 6) continue;
    return dhcpsrv::LinkLayerSource{iface.mac.htype, iface.mac.bytes};
  }
  std::random_device rd;
  Bytes mac(6);
  for (auto& b : mac) b = static_cast<uint8_t>(rd());
  mac[0] = static_cast<uint8_t>((mac[0] & 0xfe) | 0x02);  // unicast, locally administered
  return dhcpsrv::LinkLayerSource{1, mac};
}

bool sameBlock(const dhcpsrv::SrvConfig6& a, const dhcpsrv::SrvConfig6& b, std::string_view key) {
  const cc::Value* x = a.source.find(key);
  const cc::Value* y = b.source.find(key);
  if (!x || !y) return x == y;
  return *x == *y;
}

}  // namespace

std::string buildReport6() {
  return process::buildReport("takahe-dhcp6",
                              "lease backends: memfile, sqlite, postgresql, mysql\n"
                              "control channels: unix socket, http, https\n");
}

struct Dhcp6Server::Impl final : process::ConfigHandler {
  explicit Impl(ServerOptions6 o) : opts(std::move(o)) {}

  ServerOptions6 opts;
  log::Logger logger{"takahe-dhcp6"};
  process::ServerFrame frame{{"takahe-dhcp6", "Dhcp6", "DHCPv6", [] { return buildReport6(); }},
                             logger,
                             {&DHCP6_CONTROL_SOCKET, &DHCP6_OPEN_SOCKET_FAIL, &DHCP6_HOOKS_LOAD_FAIL,
                              &DHCP6_SERVICE_REENABLED, &DHCP6_SHUTDOWN}};

  SrvConfig6Ptr config;
  stats::StatsStore stats_store;
  std::unique_ptr<dhcpsrv::LeaseStore6> store;
  std::unique_ptr<Processor6> processor_;
  Hooks6 hooks;
  SocketSet6 sockets;
  PacketPath6 packets{PacketPath6::Context{processor_, hooks, config, frame.network(), stats_store, logger,
                                           opts.client_port,
                                           [this](std::function<void()> fn) { frame.post(std::move(fn)); },
                                           &sockets,
                                           [this](const std::exception& e) { db_recovery.failed(e); }}};
  daemon::DbRecovery db_recovery{frame.network(), logger,
                                 {&DHCP6_DB_LOST, &DHCP6_DB_RECONNECTED, &DHCP6_DB_RECONNECT_FAILED, &DHCP6_DB_GIVE_UP},
                                 daemon::DbRecovery::Hooks{[this](std::string& error) { return reconnectStore(error); },
                                                           [this](uint32_t ms, std::function<void()> fn) {
                                                             frame.runAfter(std::chrono::milliseconds(ms), std::move(fn));
                                                           },
                                                           [this](int code) { frame.stop(code); },
                                                           [this] {
                                                             // Statistics count the leases again.
                                                             if (processor_ && config) processor_->configure(*config);
                                                           }}};
  dhcpsrv::ServerServices6 services;
  daemon::LeaseTimers<dhcpsrv::SrvConfig6, Processor6, dhcpsrv::MemfileLeaseStore6> timers{
      frame, logger, {&DHCP6_RECLAIMED, &DHCP6_RECLAIM_INCOMPLETE, &DHCP6_PROCESS_FAIL, &DHCP6_LFC_START, &DHCP6_LFC_FAIL},
      {[this] { return processor_.get(); }, [this] { return config.get(); }, [this] { return memfile(); },
       [this](const std::exception& e) { db_recovery.failed(e); }}};
  Duid server_duid;
  std::vector<net::Datagram6> batch;

  // --- stores and identity ------------------------------------------------------------------

  std::unique_ptr<dhcpsrv::LeaseStore6> openStore(const dhcpsrv::SrvConfig6& cfg) {
    return daemon::openLeaseStoreOf<dhcpsrv::LeaseStore6, dhcpsrv::SqlLeaseStore6, dhcpsrv::MemfileLeaseStore6>(
        cfg, kDefaultLeaseFile, opts.config_file, logger,
        {&DHCP6_LEASE_DB_OPENED, &DHCP6_DB_START_RETRY, &DHCP6_LEASE_LOAD_WARNING, &DHCP6_LEASES_LOADED});
  }

  bool storeMatches(const dhcpsrv::SrvConfig6& cfg) const {
    return daemon::leaseStoreIs<dhcpsrv::SqlLeaseStore6, dhcpsrv::MemfileLeaseStore6>(store.get(), cfg,
                                                                                     kDefaultLeaseFile);
  }

  /// The memfile store, or nullptr when leases are in a database.
  dhcpsrv::MemfileLeaseStore6* memfile() const { return dynamic_cast<dhcpsrv::MemfileLeaseStore6*>(store.get()); }
  dhcpsrv::SqlLeaseStore6* sqlStore() const { return dynamic_cast<dhcpsrv::SqlLeaseStore6*>(store.get()); }

  bool reconnectStore(std::string& error) {
    auto* sql = sqlStore();
    return !sql || sql->connected() || sql->reconnect(&error);
  }

  std::unique_ptr<Processor6> makeProcessor() {
    auto p = std::make_unique<Processor6>(*store, stats_store);
    p->setHooks(&hooks);
    p->setServerDuid(server_duid);
    services.leases = store.get();
    return p;
  }

  void replaceStore(const dhcpsrv::SrvConfig6& cfg, const SrvConfig6Ptr& previous) {
    bool same_file = daemon::sameLeaseFileOf<dhcpsrv::MemfileLeaseStore6>(store.get(), cfg, kDefaultLeaseFile);
    daemon::swapLeaseStore<dhcpsrv::SrvConfig6, dhcpsrv::LeaseStore6, Processor6>(
        cfg, previous.get(), same_file, store, processor_,
        [this](const dhcpsrv::SrvConfig6& c) { return openStore(c); }, [this] { return makeProcessor(); }, frame,
        logger, DHCP6_LEASE_STORE_LOST);
  }

  /// The server DUID: from `server-id`, the kept file, or generated once and kept.
  Duid resolveDuid(const dhcpsrv::SrvConfig6& cfg) {
    std::string dir = cfg.data_directory.empty() ? dhcpsrv::dataDirectory() : cfg.data_directory;
    if (cfg.server_id.persist) {
      std::error_code ec;
      std::filesystem::create_directories(dir, ec);
    }
    std::string file = dhcpsrv::serverIdFilePath(dir);
    Duid duid = dhcpsrv::resolveServerDuid(cfg.server_id, file, linkLayerSource(), std::time(nullptr));
    TAKAHE_LOG(logger, DHCP6_SERVERID, toHex(duid.bytes), cfg.server_id.persist ? file : std::string("memory only"));
    return duid;
  }

  // --- sockets ------------------------------------------------------------------------------

  void openSockets(const dhcpsrv::SrvConfig6& cfg) {
    frame.clearWatches();
    std::vector<std::string> errors, opened;
    sockets.open(cfg.interfaces, opts.server_port, errors, opened);
    frame.setSocketErrors(errors);
    for (const auto& e : errors) TAKAHE_LOG(logger, DHCP6_OPEN_SOCKET_FAIL, e);
    if (cfg.interfaces.service_sockets_require_all && !errors.empty()) {
      throw Error("service-sockets-require-all is set and " + std::to_string(errors.size()) +
                  " interface(s) could not be opened: " + errors.front());
    }
    for (const auto& what : opened) TAKAHE_LOG(logger, DHCP6_OPEN_SOCKET, what);
    for (auto& s : sockets.served()) {
      ServedInterface6* served = &s;
      if (s.socket) {
        net::UdpSocket6* sock = s.socket.get();
        frame.watch(sock->fd(), [this, served, sock] { onReadable(*served, *sock); });
      }
      for (auto& u : s.unicast) {
        net::UdpSocket6* sock = u.get();
        frame.watch(sock->fd(), [this, served, sock] { onReadable(*served, *sock); });
      }
    }
    if (sockets.empty()) TAKAHE_LOG(logger, DHCP6_NO_SOCKETS);
  }

  void reopenQuietly(const dhcpsrv::SrvConfig6& cfg) {
    try {
      openSockets(cfg);
    } catch (const std::exception& e) {
      TAKAHE_LOG(logger, DHCP6_OPEN_SOCKET_FAIL, e.what());
    }
  }

  void onReadable(ServedInterface6& s, net::UdpSocket6& sock) {
    // Bounded work per wake-up so timers and signals stay responsive.
    for (int round = 0; round < 8; ++round) {
      size_t n = sock.receiveBatch(batch, net::UdpSocket6::kBatchSize);
      if (n == 0) break;
      for (size_t i = 0; i < n; ++i) packets.handle(s, sock, batch[i]);
    }
  }

  // --- timers -------------------------------------------------------------------------------

  // --- configuration ------------------------------------------------------------------------

  /// Moves the running server to `cfg`. Everything that can fail happens before the new
  /// configuration becomes current, and each step is undone when a later one fails, so a
  /// rejected reload leaves the server exactly as it was.
  void applyConfig(SrvConfig6Ptr cfg, bool initial) {
    SrvConfig6Ptr previous = config;
    log::configure(cfg->loggers);  // validates first, changes nothing on error
    bool sockets_changed = false;
    bool hooks_changed = false;
    std::optional<Duid> fresh_duid;
    try {
      // The lease file and the server DUID come first, as in Kea: a server that cannot keep
      // its leases never listens.
      if (initial && !storeMatches(*cfg)) replaceStore(*cfg, previous);
      if (initial || !sameBlock(*previous, *cfg, "interfaces-config")) {
        sockets_changed = true;  // openSockets closes the old sockets before it can fail
        openSockets(*cfg);
      }
      hooks_changed = frame.stageConfig(*cfg, previous.get(), hooks.manager());
      // Late, because a new DUID is written to its file at once: only the lease store change
      // can still fail after it.
      if (initial || !sameBlock(*previous, *cfg, "server-id") || !sameBlock(*previous, *cfg, "data-directory")) {
        fresh_duid = resolveDuid(*cfg);
      }
      if (!storeMatches(*cfg)) replaceStore(*cfg, previous);
    } catch (...) {
      frame.rollbackConfig(previous.get(), hooks.manager(), hooks_changed);
      if (previous && sockets_changed) reopenQuietly(*previous);
      throw;
    }
    if (fresh_duid) {
      server_duid = *fresh_duid;
      processor_->setServerDuid(server_duid);
    }
    for (const auto& w : cfg->warnings) TAKAHE_LOG(logger, DHCP6_CONFIG_WARNING, w);
    process::ServerFrame::applyStatisticDefaults(stats_store, cfg->statistic_default_sample_count,
                                                 cfg->statistic_default_sample_age);
    processor_->configure(*cfg);
    if (cfg->lease_database.sql) db_recovery.configure(*cfg->lease_database.sql);
    config = std::move(cfg);
    frame.markReconfigured();
    frame.commitChannels();
    timers.restart();
    if (hooks.present(hooks.dhcp6_srv_configured)) {
      auto handle = hooks.manager().createHandle();
      handle->setArgument("json_config", config->source);
      handle->setArgument("server_config", config);
      hooks.call(hooks.dhcp6_srv_configured, *handle);
    }
  }

  /// Publishes the server's store and statistics to hook libraries (lease commands), and lets
  /// libraries register commands. Once, before the first configuration.
  void initHooks() {
    services.stats = &stats_store;
    services.config = [this] { return config; };
    dhcpsrv::setServerServices6(&services);
    frame.connectHooks(hooks.manager(), hooks.command_processed);
  }

  void registerCommands() {
    frame.registerCommonCommands(*this, stats_store);
    daemon::registerLeasesReclaim<dhcpsrv::SrvConfig6, Processor6>(
        frame.registry(), [this]() -> const dhcpsrv::SrvConfig6& { return *config; },
        [this]() -> Processor6& { return *processor_; });
  }

  // --- process::ConfigHandler ---------------------------------------------------------------

  cc::Value configJson() const override {
    cc::Value root = cc::Value::makeMap();
    root.set("Dhcp6", config->source);
    return root;
  }
  std::string serverTag() const override { return config->server_tag; }
  const std::string& configFile() const override { return opts.config_file; }
  std::string testConfig(const cc::Value& arguments) override {
    auto cfg = dhcpsrv::parseDhcp6Config(arguments);
    hooks::HooksManager::validate(cfg->hooks_libraries, cfg->multi_threading.enabled, "Dhcp6/hooks-libraries");
    return std::to_string(cfg->subnets.size()) + " subnet(s)";
  }
  void setConfig(const cc::Value& arguments) override { applyConfig(dhcpsrv::parseDhcp6Config(arguments), false); }
  void reloadConfig() override { applyConfig(dhcpsrv::loadDhcp6ConfigFile(opts.config_file), false); }
};

Dhcp6Server::Dhcp6Server(ServerOptions6 options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Dhcp6Server::~Dhcp6Server() {
  // Libraries go while everything they may touch still exists.
  impl_->hooks.manager().unloadAll();
  dhcpsrv::setServerServices6(nullptr);
}

void Dhcp6Server::start() {
  auto& m = *impl_;
  TAKAHE_LOG(m.logger, DHCP6_STARTING, TAKAHE_VERSION, ::getpid());
  SrvConfig6Ptr cfg;
  try {
    cfg = dhcpsrv::loadDhcp6ConfigFile(m.opts.config_file);
  } catch (const std::exception& e) {
    TAKAHE_LOG(m.logger, DHCP6_CONFIG_LOAD_FAIL, m.opts.config_file, e.what());
    throw;
  }
  m.registerCommands();
  m.initHooks();
  m.applyConfig(cfg, true);
  if (auto* sql = m.sqlStore(); sql && !sql->connected()) m.db_recovery.lost("not reachable at start-up");
  TAKAHE_LOG(m.logger, DHCP6_CONFIG_LOADED, m.opts.config_file, m.config->subnets.size());
  m.frame.waitSignals([this] { reload(); });
  TAKAHE_LOG(m.logger, DHCP6_STARTED, TAKAHE_VERSION, m.config->subnets.size());
}

void Dhcp6Server::stop() { impl_->frame.stop(); }

bool Dhcp6Server::reload() {
  auto& m = *impl_;
  try {
    m.applyConfig(dhcpsrv::loadDhcp6ConfigFile(m.opts.config_file), false);
    TAKAHE_LOG(m.logger, DHCP6_RECONFIGURED, m.opts.config_file);
    return true;
  } catch (const std::exception& e) {
    TAKAHE_LOG(m.logger, DHCP6_RECONFIGURE_FAIL, m.opts.config_file, e.what());
    return false;
  }
}

int Dhcp6Server::run() { return impl_->frame.run(); }

}  // namespace takahe::dhcp6
