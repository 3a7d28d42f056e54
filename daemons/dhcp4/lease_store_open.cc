#include "lease_store_open.h"

#include <filesystem>

#include "dhcp4_messages.h"
#include "lease_work.h"
#include "takahe/db/connection.h"
#include "takahe/db/schema.h"
#include "takahe/dhcpsrv/data_paths.h"
#include "takahe/dhcpsrv/memfile_host_store.h"
#include "takahe/dhcpsrv/memfile_lease_store.h"
#include "takahe/dhcpsrv/sql_host_store.h"
#include "takahe/dhcpsrv/sql_lease_store.h"

namespace takahe::dhcp4 {

namespace {
constexpr const char* kLeaseFile = "takahe-leases4.csv";
}  // namespace

std::string leaseFilePath(const dhcpsrv::LeaseDatabaseConfig& db) { return dhcpsrv::leaseFilePath(db, kLeaseFile); }

std::string hostFilePath(const dhcpsrv::SrvConfig4& cfg) {
  if (!cfg.hosts_database.name.empty()) return cfg.hosts_database.name;
  if (!cfg.lease_database.persist || cfg.lease_database.sql) return "";
  return (std::filesystem::path(leaseFilePath(cfg.lease_database)).parent_path() / "takahe-hosts4.json").string();
}

std::unique_ptr<dhcpsrv::LeaseStore4> openLeaseStore(const dhcpsrv::SrvConfig4& cfg, const std::string& config_file,
                                                     const log::Logger& logger) {
  return daemon::openLeaseStoreOf<dhcpsrv::LeaseStore4, dhcpsrv::SqlLeaseStore4, dhcpsrv::MemfileLeaseStore4>(
      cfg, kLeaseFile, config_file, logger,
      {&DHCP4_LEASE_DB_OPENED, &DHCP4_DB_START_RETRY, &DHCP4_LEASE_LOAD_WARNING, &DHCP4_LEASES_LOADED});
}

bool leaseStoreMatches(const dhcpsrv::LeaseStore4* store, const dhcpsrv::SrvConfig4& cfg) {
  return daemon::leaseStoreIs<dhcpsrv::SqlLeaseStore4, dhcpsrv::MemfileLeaseStore4>(store, cfg, kLeaseFile);
}

bool sameLeaseFile(const dhcpsrv::LeaseStore4* store, const dhcpsrv::SrvConfig4& cfg) {
  return daemon::sameLeaseFileOf<dhcpsrv::MemfileLeaseStore4>(store, cfg, kLeaseFile);
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
