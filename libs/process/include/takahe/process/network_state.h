#pragma once

// dhcp-disable / dhcp-enable: whether the server answers DHCP queries, and who switched it off.
// Service resumes only when every origin that disabled it has enabled it again (as in Kea).

#include <optional>
#include <set>
#include <string>

#include "takahe/cc/value.h"

namespace takahe::process {

class NetworkState {
 public:
  /// `origin` is "user", "ha-partner", "ha-local", or a number for an HA relationship.
  void disable(const std::string& origin) { disabled_by_.insert(origin); }
  void enable(const std::string& origin) { disabled_by_.erase(origin); }
  void enableAll() { disabled_by_.clear(); }
  bool enabled() const { return disabled_by_.empty(); }

  /// The "dhcp-state" map of status-get.
  cc::Value toJson() const {
    cc::Value v = cc::Value::makeMap();
    v.set("disabled-by-user", disabled_by_.count("user") > 0);
    v.set("disabled-by-ha-partner", disabled_by_.count("ha-partner") > 0);
    v.set("disabled-by-ha-local-command", disabled_by_.count("ha-local") > 0);
    v.set("globally-disabled", !enabled());
    return v;
  }

 private:
  std::set<std::string> disabled_by_;
};

}  // namespace takahe::process
