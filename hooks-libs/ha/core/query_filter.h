#pragma once

// Which HA server answers which client: scopes (named after the primary and secondary servers),
// the RFC 3074 load-balancing hash, and the set of scopes this server serves right now.

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/ha_config.h"

namespace takahe::dhcp {
class Pkt4;
}

namespace takahe::hooks::ha {

/// RFC 3074 section 6 hash (Pearson's table of the RFC) over `key`.
uint8_t loadBalancingHash(const uint8_t* key, size_t len);

/// Thread-safe: the packet thread asks inScope() while the HA thread changes the served scopes.
class QueryFilter {
 public:
  explicit QueryFilter(const HaConfig& config);

  /// The scope a query belongs to. load-balancing: hash of the client identifier (option 61,
  /// all its bytes) when present and non-empty, else of chaddr (hlen bytes, at most 16),
  /// modulo the number of active servers (primary = 0, secondary = 1); hot-standby and
  /// passive-backup: always the primary's name.
  std::string queryScope(const dhcp::Pkt4& query) const;
  /// Whether this server serves the query's scope now; `scope` receives the scope's name
  /// ("" and false when a load-balanced query has neither client identifier nor chaddr).
  /// Message types outside DISCOVER/REQUEST/DECLINE/RELEASE/INFORM (e.g. leasequery) are
  /// always in scope, with the primary's scope name, as in Kea.
  bool inScope(const dhcp::Pkt4& query, std::string& scope) const;

  /// Kea's scope sets: default (load-balancing: own scope; hot-standby: the primary's scope on
  /// the primary, none on the standby; passive-backup: all on the primary), failover (the
  /// primary's and, in load-balancing, the secondary's scope — as Kea, a standby in
  /// partner-down serves and reports only the primary's scope), none.
  void serveDefaultScopes();
  void serveFailoverScopes();
  void serveNoScopes();
  /// ha-scopes: throws takahe::Error for a name that is not a primary/secondary/standby scope,
  /// with Kea 2.2's text first: "invalid server name specified 'server9' while
  /// enabling/disabling HA scopes: the scopes of this HA relationship are server1, server2".
  /// A refused list changes nothing.
  void serveScopes(const std::vector<std::string>& scopes);
  void serveScope(const std::string& scope);

  /// Sorted, as reported by ha-heartbeat and status-get.
  std::vector<std::string> servedScopes() const;
  bool amServingScope(const std::string& scope) const;
  /// The scopes that exist, in hash-bucket order: the primary's name, then the secondary's
  /// (load-balancing) or the standby's (hot-standby); only the primary's in passive-backup.
  const std::vector<std::string>& activeServers() const { return active_; }

 private:
  /// Throws takahe::Error unless `scope` is one of activeServers().
  void checkScopeName(const std::string& scope) const;

  const HaConfig& config_;
  std::vector<std::string> active_;  // scope names, index = hash bucket
  mutable std::mutex mu_;
  std::set<std::string> served_;
};

}  // namespace takahe::hooks::ha
