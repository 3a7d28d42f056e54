// Loading and unloading hook libraries, and calling their callouts.

#include "takahe/hooks/hooks_manager.h"

#include <dlfcn.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "hooks_messages.h"
#include "takahe/hooks/hooks.h"
#include "takahe/util/error.h"
#include "takahe_config.h"

namespace takahe::hooks {

namespace {

const log::Logger& hooksLogger() {
  static const log::Logger logger("hooks");
  return logger;
}

using VersionFn = int (*)();
using LoadFn = int (*)(LibraryHandle&);
using UnloadFn = int (*)();
using MtFn = int (*)();

/// Directory of Takahe's own hook libraries.
std::string hooksDirectory() {
  for (const char* env : {"TAKAHE_HOOKS_PATH", "KEA_HOOKS_PATH"}) {
    if (const char* v = std::getenv(env); v && *v) return v;
  }
  return TAKAHE_HOOKS_DIR;
}

/// A bare file name is looked up in the hooks directory. A path into Kea's hooks directory whose
/// file name Takahe also provides (libdhcp_lease_cmds.so, ...) loads Takahe's library, so a Kea
/// configuration works unchanged.
std::string resolvePath(const std::string& path, bool log_mapping) {
  namespace fs = std::filesystem;
  fs::path p(path);
  std::error_code ec;
  if (!p.has_parent_path()) return (fs::path(hooksDirectory()) / p).string();
  if (path.find("/kea/hooks/") != std::string::npos) {
    fs::path ours = fs::path(hooksDirectory()) / p.filename();
    if (fs::exists(ours, ec)) {
      if (log_mapping) TAKAHE_LOG(hooksLogger(), HOOKS_KEA_PATH_MAPPED, path, ours.string());
      return ours.string();
    }
  }
  return path;
}

struct DlHandle {
  void* h = nullptr;
  explicit DlHandle(void* handle) : h(handle) {}
  DlHandle(const DlHandle&) = delete;
  DlHandle& operator=(const DlHandle&) = delete;
  ~DlHandle() {
    if (h) ::dlclose(h);
  }
  void* sym(const char* name) const { return ::dlsym(h, name); }
};

/// Opens a library and checks its exports; throws ConfigError naming the library and the reason.
std::unique_ptr<DlHandle> openChecked(const std::string& configured, const std::string& path, bool multi_threading,
                                      const std::string& where) {
  auto fail = [&](const std::string& why) -> void {
    throw ConfigError(where + ": hook library " + configured + " " + why);
  };
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) fail("does not exist (" + path + ")");
  ::dlerror();
  auto handle = std::make_unique<DlHandle>(::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL));
  if (!handle->h) {
    const char* e = ::dlerror();
    fail(std::string("cannot be loaded: ") + (e ? e : "unknown error"));
  }
  auto version = reinterpret_cast<VersionFn>(handle->sym("version"));
  if (!version) fail("has no version() function: it is not a Takahe hook library");
  int v = version();
  if (v != kHooksVersion) {
    fail("was built for hooks API version " + std::to_string(v) + " but this server has version " +
         std::to_string(kHooksVersion) + "; rebuild it against this release's headers");
  }
  if (!handle->sym("load")) fail("has no load() function");
  if (multi_threading) {
    auto mt = reinterpret_cast<MtFn>(handle->sym("multi_threading_compatible"));
    if (!mt || mt() == 0) {
      fail("is not multi-threading compatible (its multi_threading_compatible() is " +
           std::string(mt ? "0" : "missing") + ") and multi-threading is enabled; disable multi-threading or remove the library");
    }
  }
  return handle;
}

}  // namespace

struct HooksManager::Library {
  HookLibraryConfig config;
  std::string path;  // resolved
  std::unique_ptr<DlHandle> dl;
  std::unique_ptr<LibraryHandle> handle;
  std::vector<std::string> commands;
  bool loaded = false;  // load() returned 0
};

