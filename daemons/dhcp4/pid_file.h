#pragma once

// The PID file of a daemon instance: named after its configuration file, in the folder given by
// TAKAHE_PIDFILE_DIR, else KEA_PIDFILE_DIR, else the build's default.

#include <string>

namespace takahe::dhcp4 {

class PidFile {
 public:
  /// "<dir>/<config basename without extension>.takahe-dhcp4.pid". Throws takahe::Error when
  /// another live process holds it.
  PidFile(const std::string& config_file, const std::string& daemon_name);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;

  const std::string& path() const { return path_; }

  /// The folder PID files go to.
  static std::string directory();

 private:
  std::string path_;
  int fd_ = -1;
};

}  // namespace takahe::dhcp4
