// MemfileLeaseStore4: starting and reaping takahe-lfc, and the destructor.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <thread>

#include "memfile_impl.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/util/error.h"

extern char** environ;

namespace takahe::dhcpsrv {

MemfileLeaseStore4::~MemfileLeaseStore4() {
  if (!impl_) {
    return;
  }
  std::lock_guard lk(impl_->lfc_mutex);
  impl_->reapLocked();
  if (impl_->lfc_pid > 0) {
    // The cleanup finishes on its own; only make sure it does not stay a zombie.
    pid_t pid = impl_->lfc_pid;
    std::thread([pid] {
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }).detach();
  }
}

void MemfileLeaseStore4::Impl::rotateForLfc() {
  auto paths = LfcPaths::forLeaseFile(config.path);
  std::unique_lock w(mutex);
  journal.close();
  if (::rename(config.path.c_str(), paths.input.c_str()) != 0) {
    int err = errno;
    journal.open(config.path);
    throw Error("cannot move lease file " + config.path + " to " + paths.input + ": " +
                detail::errnoText(err));
  }
  try {
    journal.open(config.path);
  } catch (...) {
    // Put the old file back so that changes keep being journaled somewhere.
    if (::rename(paths.input.c_str(), config.path.c_str()) == 0) {
      try {
        journal.open(config.path);
      } catch (...) {
      }
    }
    throw;
  }
}

std::optional<int> MemfileLeaseStore4::Impl::reapLocked() {
  if (lfc_pid <= 0) {
    return std::nullopt;
  }
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(lfc_pid, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) {
    return std::nullopt;
  }
  lfc_pid = -1;
  if (r < 0) {
    return -1;  // reaped elsewhere (e.g. SIGCHLD ignored): outcome unknown
  }
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  if (WIFSIGNALED(status)) {
    return 128 + WTERMSIG(status);
  }
  return -1;
}

std::vector<std::string> MemfileLeaseStore4::lfcCommand() const {
  const auto& cfg = impl_->config;
  std::string exe;
  if (const char* env = std::getenv("TAKAHE_LFC_EXECUTABLE"); env && *env) {
    exe = env;
  } else if (!cfg.lfc_executable.empty()) {
    exe = cfg.lfc_executable;
  } else {
    exe = "takahe-lfc";
  }
  auto paths = LfcPaths::forLeaseFile(cfg.path);
  std::vector<std::string> cmd = {exe,  "-4",         "-x", paths.previous, "-i", paths.input,
                                  "-o", paths.output, "-f", paths.finish,   "-p", paths.pid};
  if (!cfg.config_path_for_lfc.empty()) {
    cmd.push_back("-c");
    cmd.push_back(cfg.config_path_for_lfc);
  }
  return cmd;
}

LfcStart MemfileLeaseStore4::startLfc() {
  if (!impl_->config.persist) {
    return LfcStart::kNotPersisted;
  }
  std::lock_guard lk(impl_->lfc_mutex);
  impl_->reapLocked();
  if (impl_->lfc_pid > 0) {
    return LfcStart::kAlreadyRunning;
  }
  auto paths = LfcPaths::forLeaseFile(impl_->config.path);
  // Leftovers of an interrupted cleanup: do not rotate over them, let the new run finish them.
  if (!detail::fileExists(paths.input) && !detail::fileExists(paths.finish)) {
    impl_->rotateForLfc();
  }

  auto cmd = lfcCommand();
  std::vector<char*> argv;
  for (auto& s : cmd) {
    argv.push_back(s.data());
  }
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  // Only stdin/stdout/stderr are passed on; signals start unblocked with default actions.
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const std::string& exe = cmd[0];
  int rc = exe.find('/') != std::string::npos
               ? ::posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), environ)
               : ::posix_spawnp(&pid, exe.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    throw Error("cannot start lease file cleanup " + exe + ": " + detail::errnoText(rc));
  }
  impl_->lfc_pid = pid;
  return LfcStart::kStarted;
}

std::optional<int> MemfileLeaseStore4::pollLfc() {
  std::lock_guard lk(impl_->lfc_mutex);
  return impl_->reapLocked();
}

bool MemfileLeaseStore4::lfcRunning() const {
  std::lock_guard lk(impl_->lfc_mutex);
  return impl_->lfc_pid > 0;
}

std::optional<int> MemfileLeaseStore4::waitForLfc(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    {
      std::lock_guard lk(impl_->lfc_mutex);
      if (impl_->lfc_pid <= 0) {
        return std::nullopt;
      }
      if (auto code = impl_->reapLocked()) {
        return code;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace takahe::dhcpsrv
