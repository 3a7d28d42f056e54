#include "control_commands.h"

#include "takahe/cc/command.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::dhcp4 {

using cc::makeAnswer;
using cc::ResultCode;
using cc::Value;

std::string buildReport() {
  return std::string("takahe-dhcp4 ") + TAKAHE_VERSION + "\ncompiler: " + __VERSION__ +
         "\nC++ standard: " + std::to_string(__cplusplus) + "\nlease backends: memfile\n" +
         "control channel: unix socket\n";
}

void registerDhcp4Commands(process::CommandRegistry& registry, std::function<const dhcpsrv::SrvConfig4&()> config,
                           std::function<Processor&()> processor) {
  registry.add("leases-reclaim", [config, processor](const cc::Command& cmd) {
    const Value* v = cmd.arguments && cmd.arguments->isMap() ? cmd.arguments->find("remove") : nullptr;
    if (!v) throw Error("'leases-reclaim': missing mandatory 'remove' argument");
    if (!v->isBool()) throw Error("'leases-reclaim': 'remove' must be a boolean");
    // Everything expired now, without the periodic cycle's limits.
    dhcpsrv::SrvConfig4 unlimited = config();
    unlimited.expired_leases.max_reclaim_leases = 0;
    unlimited.expired_leases.max_reclaim_time = 0;
    if (v->asBool()) unlimited.expired_leases.hold_reclaimed_time = 0;
    auto [n, more] = processor().reclaimExpired(unlimited, nowUnixSeconds());
    (void)more;
    return makeAnswer(ResultCode::kSuccess,
                      "Reclamation of expired leases is complete (" + std::to_string(n) + " reclaimed).");
  });
}

}  // namespace takahe::dhcp4