HooksManager::HooksManager(std::vector<std::string> hook_points) : hook_points_(std::move(hook_points)) {
  for (const char* common : {"context_create", "context_destroy"}) {
    if (std::find(hook_points_.begin(), hook_points_.end(), common) == hook_points_.end()) {
      hook_points_.push_back(common);
    }
  }
  callouts_.resize(hook_points_.size());
  present_.assign(hook_points_.size(), 0);
  lots_.resize(hook_points_.size());
}

HooksManager::~HooksManager() { unloadAll(); }

int HooksManager::hookIndex(const std::string& name) const {
  auto it = std::find(hook_points_.begin(), hook_points_.end(), name);
  return it == hook_points_.end() ? -1 : static_cast<int>(it - hook_points_.begin());
}

void HooksManager::validate(const std::vector<HookLibraryConfig>& libraries, bool multi_threading,
                            const std::string& json_path) {
  for (size_t i = 0; i < libraries.size(); ++i) {
    const auto& c = libraries[i];
    openChecked(c.path, resolvePath(c.path, false), multi_threading, json_path + "[" + std::to_string(i) + "]");
  }
}

void HooksManager::load(const std::vector<HookLibraryConfig>& libraries, bool multi_threading) {
  unloadAll();
  try {
    for (size_t i = 0; i < libraries.size(); ++i) {
      const auto& c = libraries[i];
      auto lib = std::make_unique<Library>();
      lib->config = c;
      lib->path = resolvePath(c.path, true);
      lib->dl = openChecked(c.path, lib->path, multi_threading, "hooks-libraries[" + std::to_string(i) + "]");
      int index = static_cast<int>(libraries_.size());
      lib->handle = std::make_unique<LibraryHandle>(*this, index, c.path,
                                                    c.parameters.isMap() ? c.parameters : cc::Value::makeMap());
      libraries_.push_back(std::move(lib));
      Library& l = *libraries_.back();
      auto load_fn = reinterpret_cast<LoadFn>(l.dl->sym("load"));
      int rc;
      try {
        rc = load_fn(*l.handle);
      } catch (const std::exception& e) {
        throw Error("hook library " + c.path + ": load() failed: " + e.what());
      }
      if (rc != 0) throw Error("hook library " + c.path + ": load() returned " + std::to_string(rc) + " (see its log messages for the reason)");
      l.loaded = true;
      // Functions exported under a hook point's name are callouts too (Kea's convention).
      size_t registered = 0;
      for (const auto& point : hook_points_) {
        auto fn = reinterpret_cast<CalloutFn>(l.dl->sym(point.c_str()));
        if (!fn) continue;
        auto& list = callouts_[static_cast<size_t>(hookIndex(point))];
        bool dup = std::any_of(list.begin(), list.end(), [&](const Callout& co) { return co.library == index && co.fn == fn; });
        if (!dup) list.push_back({index, fn});
      }
      for (const auto& list : callouts_) {
        for (const auto& co : list) registered += co.library == index;
      }
      rebuildPresent();
      TAKAHE_LOG(hooksLogger(), HOOKS_LIBRARY_LOADED, l.path, registered, l.commands.size());
    }
  } catch (...) {
    unloadAll();
    throw;
  }
  configs_ = libraries;
}

