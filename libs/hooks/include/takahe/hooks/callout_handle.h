#pragma once

// The per-packet (or per-event) handle a callout receives: named arguments it may read and
// change, the next step it chooses, and a private context per library that lives as long as the
// packet.

#include <any>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "takahe/util/error.h"

namespace takahe::hooks {

/// What the server does after the callouts of a hook point ran (Kea's numbering).
enum class NextStep : int {
  kContinue = 0,  ///< carry on normally
  kSkip = 1,      ///< skip the server's own step (meaning depends on the hook point)
  kDrop = 2,      ///< drop the packet, send nothing
  kPark = 3,      ///< hold the packet until a library unparks it (leases4_committed)
};

/// "continue", "skip", "drop", "park".
const char* nextStepName(NextStep step);

/// Thrown by getArgument/getContext for a missing name or a different type.
class NoSuchArgument : public Error {
 public:
  using Error::Error;
};

class ParkingLot;

class CalloutHandle {
 public:
  CalloutHandle() = default;
  CalloutHandle(const CalloutHandle&) = delete;
  CalloutHandle& operator=(const CalloutHandle&) = delete;
  ~CalloutHandle();

  /// Sets (or replaces) argument `name`.
  template <class T>
  void setArgument(const std::string& name, T value) {
    arguments_[name] = std::move(value);
  }
  /// Copies argument `name` into `value`; throws NoSuchArgument when absent or of another type.
  template <class T>
  void getArgument(const std::string& name, T& value) const {
    value = *typed<T>(arguments_, name, "argument");
  }
  /// Pointer to argument `name` (to change it in place), or nullptr when absent or of another type.
  template <class T>
  T* argument(const std::string& name) {
    auto it = arguments_.find(name);
    return it == arguments_.end() ? nullptr : std::any_cast<T>(&it->second);
  }
  bool hasArgument(const std::string& name) const { return arguments_.count(name) != 0; }
  std::vector<std::string> getArgumentNames() const;
  void deleteArgument(const std::string& name) { arguments_.erase(name); }
  void deleteAllArguments() { arguments_.clear(); }

  NextStep getStatus() const { return status_; }
  void setStatus(NextStep step) { status_ = step; }

  /// Context private to the library whose callout is running, kept across the hook points of one
  /// packet (e.g. set in pkt4_receive, read in pkt4_send).
  template <class T>
  void setContext(const std::string& name, T value) {
    contexts_[current_library_][name] = std::move(value);
  }
  template <class T>
  void getContext(const std::string& name, T& value) const {
    auto it = contexts_.find(current_library_);
    if (it == contexts_.end()) throw NoSuchArgument("no context '" + name + "'");
    value = *typed<T>(it->second, name, "context");
  }
  bool hasContext(const std::string& name) const;
  void deleteContext(const std::string& name);

  /// Name of the hook point being called ("pkt4_receive").
  const std::string& hookName() const { return hook_name_; }
  /// The parking lot of the hook point being called; nullptr where parking is not supported.
  ParkingLot* parkingLot() const { return parking_lot_; }

  // --- used by the server and the HooksManager, not by libraries ---------------------------
  void prepare(const std::string& hook_name, ParkingLot* lot) {
    hook_name_ = hook_name;
    parking_lot_ = lot;
    status_ = NextStep::kContinue;
  }
  void setCurrentLibrary(int index) { current_library_ = index; }
  /// Drops the contexts a library created (before the library is unloaded).
  void dropContexts(int library_index) { contexts_.erase(library_index); }

 private:
  using Map = std::map<std::string, std::any>;
  template <class T>
  static const T* typed(const Map& m, const std::string& name, const char* what) {
    auto it = m.find(name);
    if (it == m.end()) throw NoSuchArgument(std::string("no ") + what + " '" + name + "'");
    const T* p = std::any_cast<T>(&it->second);
    if (!p) throw NoSuchArgument(std::string(what) + " '" + name + "' has another type than requested");
    return p;
  }

  Map arguments_;
  std::map<int, Map> contexts_;
  NextStep status_ = NextStep::kContinue;
  int current_library_ = -1;
  std::string hook_name_;
  ParkingLot* parking_lot_ = nullptr;
};

using CalloutHandlePtr = std::shared_ptr<CalloutHandle>;

}  // namespace takahe::hooks
