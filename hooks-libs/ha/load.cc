// The C entry points and callouts of libdhcp_ha.so.
//
//   load()                 parses `high-availability`, creates the service, registers the
//                          commands and callouts; a bad configuration throws its message (the
//                          server refuses the configuration with it).
//   dhcp4_srv_configured   starts the state machine (and the dedicated listener) once the
//                          server runs the configuration.
//   pkt4_receive           classifies the query in its scope's class (HA_server1, ...), drops
//                          queries of scopes this server does not serve now, and feeds failure
//                          detection with the partner's queries.
//   leases4_committed      sends lease updates; parks the reply until they are acknowledged.
//   command_processed      adds "high-availability" to a successful status-get.
//   unload()               stops the HA thread and gives the local DHCP service back.

#include <exception>
#include <memory>
#include <string>
#include <vector>

#include "ha_commands.h"
#include "ha_messages.h"
#include "ha_service.h"
#include "takahe/dhcp/pkt4.h"
#include "takahe/dhcpsrv/lease.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/dhcpsrv/server_services6.h"
#include "takahe/dhcpsrv/srv_config.h"
#include "takahe/hooks/hooks.h"
#include "takahe/util/error.h"

using takahe::hooks::CalloutHandle;
using takahe::hooks::LibraryHandle;
using takahe::hooks::NextStep;
namespace ha = takahe::hooks::ha;

namespace {

// The service of the loaded library. Callouts, commands, load and unload all run on the
// server's packet thread.
std::unique_ptr<ha::HaService> g_service;

using Leases = std::vector<std::shared_ptr<takahe::dhcpsrv::Lease4>>;

int dhcp4SrvConfigured(CalloutHandle& handle) {
  if (!g_service) return 0;
  try {
    bool mt = false;
    if (handle.hasArgument("server_config")) {
      takahe::dhcpsrv::SrvConfig4Ptr cfg;
      handle.getArgument("server_config", cfg);
      mt = cfg && cfg->multi_threading.enabled;
    }
    g_service->start(mt);
    return 0;
  } catch (const std::exception& e) {
    TAKAHE_LOG(ha::haLogger(), ha::HA_CALLOUT_FAILED, "dhcp4_srv_configured", e.what());
    return 1;
  }
}

int pkt4Receive(CalloutHandle& handle) {
  if (!g_service) return 0;
  if (handle.getStatus() == NextStep::kDrop || handle.getStatus() == NextStep::kSkip) return 0;
  try {
    std::shared_ptr<takahe::dhcp::Pkt4> query;
    handle.getArgument("query4", query);
    if (!query) return 0;
    std::string scope;
    bool serve = g_service->acceptQuery(*query, &scope);
    // Kea's class for the query's scope: pools split with "client-class": "HA_server1".
    if (!scope.empty()) query->meta.addClass("HA_" + scope);
    if (!serve) {
      handle.setStatus(NextStep::kDrop);
      TAKAHE_LOG_DEBUG(ha::haLogger(), ha::kDbgHaPacket, ha::HA_QUERY_OUT_OF_SCOPE, query->label(),
                       scope, g_service->config().this_server_name);
    }
    return 0;
  } catch (const std::exception& e) {
    TAKAHE_LOG(ha::haLogger(), ha::HA_CALLOUT_FAILED, "pkt4_receive", e.what());
    return 1;
  }
}

int leases4Committed(CalloutHandle& handle) {
  if (!g_service) return 0;
  if (handle.getStatus() == NextStep::kDrop) return 0;
  try {
    std::shared_ptr<takahe::dhcp::Pkt4> query;
    handle.getArgument("query4", query);
    Leases leases, deleted;
    if (handle.hasArgument("leases4")) handle.getArgument("leases4", leases);
    if (handle.hasArgument("deleted_leases4")) handle.getArgument("deleted_leases4", deleted);
    if (leases.empty() && deleted.empty()) return 0;
    takahe::hooks::ParkingLot* lot = handle.parkingLot();
    // Without a lot (never with takahe-dhcp4) updates still go, but the reply is not held.
    static takahe::hooks::ParkingLot no_lot;
    const void* key =
        query ? static_cast<const void*>(query.get()) : static_cast<const void*>(&handle);
    if (g_service->leasesCommitted(leases, deleted, lot ? *lot : no_lot, key) && lot) {
      handle.setStatus(NextStep::kPark);
    }
    return 0;
  } catch (const std::exception& e) {
    TAKAHE_LOG(ha::haLogger(), ha::HA_CALLOUT_FAILED, "leases4_committed", e.what());
    return 1;
  }
}

int commandProcessed(CalloutHandle& handle) {
  if (!g_service) return 0;
  try {
    std::string name;
    handle.getArgument("name", name);
    if (name != "status-get") return 0;
    if (auto* response = handle.argument<takahe::cc::Value>("response"))
      ha::addStatus(*g_service, *response);
    return 0;
  } catch (const std::exception& e) {
    TAKAHE_LOG(ha::haLogger(), ha::HA_CALLOUT_FAILED, "command_processed", e.what());
    return 1;
  }
}

}  // namespace

