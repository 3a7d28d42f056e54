#include "control_commands.h"

#include "takahe/process/daemon_main.h"

namespace takahe::dhcp4 {

std::string buildReport() {
  return process::buildReport("takahe-dhcp4",
                              "lease backends: memfile, sqlite, postgresql, mysql\n"
                              "control channels: unix socket, http, https\n");
}

}  // namespace takahe::dhcp4
