#pragma once

// What a hook library's load() receives: its configuration parameters, and the means to
// register callouts and control commands.

#include <functional>
#include <string>
#include <vector>

#include "takahe/cc/command.h"
#include "takahe/cc/value.h"

namespace takahe::hooks {

class CalloutHandle;
class HooksManager;

/// A callout: returns 0 on success; anything else is logged and the next step is left as is.
using CalloutFn = int (*)(CalloutHandle&);
/// A control command handler: the parsed command in, a complete answer out
/// (cc::makeAnswer(...)). A thrown exception becomes {"result": 1, "text": what()}.
using CommandFn = std::function<cc::Value(const cc::Command&)>;

class LibraryHandle {
 public:
  LibraryHandle(HooksManager& manager, int index, std::string path, cc::Value parameters)
      : manager_(manager), index_(index), path_(std::move(path)), parameters_(std::move(parameters)) {}

  /// Registers `fn` at hook point `hook` ("pkt4_receive"); throws takahe::Error for a name the
  /// server does not know. Callouts of one hook run in library order, then registration order.
  void registerCallout(const std::string& hook, CalloutFn fn);
  /// Registers a control command (it then appears in list-commands and is reachable through the
  /// agent); throws takahe::Error if another library or the server already has that name.
  void registerCommandHandler(const std::string& command, CommandFn fn);

  /// The "parameters" map from the configuration (an empty map when absent).
  const cc::Value& getParameters() const { return parameters_; }
  /// One parameter, or nullptr.
  const cc::Value* getParameter(const std::string& name) const { return parameters_.find(name); }
  std::vector<std::string> getParameterNames() const;

  const std::string& libraryPath() const { return path_; }
  int index() const { return index_; }

 private:
  HooksManager& manager_;
  int index_;
  std::string path_;
  cc::Value parameters_;
};

}  // namespace takahe::hooks
