#include "takahe/dhcpsrv/data_paths.h"

#include <cstdlib>
#include <filesystem>

#include "takahe_config.h"

namespace takahe::dhcpsrv {

std::string dataDirectory() {
  for (const char* env : {"TAKAHE_DHCP_DATA_DIR", "KEA_DHCP_DATA_DIR"}) {
    if (const char* v = std::getenv(env); v && *v) return v;
  }
  return std::string(TAKAHE_LOCALSTATEDIR) + "/lib/takahe";
}

std::string lfcExecutable() {
  // Installed layout first, then the binary beside ours (build tree).
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (auto candidate : {self.parent_path() / "takahe-lfc", self.parent_path() / "../../tools/lfc/takahe-lfc"}) {
      if (std::filesystem::exists(candidate, ec)) return std::filesystem::weakly_canonical(candidate, ec).string();
    }
  }
  return std::string(TAKAHE_SBINDIR) + "/takahe-lfc";
}

std::string leaseFilePath(const LeaseDatabaseConfig& db, const std::string& default_file) {
  if (!db.name.empty()) return db.name;
  return dataDirectory() + "/" + default_file;
}

MemfileConfig memfileConfig(const LeaseDatabaseConfig& db, const std::string& default_file,
                            const std::string& config_file) {
  MemfileConfig mc;
  mc.path = leaseFilePath(db, default_file);
  mc.persist = db.persist;
  mc.lfc_interval = db.lfc_interval;
  mc.max_row_errors = db.max_row_errors;
  mc.lfc_executable = lfcExecutable();
  mc.config_path_for_lfc = config_file;
  if (mc.persist) {
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(mc.path).parent_path(), ec);
  }
  return mc;
}

}  // namespace takahe::dhcpsrv
