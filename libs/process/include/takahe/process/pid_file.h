#pragma once

// The PID file of a daemon instance (takahe-dhcp4, takahe-agent, ...): named after its
// configuration file, in the folder given by TAKAHE_PIDFILE_DIR, else KEA_PIDFILE_DIR, else
// <localstatedir>/run/takahe.

#include <string>

namespace takahe::process {

class PidFile {
 public:
  /// "<dir>/<config basename without extension>.<daemon_name>.pid". Throws takahe::Error when
  /// another live process holds it (the file is locked, so a stale file from a crash does not).
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

}  // namespace takahe::process
