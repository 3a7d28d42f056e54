#include "takahe/process/daemon_main.h"

#include <boost/program_options.hpp>
#include <cstdio>
#include <iostream>

#include "takahe/log/config.h"
#include "takahe/process/pid_file.h"

namespace takahe::process {

namespace po = boost::program_options;

namespace {

void usage(const DaemonCli& cli, const po::options_description& desc) {
  bool ports = !cli.port_help.empty();
  std::cerr << "Usage: " << cli.name << " -c CONFIG-FILE [-d]" << (ports ? " [-p PORT] [-P PORT]" : "") << "\n"
            << "       " << cli.name << " -t CONFIG-FILE | -v | -V | -W\n\n"
            << desc << "\n";
}

std::string rootLogger(const DaemonCli& cli) { return cli.root_logger.empty() ? cli.name : cli.root_logger; }

int testConfig(const DaemonCli& cli, const std::string& file) {
  try {
    ConfigCheck result = cli.check(file);
    for (const auto& w : result.warnings) std::cerr << "WARN: " << w << "\n";
    std::cout << "Configuration " << file << " is valid: " << result.summary << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "Configuration " << file << " is invalid: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

std::string buildReport(const std::string& name, const std::string& details) {
  return name + " " + TAKAHE_VERSION + "\ncompiler: " + __VERSION__ + "\nC++ standard: " + std::to_string(__cplusplus) +
         "\n" + details;
}

int runDaemonMain(int argc, char** argv, const DaemonCli& cli) {
  po::options_description desc("Options");
  desc.add_options()
      ("config,c", po::value<std::string>(), ("configuration file (" + cli.config_kind + ")").c_str())
      ("test,t", po::value<std::string>(), "check the configuration file and exit (0 valid, 1 invalid)")
      ("test-full,T", po::value<std::string>(), "same as -t")
      ("debug,d", "verbose logging to stdout (DEBUG, level 99)");
  if (!cli.port_help.empty()) {
    desc.add_options()
        ("port,p", po::value<uint16_t>(), cli.port_help.c_str())
        ("reply-port,P", po::value<uint16_t>(), cli.reply_port_help.c_str());
  }
  desc.add_options()
      ("version,v", "print the version")
      ("extended-version,V", "print the extended version")
      ("build-report,W", "print build details")
      ("help,h", "this help");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, desc), vm);
    po::notify(vm);
  } catch (const std::exception& e) {
    std::cerr << cli.name << ": " << e.what() << "\n";
    usage(cli, desc);
    return 1;
  }
  if (vm.count("help")) {
    usage(cli, desc);
    return 0;
  }
  if (vm.count("version")) {
    std::cout << TAKAHE_VERSION << "\n";
    return 0;
  }
  if (vm.count("extended-version") || vm.count("build-report")) {
    std::cout << (vm.count("extended-version") ? std::string(TAKAHE_VERSION) + "\n" : "") << cli.build_report();
    return 0;
  }
  if (vm.count("test") || vm.count("test-full")) {
    log::initLogging(rootLogger(cli), cli.kea_logger, false);
    return testConfig(cli, vm.count("test") ? vm["test"].as<std::string>() : vm["test-full"].as<std::string>());
  }
  if (!vm.count("config")) {
    std::cerr << cli.name << ": a configuration file is required (-c FILE)\n";
    usage(cli, desc);
    return 1;
  }
  DaemonArgs args;
  args.config_file = vm["config"].as<std::string>();
  args.verbose = vm.count("debug") > 0;
  if (vm.count("port")) args.port = vm["port"].as<uint16_t>();
  if (vm.count("reply-port")) args.reply_port = vm["reply-port"].as<uint16_t>();
  log::initLogging(rootLogger(cli), cli.kea_logger, args.verbose);
  try {
    PidFile pid(args.config_file, cli.name);
    int rc = cli.serve(args);
    log::shutdownLogging();
    return rc;
  } catch (const std::exception& e) {
    std::cerr << cli.name << ": " << e.what() << "\n";
    std::fflush(stdout);
    return 1;
  }
}

}  // namespace takahe::process
