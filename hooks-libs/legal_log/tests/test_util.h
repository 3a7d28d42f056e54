#pragma once

// Helpers shared by the legal_log tests: packets, leases, a scratch directory, file reading.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "takahe/dhcp/pkt4.h"
#include "takahe/dhcpsrv/lease.h"

namespace takahe::hooks::legal_log::test {

/// The lease of Kea's examples: 192.2.1.100, 6735 s, hwtype=1 08:00:2b:02:3f:4e.
dhcpsrv::Lease4 exampleLease();
/// A DHCPREQUEST from 08:00:2b:02:3f:4e asking for 192.2.1.100 (option 50).
std::shared_ptr<dhcp::Pkt4> request();
/// Adds option 82 built from (sub-option, bytes) pairs.
void setRai(dhcp::Pkt4& pkt, const std::vector<std::pair<uint8_t, Bytes>>& subs);

/// A fresh empty directory under /tmp, removed on destruction.
struct TempDir {
  TempDir();
  ~TempDir();
  std::string path;
  std::vector<std::string> files() const;  // sorted file names
};

std::vector<std::string> readLines(const std::string& file);

/// A clock the test moves by hand.
struct FakeClock {
  std::chrono::system_clock::time_point now;
  std::function<std::chrono::system_clock::time_point()> fn() {
    return [this] { return now; };
  }
};

/// Sets TZ=UTC for the process, so file names and timestamps do not depend on the machine.
void useUtc();
/// 2025-01-31 23:59:58 UTC.
std::chrono::system_clock::time_point exampleTime();

}  // namespace takahe::hooks::legal_log::test
