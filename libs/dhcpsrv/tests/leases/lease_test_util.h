#pragma once

// Helpers for the lease tests: scratch directories, files, leases.

#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "takahe/dhcpsrv/lease.h"

namespace takahe::dhcpsrv::test {

/// A fresh directory under $TMPDIR (or /tmp), removed with its contents at scope exit.
class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/takahe-leases-XXXXXX";
    if (!::mkdtemp(tmpl.data())) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// Names of the files in the directory, sorted.
  std::vector<std::string> list() const {
    std::vector<std::string> names;
    for (const auto& e : std::filesystem::directory_iterator(path_)) {
      names.push_back(e.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::string path_;
};

inline std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void writeFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
}

inline bool exists(const std::string& path) { return std::filesystem::exists(path); }

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    out.push_back(l);
  }
  return out;
}

inline Lease4 makeLease(const std::string& address, const std::string& hw, uint32_t subnet,
                        int64_t cltt = 1700000000, uint32_t valid = 3600,
                        const std::string& hostname = "", LeaseState state = LeaseState::kDefault,
                        const std::string& cid = "") {
  Lease4 l;
  l.address = IPv4Address::fromString(address);
  if (!hw.empty()) {
    l.hwaddr = HwAddr::fromString(hw);
  }
  if (!cid.empty()) {
    l.client_id = ClientId::fromString(cid);
  }
  l.subnet_id = SubnetId(subnet);
  l.cltt = cltt;
  l.valid_lifetime = valid;
  l.hostname = hostname;
  l.state = state;
  return l;
}

inline std::vector<std::string> addressesOf(const std::vector<Lease4>& leases) {
  std::vector<std::string> out;
  for (const auto& l : leases) {
    out.push_back(l.address.toString());
  }
  return out;
}

/// Sets (or unsets, with nullopt) an environment variable for the current scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = old;
    }
    if (value) {
      ::setenv(name, value->c_str(), 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_, old_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

}  // namespace takahe::dhcpsrv::test