void HooksManager::unloadLibrary(Library& lib) {
  int index = lib.handle ? lib.handle->index() : -1;
  // Parked packets may hold contexts and closures made by the library: drop them first.
  for (size_t i = 0; i < lots_.size(); ++i) {
    if (lots_[i] && lots_[i]->size()) {
      TAKAHE_LOG(hooksLogger(), HOOKS_PARKED_DROPPED, lots_[i]->size(), hook_points_[i]);
      lots_[i]->clear();
    }
  }
  for (auto& list : callouts_) {
    list.erase(std::remove_if(list.begin(), list.end(), [&](const Callout& c) { return c.library == index; }), list.end());
  }
  rebuildPresent();
  for (const auto& name : lib.commands) {
    if (sink_.remove) sink_.remove(name);
  }
  lib.commands.clear();
  if (lib.loaded) {
    if (auto unload = reinterpret_cast<UnloadFn>(lib.dl->sym("unload"))) {
      int rc = 0;
      try {
        rc = unload();
      } catch (const std::exception& e) {
        TAKAHE_LOG(hooksLogger(), HOOKS_UNLOAD_FAIL, lib.config.path, e.what());
      }
      if (rc != 0) TAKAHE_LOG(hooksLogger(), HOOKS_UNLOAD_FAIL, lib.config.path, rc);
    }
    TAKAHE_LOG(hooksLogger(), HOOKS_LIBRARY_UNLOADED, lib.config.path);
  }
  lib.loaded = false;
  lib.handle.reset();
  lib.dl.reset();  // dlclose last: nothing of the library is referenced any more
}

void HooksManager::unloadAll() {
  while (!libraries_.empty()) {
    unloadLibrary(*libraries_.back());
    libraries_.pop_back();
  }
  configs_.clear();
}

void HooksManager::rebuildPresent() {
  for (size_t i = 0; i < callouts_.size(); ++i) present_[i] = callouts_[i].empty() ? 0 : 1;
}

void HooksManager::callCallouts(int index, CalloutHandle& handle) {
  if (!calloutsPresent(index)) return;
  const auto& point = hook_points_[static_cast<size_t>(index)];
  handle.prepare(point, &parkingLot(index));
  for (const Callout& c : callouts_[static_cast<size_t>(index)]) {
    handle.setCurrentLibrary(c.library);
    try {
      int rc = c.fn(handle);
      if (rc != 0) TAKAHE_LOG(hooksLogger(), HOOKS_CALLOUT_ERROR, libraries_[static_cast<size_t>(c.library)]->config.path, point, rc);
    } catch (const std::exception& e) {
      TAKAHE_LOG(hooksLogger(), HOOKS_CALLOUT_EXCEPTION, libraries_[static_cast<size_t>(c.library)]->config.path, point, e.what());
    }
  }
  handle.setCurrentLibrary(-1);
}

ParkingLot& HooksManager::parkingLot(int index) {
  auto& lot = lots_.at(static_cast<size_t>(index));
  if (!lot) lot = std::make_unique<ParkingLot>(parking_limit_);
  return *lot;
}

void HooksManager::setParkingLimit(size_t limit) {
  parking_limit_ = limit;
  for (auto& lot : lots_) {
    if (lot) lot->setLimit(limit);
  }
}

std::vector<std::string> HooksManager::libraryCommands() const {
  std::vector<std::string> names;
  for (const auto& lib : libraries_) names.insert(names.end(), lib->commands.begin(), lib->commands.end());
  std::sort(names.begin(), names.end());
  return names;
}

void HooksManager::registerCallout(int library, const std::string& hook, CalloutFn fn) {
  int index = hookIndex(hook);
  if (index < 0) {
    throw Error("no hook point '" + hook + "' in this server (known: " + std::to_string(hook_points_.size()) +
                " points, e.g. pkt4_receive, leases4_committed)");
  }
  if (!fn) throw Error("null callout for hook point '" + hook + "'");
  callouts_[static_cast<size_t>(index)].push_back({library, fn});
  rebuildPresent();
}

void HooksManager::registerCommand(int library, const std::string& name, CommandFn fn) {
  if (name.empty() || !fn) throw Error("a command needs a name and a handler");
  Library& lib = *libraries_.at(static_cast<size_t>(library));
  for (const auto& other : libraries_) {
    if (std::find(other->commands.begin(), other->commands.end(), name) != other->commands.end()) {
      throw Error("command '" + name + "' is already registered by hook library " + other->config.path);
    }
  }
  if (sink_.add) sink_.add(name, std::move(fn));  // throws when the server has the name
  lib.commands.push_back(name);
}

}  // namespace takahe::hooks
