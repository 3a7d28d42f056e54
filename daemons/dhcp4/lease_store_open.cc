#include "lease_store_open.h"

#include <filesystem>

#include "dhcp4_messages.h"
#include "takahe/db/connection.h"
#include "takahe/db/schema.h"
#include "takahe/dhcpsrv/data_paths.h"
#include "takahe/dhcpsrv/memfile_host_store.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/dhcpsrv/sql_host_store.h"
#include "takahe/dhcpsrv/sql_lease_store.h"

namespace takahe::dhcp4 {

std::string leaseFilePath(const dhcpsrv::LeaseDatabaseConfig& db) {
  return dhcpsrv::leaseFilePath(db, "takahe-leases4.csv");
}

std::string hostFilePath(const dhcpsrv::SrvConfig4& cfg) {
  if (!cfg.hosts_database.name.empty()) return cfg.hosts_database.name;
  if (!cfg.lease_database.persist || cfg.lease_database.sql) return "";
  return (std::filesystem::path(leaseFilePath(cfg.lease_database)).parent_path() / "takahe-hosts4.json").string();
}

std::unique_ptr<dhcpsrv::LeaseStore4> openLeaseStore(const dhcpsrv::SrvConfig4& cfg, const std::string& config_file,
                                                     const log::Logger& logger) {
  if (const auto& sql = cfg.lease_database.sql) {
    try {
      auto store = std::make_unique<dhcpsrv::SqlLeaseStore4>(*sql);
      TAKAHE_LOG(logger, DHCP4_LEASE_DB_OPENED, db::describe(*sql), store->size());
      return store;
    } catch (const db::DbError& e) {
      // retry-on-startup: a database that is not reachable yet is waited for (per on-fail)
      // instead of stopping the server. Wrong credentials or names still stop it.
      if (!sql->retry_on_startup || !e.connectionLost()) throw;
      TAKAHE_LOG(logger, DHCP4_DB_START_RETRY, db::describe(*sql), e.what());
      return dhcpsrv::SqlLeaseStore4::unconnected(*sql);
    }
  }
  dhcpsrv::MemfileConfig mc = dhcpsrv::memfileConfig(cfg.lease_database, "takahe-leases4.csv", config_file);
  auto fresh = std::make_unique<dhcpsrv::MemfileLeaseStore4>(mc);
  const auto& report = fresh->loadReport();
  for (const auto& issue : report.issues) {
    TAKAHE_LOG(logger, DHCP4_LEASE_LOAD_WARNING, issue.file + ":" + std::to_string(issue.line) + ": " + issue.reason);
  }
  for (const auto& note : report.notes) TAKAHE_LOG(logger, DHCP4_LEASE_LOAD_WARNING, note);
  TAKAHE_LOG(logger, DHCP4_LEASES_LOADED, mc.persist ? mc.path : std::string("(memory only)"), fresh->size());
  return fresh;
}

bool leaseStoreMatches(const dhcpsrv::LeaseStore4* store, const dhcpsrv::SrvConfig4& cfg) {
  if (const auto* sql = dynamic_cast<const dhcpsrv::SqlLeaseStore4*>(store)) {
    return cfg.lease_database.sql && sql->config() == *cfg.lease_database.sql;
  }
  const auto* m = dynamic_cast<const dhcpsrv::MemfileLeaseStore4*>(store);
  if (!m || cfg.lease_database.sql) return false;
  const auto& c = m->config();
  return c.path == leaseFilePath(cfg.lease_database) && c.persist == cfg.lease_database.persist &&
         c.max_row_errors == cfg.lease_database.max_row_errors;
}

bool sameLeaseFile(const dhcpsrv::LeaseStore4* store, const dhcpsrv::SrvConfig4& cfg) {
  const auto* m = dynamic_cast<const dhcpsrv::MemfileLeaseStore4*>(store);
  return m && !cfg.lease_database.sql && m->config().path == leaseFilePath(cfg.lease_database);
}

std::unique_ptr<dhcpsrv::HostStore4> openHostStore(const dhcpsrv::SrvConfig4& cfg, const log::Logger& logger) {
  if (const auto& sql = cfg.hosts_database.sql) {
    auto store = std::make_unique<dhcpsrv::SqlHostStore4>(*sql);
    TAKAHE_LOG(logger, DHCP4_HOSTS_DB_OPENED, db::describe(*sql), store->size());
    return store;
  }
  std::string path = hostFilePath(cfg);
  if (!path.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  }
  auto fresh = std::make_unique<dhcpsrv::MemfileHostStore4>(path);
  TAKAHE_LOG(logger, DHCP4_HOSTS_LOADED, path.empty() ? std::string("(memory only)") : path, fresh->size());
  return fresh;
}

bool hostStoreMatches(const dhcpsrv::HostStore4* store, const dhcpsrv::SrvConfig4& cfg) {
  if (const auto* sql = dynamic_cast<const dhcpsrv::SqlHostStore4*>(store)) {
    return cfg.hosts_database.sql && sql->config() == *cfg.hosts_database.sql;
  }
  const auto* m = dynamic_cast<const dhcpsrv::MemfileHostStore4*>(store);
  return m && !cfg.hosts_database.sql && m->path() == hostFilePath(cfg);
}

}  // namespace takahe::dhcp4
