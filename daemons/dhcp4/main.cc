// takahe-dhcp4: command line compatible with kea-dhcp4.

#include "control_commands.h"
#include "dhcp4_server.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/hooks/hooks_manager.h"
#include "takahe/log/config.h"
#include "takahe/net/interface.h"
#include "takahe/process/daemon_main.h"
#include "takahe/util/error.h"

using namespace takahe;

namespace {

process::ConfigCheck checkConfig(const std::string& file) {
  auto cfg = dhcpsrv::loadDhcp4ConfigFile(file);
  // As Kea does, a named interface must exist on this host for the file to be valid here.
  for (const auto& spec : cfg->interfaces.interfaces) {
    if (spec.name != "*" && !net::findInterface(spec.name)) {
      throw Error("Dhcp4/interfaces-config/interfaces: interface '" + spec.name + "' does not exist on this host");
    }
  }
  log::configure(cfg->loggers);  // outputs that cannot be opened make the file invalid here
  // Hook libraries must open and match this server (their load() is not called).
  hooks::HooksManager::validate(cfg->hooks_libraries, cfg->multi_threading.enabled, "Dhcp4/hooks-libraries");
  return {std::to_string(cfg->subnets.size()) + " subnet(s)", cfg->warnings};
}

int serve(const process::DaemonArgs& args) {
  dhcp4::ServerOptions opts;
  opts.config_file = args.config_file;
  opts.verbose = args.verbose;
  if (args.port) opts.server_port = *args.port;
  opts.reply_port = args.reply_port;
  dhcp4::Dhcp4Server server(opts);
  server.start();
  return server.run();
}

}  // namespace

int main(int argc, char** argv) {
  return process::runDaemonMain(argc, argv,
                                {"takahe-dhcp4", "", "kea-dhcp4", "Kea Dhcp4 JSON", "port to listen on (default 67)",
                                 "port every reply is sent to, relays included", dhcp4::buildReport, checkConfig, serve});
}
