#include "lfc_runner.h"

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "file_util.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/util/error.h"

extern char** environ;

namespace takahe::dhcpsrv::detail {

std::vector<std::string> lfcCommandLine(const MemfileConfig& config, std::string_view family_flag) {
  std::string exe;
  if (const char* env = std::getenv("TAKAHE_LFC_EXECUTABLE"); env && *env) {
    exe = env;
  } else if (!config.lfc_executable.empty()) {
    exe = config.lfc_executable;
  } else {
    exe = "takahe-lfc";
  }
  auto paths = LfcPaths::forLeaseFile(config.path);
  std::vector<std::string> cmd = {exe,  std::string(family_flag),
                                  "-x", paths.previous,
                                  "-i", paths.input,
                                  "-o", paths.output,
                                  "-f", paths.finish,
                                  "-p", paths.pid};
  if (!config.config_path_for_lfc.empty()) {
    cmd.push_back("-c");
    cmd.push_back(config.config_path_for_lfc);
  }
  return cmd;
}

void rotateLeaseFile(const std::string& path, LeaseJournal& journal) {
  auto paths = LfcPaths::forLeaseFile(path);
  journal.close();
  if (::rename(path.c_str(), paths.input.c_str()) != 0) {
    int err = errno;
    journal.open(path);
    throw Error("cannot move lease file " + path + " to " + paths.input + ": " + errnoText(err));
  }
  try {
    journal.open(path);
  } catch (...) {
    // Put the old file back so that changes keep being journaled somewhere.
    if (::rename(paths.input.c_str(), path.c_str()) == 0) {
      try {
        journal.open(path);
      } catch (...) {
      }
    }
    throw;
  }
}

LfcRunner::~LfcRunner() {
  std::lock_guard lk(mutex_);
  reapLocked();
  if (pid_ > 0) {
    // The cleanup finishes on its own; only make sure it does not stay a zombie.
    pid_t pid = pid_;
    std::thread([pid] {
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
    }).detach();
  }
}

std::optional<int> LfcRunner::reapLocked() {
  if (pid_ <= 0) {
    return std::nullopt;
  }
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) {
    return std::nullopt;
  }
  pid_ = -1;
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

LfcStart LfcRunner::start(const std::string& lease_file, const std::vector<std::string>& command,
                          const std::function<void()>& rotate) {
  std::lock_guard lk(mutex_);
  reapLocked();
  if (pid_ > 0) {
    return LfcStart::kAlreadyRunning;
  }
  auto paths = LfcPaths::forLeaseFile(lease_file);
  // Leftovers of an interrupted cleanup: do not rotate over them, let the new run finish them.
  if (!fileExists(paths.input) && !fileExists(paths.finish)) {
    rotate();
  }

  std::vector<std::string> args = command;
  std::vector<char*> argv;
  for (auto& s : args) {
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
  const std::string& exe = args.at(0);
  int rc = exe.find('/') != std::string::npos
               ? ::posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), environ)
               : ::posix_spawnp(&pid, exe.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    throw Error("cannot start lease file cleanup " + exe + ": " + errnoText(rc));
  }
  pid_ = pid;
  return LfcStart::kStarted;
}

std::optional<int> LfcRunner::poll() {
  std::lock_guard lk(mutex_);
  return reapLocked();
}

bool LfcRunner::running() const {
  std::lock_guard lk(mutex_);
  return pid_ > 0;
}

std::optional<int> LfcRunner::wait(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    {
      std::lock_guard lk(mutex_);
      if (pid_ <= 0) {
        return std::nullopt;
      }
      if (auto code = reapLocked()) {
        return code;
      }
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace takahe::dhcpsrv::detail
