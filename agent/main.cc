// takahe-agent: the HTTP(S) control agent, command line compatible with kea-ctrl-agent.

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "agent_commands.h"
#include "agent_config.h"
#include "agent_hooks.h"
#include "agent_server.h"
#include "takahe/process/pid_file.h"
#include "takahe/log/config.h"

namespace po = boost::program_options;
using namespace takahe;

namespace {

constexpr const char* kProgram = "takahe-agent";

void usage(const po::options_description& desc) {
  std::cerr << "Usage: takahe-agent -c CONFIG-FILE [-d]\n"
            << "       takahe-agent -t CONFIG-FILE | -v | -V | -W\n\n"
            << desc << "\n";
}

int testConfig(const std::string& file) {
  try {
    auto cfg = agent::loadAgentConfigFile(file);
    agent::AgentHooks::validate(cfg->hooks_libraries);  // opened and checked, load() not called
    log::configure(cfg->loggers);  // outputs that cannot be opened make the file invalid here
    for (const auto& w : cfg->warnings) {
      std::cerr << "WARN: " << w << "\n";
    }
    std::cout << "Configuration " << file << " is valid: " << cfg->url() << ", "
              << cfg->control_sockets.size() << " control socket(s)"
              << (cfg->hooks_libraries.empty()
                      ? std::string()
                      : ", " + std::to_string(cfg->hooks_libraries.size()) + " hook librar" +
                            (cfg->hooks_libraries.size() == 1 ? "y" : "ies"))
              << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "Configuration " << file << " is invalid: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("Options");
  // clang-format off
  desc.add_options()
      ("config,c", po::value<std::string>(), "configuration file (Kea Control-agent JSON)")
      ("test,t", po::value<std::string>(), "check the configuration file and exit (0 valid, 1 invalid)")
      ("debug,d", "verbose logging to stdout (DEBUG, level 99)")
      ("version,v", "print the version")
      ("extended-version,V", "print the extended version")
      ("build-report,W", "print build details")
      ("help,h", "this help");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << kProgram << ": " << e.what() << "\n";
    usage(desc);
    return 1;
  }
  if (vm.count("help")) {
    usage(desc);
    return 0;
  }
  if (vm.count("version")) {
    std::cout << TAKAHE_VERSION << "\n";
    return 0;
  }
  if (vm.count("extended-version") || vm.count("build-report")) {
    std::cout << (vm.count("extended-version") ? std::string(TAKAHE_VERSION) + "\n" : "")
              << agent::buildReport();
    return 0;
  }
  if (vm.count("test")) {
    log::initLogging("takahe-ctrl-agent", "kea-ctrl-agent", false);
    return testConfig(vm["test"].as<std::string>());
  }
  if (!vm.count("config")) {
    std::cerr << kProgram << ": a configuration file is required (-c FILE)\n";
    usage(desc);
    return 1;
  }
  agent::AgentOptions opts;
  opts.config_file = vm["config"].as<std::string>();
  opts.verbose = vm.count("debug") > 0;
  log::initLogging("takahe-ctrl-agent", "kea-ctrl-agent", opts.verbose);
  try {
    process::PidFile pid(opts.config_file, kProgram);
    agent::AgentServer server(opts);
    server.start();
    int rc = server.run();
    log::shutdownLogging();
    return rc;
  } catch (const std::exception& e) {
    std::cerr << kProgram << ": " << e.what() << "\n";
    std::fflush(stdout);
    return 1;
  }
}
