// takahe-dhcp4: command line compatible with kea-dhcp4.

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "control_commands.h"
#include "dhcp4_server.h"
#include "takahe/process/pid_file.h"
#include "takahe/net/interface.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/hooks/hooks_manager.h"
#include "takahe/log/config.h"
#include "takahe/util/error.h"

namespace po = boost::program_options;
using namespace takahe;

namespace {

void usage(const po::options_description& desc) {
  std::cerr << "Usage: takahe-dhcp4 -c CONFIG-FILE [-d] [-p PORT] [-P PORT]\n"
            << "       takahe-dhcp4 -t CONFIG-FILE | -v | -V | -W\n\n"
            << desc << "\n";
}

int testConfig(const std::string& file) {
  try {
    auto cfg = dhcpsrv::loadDhcp4ConfigFile(file);
    // As Kea does, a named interface must exist on this host for the file to be valid here.
    for (const auto& spec : cfg->interfaces.interfaces) {
      if (spec.name != "*" && !net::findInterface(spec.name)) {
        throw Error("Dhcp4/interfaces-config/interfaces: interface '" + spec.name +
                    "' does not exist on this host");
      }
    }
    log::configure(cfg->loggers);  // outputs that cannot be opened make the file invalid here
    // Hook libraries must open and match this server (their load() is not called).
    hooks::HooksManager::validate(cfg->hooks_libraries, cfg->multi_threading.enabled, "Dhcp4/hooks-libraries");
    for (const auto& w : cfg->warnings) std::cerr << "WARN: " << w << "\n";
    std::cout << "Configuration " << file << " is valid: " << cfg->subnets.size() << " subnet(s)\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "Configuration " << file << " is invalid: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  po::options_description desc("Options");
  desc.add_options()
      ("config,c", po::value<std::string>(), "configuration file (Kea Dhcp4 JSON)")
      ("test,t", po::value<std::string>(), "check the configuration file and exit (0 valid, 1 invalid)")
      ("test-full,T", po::value<std::string>(), "same as -t")
      ("debug,d", "verbose logging to stdout (DEBUG, level 99)")
      ("port,p", po::value<uint16_t>(), "port to listen on (default 67)")
      ("reply-port,P", po::value<uint16_t>(), "port every reply is sent to, relays included")
      ("version,v", "print the version")
      ("extended-version,V", "print the extended version")
      ("build-report,W", "print build details")
      ("help,h", "this help");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << "takahe-dhcp4: " << e.what() << "\n";
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
              << dhcp4::buildReport();
    return 0;
  }
  if (vm.count("test") || vm.count("test-full")) {
    log::initLogging("takahe-dhcp4", "kea-dhcp4", false);
    return testConfig(vm.count("test") ? vm["test"].as<std::string>() : vm["test-full"].as<std::string>());
  }
  if (!vm.count("config")) {
    std::cerr << "takahe-dhcp4: a configuration file is required (-c FILE)\n";
    usage(desc);
    return 1;
  }
  dhcp4::ServerOptions opts;
  opts.config_file = vm["config"].as<std::string>();
  opts.verbose = vm.count("debug") > 0;
  if (vm.count("port")) opts.server_port = vm["port"].as<uint16_t>();
  if (vm.count("reply-port")) opts.reply_port = vm["reply-port"].as<uint16_t>();
  log::initLogging("takahe-dhcp4", "kea-dhcp4", opts.verbose);
  try {
    process::PidFile pid(opts.config_file, "takahe-dhcp4");
    dhcp4::Dhcp4Server server(opts);
    server.start();
    int rc = server.run();
    log::shutdownLogging();
    return rc;
  } catch (const std::exception& e) {
    std::cerr << "takahe-dhcp4: " << e.what() << "\n";
    std::fflush(stdout);
    return 1;
  }
}
