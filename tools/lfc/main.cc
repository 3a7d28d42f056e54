// takahe-lfc: lease file cleanup, spawned by the DHCP servers (flags as kea-lfc).

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "takahe/dhcpsrv/lease_file_cleanup.h"

namespace {

void usage(FILE* out) {
  std::fprintf(out,
               "Usage: takahe-lfc -4|-6 -x <previous> -i <copy> -o <output> -f <finish> -p <pid>"
               " [-c <config>] [-d]\n"
               "       takahe-lfc -v | -V | -h\n"
               "Compacts a memfile lease file journal:\n"
               "  -4, -6       DHCPv4 or DHCPv6 lease files\n"
               "  -x <file>    result of the previous cleanup (<leases>.2)\n"
               "  -i <file>    journal moved aside by the server (<leases>.1)\n"
               "  -o <file>    output being written (<leases>.output)\n"
               "  -f <file>    finished output before its final rename (<leases>.completed)\n"
               "  -p <file>    pid file held while running (<leases>.pid)\n"
               "  -c <file>    server configuration file (accepted for compatibility)\n"
               "  -d           print progress to stderr\n"
               "  -v, -V       print the version (-V: extended)\n"
               "  -h           print this help\n");
}

int usageError(const std::string& what) {
  std::fprintf(stderr, "takahe-lfc: %s\n", what.c_str());
  usage(stderr);
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  int family = 0;
  bool debug = false;
  takahe::dhcpsrv::LfcPaths paths;
  std::string config;
  opterr = 0;
  int c;
  while ((c = getopt(argc, argv, ":46x:i:o:f:p:c:dvVWh")) != -1) {
    switch (c) {
      case '4':
      case '6':
        if (family != 0 && family != (c == '4' ? 4 : 6)) {
          return usageError("-4 and -6 are mutually exclusive");
        }
        family = c == '4' ? 4 : 6;
        break;
      case 'x':
        paths.previous = optarg;
        break;
      case 'i':
        paths.input = optarg;
        break;
      case 'o':
        paths.output = optarg;
        break;
      case 'f':
        paths.finish = optarg;
        break;
      case 'p':
        paths.pid = optarg;
        break;
      case 'c':
        config = optarg;
        break;
      case 'd':
        debug = true;
        break;
      case 'v':
        std::printf("%s\n", TAKAHE_VERSION);
        return 0;
      case 'V':
      case 'W':
        std::printf(
            "%s\ntakahe-lfc: memfile lease file cleanup (Kea-compatible CSV, DHCPv4 and "
            "DHCPv6)\n",
            TAKAHE_VERSION);
        return 0;
      case 'h':
        usage(stdout);
        return 0;
      case ':':
        return usageError(std::string("option -") + static_cast<char>(optopt) +
                          " needs an argument");
      default:
        return usageError(std::string("unknown option -") + static_cast<char>(optopt));
    }
  }
  if (optind < argc) {
    return usageError(std::string("unexpected argument '") + argv[optind] + "'");
  }
  if (family == 0) {
    return usageError("one of -4 or -6 is required");
  }
  const std::pair<const char*, const std::string*> required[] = {{"-x", &paths.previous},
                                                                 {"-i", &paths.input},
                                                                 {"-o", &paths.output},
                                                                 {"-f", &paths.finish},
                                                                 {"-p", &paths.pid}};
  for (const auto& [flag, value] : required) {
    if (value->empty()) {
      return usageError(std::string(flag) + " <file> is required");
    }
  }
  try {
    auto report = family == 4 ? takahe::dhcpsrv::runLeaseFileCleanup4(paths)
                              : takahe::dhcpsrv::runLeaseFileCleanup6(paths);
    for (const auto& w : report.warnings) {
      std::fprintf(stderr, "takahe-lfc: warning: %s\n", w.c_str());
    }
    if (debug) {
      std::fprintf(
          stderr, "takahe-lfc: %s: %zu rows read, %zu malformed rows dropped, %zu leases in %s\n",
          report.resumed ? "finished an interrupted cleanup" : "cleanup done", report.rows_read,
          report.row_errors, report.leases_written, paths.previous.c_str());
      if (!config.empty()) {
        std::fprintf(stderr, "takahe-lfc: server configuration %s (not needed by the cleanup)\n",
                     config.c_str());
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "takahe-lfc: %s\n", e.what());
    return 1;
  }
  return 0;
}
