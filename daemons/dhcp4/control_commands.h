#pragma once

// The control commands only takahe-dhcp4 has; the ones every daemon shares (config-*,
// status-get, statistic-*, dhcp-disable/enable, shutdown, version-get) come from
// process::ServerFrame::registerCommonCommands.

#include <functional>
#include <string>

#include "processor.h"
#include "takahe/dhcpsrv/srv_config.h"
#include "takahe/process/command_registry.h"

namespace takahe::dhcp4 {

/// Registers leases-reclaim: `config` and `processor` give the running configuration and processor.
void registerDhcp4Commands(process::CommandRegistry& registry, std::function<const dhcpsrv::SrvConfig4&()> config,
                           std::function<Processor&()> processor);

/// The build report printed by -W and `build-report`.
std::string buildReport();

}  // namespace takahe::dhcp4
