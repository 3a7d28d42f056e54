#pragma once

// takahe-dhcp4's own answers: the commands every daemon shares come from
// process::ServerFrame::registerCommonCommands, leases-reclaim from daemons/common/lease_work.h.

#include <string>

namespace takahe::dhcp4 {

/// The build report printed by -W and `build-report`.
std::string buildReport();

}  // namespace takahe::dhcp4