extern "C" {

int version() { return TAKAHE_HOOKS_VERSION; }

int load(LibraryHandle& handle) {
  if (takahe::dhcpsrv::serverServices6() && !takahe::dhcpsrv::serverServices4()) {
    // Loaded into takahe-dhcp6: say so plainly instead of failing on a DHCPv4 hook point.
    const char* why = "libdhcp_ha.so works inside takahe-dhcp4 only for now: High Availability for "
                      "DHCPv6 is not implemented yet (remove it from Dhcp6/hooks-libraries)";
    TAKAHE_LOG(ha::haLogger(), ha::HA_CONFIGURATION_FAILED, why);
    throw takahe::ConfigError(why);
  }
  ha::HaConfig config;
  try {
    config = ha::parseHaConfig(handle.getParameters());
  } catch (const std::exception& e) {
    TAKAHE_LOG(ha::haLogger(), ha::HA_CONFIGURATION_FAILED, e.what());
    // The server refuses the configuration with this text (HooksManager reports what load()
    // throws), so the operator sees what to fix in the config-set / config-reload answer.
    throw takahe::ConfigError(e.what());
  }
  try {
    g_service = std::make_unique<ha::HaService>(std::move(config));
    for (auto& [name, fn] : ha::haCommands(*g_service)) handle.registerCommandHandler(name, fn);
    handle.registerCallout("dhcp4_srv_configured", dhcp4SrvConfigured);
    handle.registerCallout("pkt4_receive", pkt4Receive);
    handle.registerCallout("leases4_committed", leases4Committed);
    handle.registerCallout("command_processed", commandProcessed);
  } catch (const std::exception& e) {
    TAKAHE_LOG(ha::haLogger(), ha::HA_CONFIGURATION_FAILED, e.what());
    g_service.reset();  // unload() is not called after a failed load()
    throw takahe::Error(e.what());
  }
  const auto& c = g_service->config();
  for (const auto& w : c.warnings) TAKAHE_LOG(ha::haLogger(), ha::HA_CONFIGURATION_WARNING, w);
  const ha::PeerConfig* partner = c.partner();
  TAKAHE_LOG(ha::haLogger(), ha::HA_LOADED, c.this_server_name, ha::roleName(c.thisServer().role),
             ha::modeName(c.mode),
             partner ? partner->name + " (" + partner->url + ")" : std::string("none"));
  return 0;
}

int unload() {
  if (!g_service) return 0;
  std::string name = g_service->config().this_server_name;
  try {
    g_service->stop();
    g_service->releaseLocalService();
  } catch (const std::exception& e) {
    TAKAHE_LOG(ha::haLogger(), ha::HA_CALLOUT_FAILED, "unload", e.what());
  }
  g_service.reset();
  TAKAHE_LOG(ha::haLogger(), ha::HA_UNLOADED, name);
  return 0;
}

int multi_threading_compatible() { return 1; }

}  // extern "C"
