#pragma once

// libdhcp_legal_log: forensic logging of DHCPv4 lease events (Kea's legal_log, file backend).
// The callouts below are registered by load(); they are declared here for the unit tests.

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "legal_entry.h"
#include "rotating_file.h"
#include "takahe/cc/value.h"
#include "takahe/hooks/callout_handle.h"

namespace takahe::eval {
class Expression;
}

namespace takahe::hooks::legal_log {

/// What to do with the reply when an entry cannot be written.
enum class OnWriteFailure { kContinue, kDrop };

struct LegalLogConfig {
  FileSettings file;
  std::string request_format;   ///< "request-parser-format" expression, "" = none
  std::string response_format;  ///< "response-parser-format" expression, "" = none
  OnWriteFailure on_write_failure = OnWriteFailure::kContinue;
};

/// Reads the library's "parameters" map; throws takahe::ConfigError naming the parameter.
/// `default_path` is used when "path" is absent.
LegalLogConfig parseParameters(const cc::Value& params, const std::string& default_path);

/// The loaded library's state: the file, the compiled formats, the subnets excluded with
/// user-context "legal-logging": false.
class LegalLog {
 public:
  /// Compiles the formats and checks the file settings; throws takahe::ConfigError.
  explicit LegalLog(LegalLogConfig config, Clock clock = nullptr);
  ~LegalLog();

  /// The entry for one event: the custom formats when configured (request part evaluated on
  /// `query`, response part on `response`, concatenated), else the default text.
  std::string entry(Action action, const dhcpsrv::Lease4& lease, const dhcp::Pkt4* query,
                    const dhcp::Pkt4* response) const;
  /// Builds and writes the entry unless the lease's subnet is excluded. Throws takahe::Error.
  void log(Action action, const dhcpsrv::Lease4& lease, const dhcp::Pkt4* query,
           const dhcp::Pkt4* response);

  /// True when a response format is configured: committed leases are then written in pkt4_send
  /// (the response exists there), still before the reply leaves.
  bool waitsForResponse() const { return response_expr_ != nullptr; }
  OnWriteFailure onWriteFailure() const { return config_.on_write_failure; }

  /// Replaces the set of excluded subnet ids (from user-context "legal-logging": false).
  void setExcludedSubnets(std::set<uint32_t> ids);
  bool excluded(SubnetId id) const;

  RotatingFile& file() { return file_; }

 private:
  LegalLogConfig config_;
  RotatingFile file_;
  std::shared_ptr<const eval::Expression> request_expr_;
  std::shared_ptr<const eval::Expression> response_expr_;
  mutable std::mutex mu_;
  std::set<uint32_t> excluded_;
};

/// Subnet ids whose user-context has "legal-logging": false, from a Dhcp4 map (subnet4 and
/// shared-networks[].subnet4).
std::set<uint32_t> excludedSubnets(const cc::Value& dhcp4);

/// The instance the callouts use (set by load(), cleared by unload()); tests set it directly.
void setInstance(std::shared_ptr<LegalLog> log);
std::shared_ptr<LegalLog> instance();

// Callouts.
int leases4Committed(CalloutHandle& handle);
int pkt4Send(CalloutHandle& handle);
int lease4Release(CalloutHandle& handle);
int lease4Decline(CalloutHandle& handle);
int lease4Expire(CalloutHandle& handle);
int dhcp4SrvConfigured(CalloutHandle& handle);

}  // namespace takahe::hooks::legal_log
