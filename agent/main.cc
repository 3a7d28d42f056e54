// takahe-agent: the HTTP(S) control agent, command line compatible with kea-ctrl-agent.

#include "agent_commands.h"
#include "agent_config.h"
#include "agent_hooks.h"
#include "agent_server.h"
#include "takahe/log/config.h"
#include "takahe/process/daemon_main.h"

using namespace takahe;

namespace {

process::ConfigCheck checkConfig(const std::string& file) {
  auto cfg = agent::loadAgentConfigFile(file);
  agent::AgentHooks::validate(cfg->hooks_libraries);  // opened and checked, load() not called
  log::configure(cfg->loggers);  // outputs that cannot be opened make the file invalid here
  size_t n = cfg->hooks_libraries.size();
  std::string summary = cfg->url() + ", " + std::to_string(cfg->control_sockets.size()) + " control socket(s)";
  if (n) summary += ", " + std::to_string(n) + " hook librar" + (n == 1 ? "y" : "ies");
  return {summary, cfg->warnings};
}

int serve(const process::DaemonArgs& args) {
  agent::AgentOptions opts;
  opts.config_file = args.config_file;
  opts.verbose = args.verbose;
  agent::AgentServer server(opts);
  server.start();
  return server.run();
}

}  // namespace

int main(int argc, char** argv) {
  return process::runDaemonMain(argc, argv,
                                {"takahe-agent", "takahe-ctrl-agent", "kea-ctrl-agent", "Kea Control-agent JSON", "",
                                 "", agent::buildReport, checkConfig, serve});
}
