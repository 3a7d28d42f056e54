#pragma once

// The server side of hooks: loads the `hooks-libraries` of a configuration, keeps the callouts
// of each hook point, and calls them. With no library loaded, calloutsPresent() is one load and
// one compare, so packet processing pays nothing measurable.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "takahe/cc/value.h"
#include "takahe/hooks/callout_handle.h"
#include "takahe/hooks/hooks_config.h"
#include "takahe/hooks/library_handle.h"
#include "takahe/hooks/parking_lot.h"

namespace takahe::hooks {

/// Where the server publishes library commands (its CommandRegistry).
struct CommandSink {
  std::function<void(const std::string&, CommandFn)> add;  // throws if the name is taken
  std::function<void(const std::string&)> remove;
};

class HooksManager {
 public:
  /// `hook_points`: the names this server calls, in the order of their indexes. The common points
  /// "context_create" and "context_destroy" are added by the manager.
  explicit HooksManager(std::vector<std::string> hook_points);
  ~HooksManager();
  HooksManager(const HooksManager&) = delete;
  HooksManager& operator=(const HooksManager&) = delete;

  /// Index of a hook point, or -1.
  int hookIndex(const std::string& name) const;
  const std::vector<std::string>& hookPoints() const { return hook_points_; }

  /// Checks that every library can be opened, exports a matching version(), load(), and, when
  /// `multi_threading` is on, multi_threading_compatible() returning non-zero. Does not call
  /// load(). Throws takahe::ConfigError with a message naming the library and the reason.
  static void validate(const std::vector<HookLibraryConfig>& libraries, bool multi_threading,
                       const std::string& json_path = "hooks-libraries");

  /// Unloads the current libraries, then loads `libraries` in order, calling each load().
  /// On failure the libraries loaded by this call are unloaded again and takahe::Error is thrown;
  /// the caller then typically calls load() with the previous list to restore it.
  void load(const std::vector<HookLibraryConfig>& libraries, bool multi_threading);
  /// Calls each library's unload() (last loaded first), removes its callouts and commands, drops
  /// parked packets, and closes it.
  void unloadAll();
  const std::vector<HookLibraryConfig>& loaded() const { return configs_; }
  bool anyLoaded() const { return !libraries_.empty(); }

  /// Fast check before building arguments for a hook point.
  bool calloutsPresent(int index) const {
    return index >= 0 && static_cast<size_t>(index) < present_.size() && present_[index];
  }
  /// Calls the callouts of hook `index` in order. The handle's status starts at kContinue;
  /// a callout returning non-zero is logged and the remaining callouts still run.
  void callCallouts(int index, CalloutHandle& handle);

  /// A fresh per-packet handle (creates library contexts lazily).
  CalloutHandlePtr createHandle() { return std::make_shared<CalloutHandle>(); }

  /// The parking lot of hook `index` (created on first use).
  ParkingLot& parkingLot(int index);
  void setParkingLimit(size_t limit);

  /// Where library commands are registered; set before load().
  void setCommandSink(CommandSink sink) { sink_ = std::move(sink); }
  /// Commands registered by libraries, sorted.
  std::vector<std::string> libraryCommands() const;

  // --- used by LibraryHandle ---------------------------------------------------------------
  void registerCallout(int library, const std::string& hook, CalloutFn fn);
  void registerCommand(int library, const std::string& name, CommandFn fn);

 private:
  struct Library;
  struct Callout {
    int library;
    CalloutFn fn;
  };
  void unloadLibrary(Library& lib);
  void rebuildPresent();

  std::vector<std::string> hook_points_;
  std::vector<std::vector<Callout>> callouts_;
  std::vector<char> present_;
  std::vector<std::unique_ptr<ParkingLot>> lots_;
  std::vector<std::unique_ptr<Library>> libraries_;
  std::vector<HookLibraryConfig> configs_;
  CommandSink sink_;
  size_t parking_limit_ = 256;
};

/// The DHCPv4 server's hook points, in index order.
const std::vector<std::string>& dhcp4HookPoints();

}  // namespace takahe::hooks
