#include "shared_blocks.h"

#include "takahe/cc/map_reader.h"
#include "takahe/db/db_config.h"

namespace takahe::dhcpsrv::detail {

using cc::MapReader;

void parseLeaseDatabaseBlock(const cc::Value& v, const std::string& path, LeaseDatabaseConfig& db,
                             std::vector<std::string>& warnings) {
  MapReader r(v, path);
  db.raw = v;
  db.type = r.getString("type").value_or("");
  if (db.type.empty()) r.require("type");
  if (db::isSqlType(db.type)) {
    db.sql = db::parseDbConfig(v, path, warnings);
    return;
  }
  if (db.type != "memfile") {
    r.fail("type", "unknown lease-database type '" + db.type +
                       "' (supported: memfile, sqlite, postgresql, mysql)");
  }
  db.name = r.getString("name").value_or("");
  if (auto b = r.getBool("persist")) db.persist = *b;
  if (auto x = r.getInt("lfc-interval", 0, 0xffffffffLL)) db.lfc_interval = *x;
  if (auto x = r.getInt("max-row-errors", 0, 0xffffffffLL))
    db.max_row_errors = static_cast<uint64_t>(*x);
  // Connection keys of SQL backends are meaningless for memfile.
  r.ignore({"readonly",
            "connect-timeout",
            "read-timeout",
            "write-timeout",
            "tcp-user-timeout",
            "max-reconnect-tries",
            "reconnect-wait-time",
            "on-fail",
            "retry-on-startup",
            "host",
            "port",
            "user",
            "password",
            "password-file",
            "trust-anchor",
            "cert-file",
            "key-file",
            "key-password",
            "cipher-list",
            "ssl-mode",
            "tcp-nodelay",
            "contact-points",
            "keyspace",
            "consistency",
            "serial-consistency",
            "max-statement-tries"});
  r.finish(warnings);
}

void parseHostsDatabaseBlock(const cc::Value& v, const std::string& path, HostDatabaseConfig& db,
                             std::vector<std::string>& warnings) {
  MapReader r(v, path);
  std::string type = r.getNonEmptyString("type").value_or("");
  if (type.empty()) r.fail("type", "missing 'type' (memfile, sqlite, postgresql or mysql)");
  db.type = type;
  if (db::isSqlType(type)) {
    db.sql = db::parseDbConfig(v, path, warnings);
    return;
  }
  if (type != "memfile") {
    r.fail("type", "unknown hosts-database type '" + type +
                       "' (supported: memfile, sqlite, postgresql, mysql)");
  }
  db.name = r.getString("name").value_or("");
  r.finish(warnings);
}

void parseHostsDatabasesBlock(const cc::Value& v, const std::string& path, HostDatabaseConfig& db,
                              std::vector<std::string>& warnings) {
  if (!v.isList()) cc::throwConfigError(path, "must be a list of host database maps", v.position());
  if (v.asList().empty()) return;
  parseHostsDatabaseBlock(v.asList().front(), path + "[0]", db, warnings);
  if (v.asList().size() > 1) {
    warnings.push_back(path + ": only the first host database is used; " +
                       std::to_string(v.asList().size() - 1) + " more ignored");
  }
}

void parseExpiredBlock(const cc::Value& v, const std::string& path, ExpiredLeasesConfig& e,
                       std::vector<std::string>& warnings) {
  MapReader r(v, path);
  if (auto x = r.getUint32("reclaim-timer-wait-time")) e.reclaim_timer_wait_time = *x;
  if (auto x = r.getUint32("flush-reclaimed-timer-wait-time"))
    e.flush_reclaimed_timer_wait_time = *x;
  if (auto x = r.getUint32("hold-reclaimed-time")) e.hold_reclaimed_time = *x;
  if (auto x = r.getUint32("max-reclaim-leases")) e.max_reclaim_leases = *x;
  if (auto x = r.getUint32("max-reclaim-time")) e.max_reclaim_time = *x;
  if (auto x = r.getUint32("unwarned-reclaim-cycles")) e.unwarned_reclaim_cycles = *x;
  r.finish(warnings);
}

void parseMultiThreadingBlock(const cc::Value& v, const std::string& path, MultiThreadingConfig& mt,
                              std::vector<std::string>& warnings) {
  MapReader r(v, path);
  if (auto b = r.getBool("enable-multi-threading")) mt.enabled = *b;
  if (auto x = r.getInt("thread-pool-size", 0, 65535))
    mt.thread_pool_size = static_cast<uint32_t>(*x);
  if (auto x = r.getInt("packet-queue-size", 0, 0xffffffffLL))
    mt.packet_queue_size = static_cast<uint32_t>(*x);
  r.finish(warnings);
}

ControlSocketSpec parseControlSocketBlock(const cc::Value& v, const std::string& path,
                                          std::vector<std::string>& warnings) {
  MapReader r(v, path);
  ControlSocketSpec spec;
  spec.raw = v;
  auto type = r.getString("socket-type");
  if (!type) r.require("socket-type");
  spec.type = *type;
  if (spec.type == "unix") {
    auto name = r.getString("socket-name");
    if (!name || name->empty())
      r.fail("socket-name", "a unix control socket needs a non-empty 'socket-name'");
    spec.name = *name;
    r.finish(warnings);
  } else if (spec.type == "http" || spec.type == "https") {
    // The listener keys are checked by the daemon when it opens the socket.
    r.ignore({"socket-address", "socket-port", "trust-anchor", "cert-file", "key-file",
              "cert-required", "authentication", "http-headers"});
    r.finish(warnings);
  } else {
    r.fail("socket-type",
           "unknown control socket type '" + spec.type + "' (use 'unix', 'http' or 'https')");
  }
  return spec;
}

}  // namespace takahe::dhcpsrv::detail
