// takahe-dhcp6: command line compatible with kea-dhcp6.

#include "dhcp6_server.h"
#include "takahe/dhcpsrv/config_parser6.h"
#include "takahe/hooks/hooks_manager.h"
#include "takahe/log/config.h"
#include "takahe/net/interface.h"
#include "takahe/process/daemon_main.h"
#include "takahe/util/error.h"

using namespace takahe;

namespace {

process::ConfigCheck checkConfig(const std::string& file) {
  auto cfg = dhcpsrv::loadDhcp6ConfigFile(file);
  // As Kea does, a named interface must exist on this host for the file to be valid here.
  for (const auto& spec : cfg->interfaces.interfaces) {
    if (spec.name != "*" && !net::findInterface(spec.name)) {
      throw Error("Dhcp6/interfaces-config/interfaces: interface '" + spec.name + "' does not exist on this host");
    }
  }
  log::configure(cfg->loggers);  // outputs that cannot be opened make the file invalid here
  hooks::HooksManager::validate(cfg->hooks_libraries, cfg->multi_threading.enabled, "Dhcp6/hooks-libraries");
  return {std::to_string(cfg->subnets.size()) + " subnet(s)", cfg->warnings};
}

int serve(const process::DaemonArgs& args) {
  dhcp6::ServerOptions6 opts;
  opts.config_file = args.config_file;
  opts.verbose = args.verbose;
  if (args.port) opts.server_port = *args.port;
  opts.client_port = args.reply_port;
  dhcp6::Dhcp6Server server(opts);
  server.start();
  return server.run();
}

}  // namespace

int main(int argc, char** argv) {
  return process::runDaemonMain(argc, argv,
                                {"takahe-dhcp6", "", "kea-dhcp6", "Kea Dhcp6 JSON", "port to listen on (default 547)",
                                 "port every reply is sent to (client port)", dhcp6::buildReport6, checkConfig, serve});
}
