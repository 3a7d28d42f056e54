#pragma once

// Unit tests that provoke failures keep their output readable: the daemon's loggers print only
// messages at `severity` and above, to stderr. Needs libs/log on the include path.

#include "takahe/log/config.h"

namespace takahe::testing {

inline void quietLogs(log::Severity severity = log::Severity::kWarn) {
  static const bool done = [severity] {
    log::initLogging("takahe-dhcp4", "kea-dhcp4", false);
    log::LoggerSpec spec;
    spec.name = "takahe-dhcp4";
    spec.severity = severity;
    log::OutputOption out;
    out.output = "stderr";
    spec.outputs.push_back(out);
    log::configure({spec});
    return true;
  }();
  (void)done;
}

}  // namespace takahe::testing
