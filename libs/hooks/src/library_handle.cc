#include "takahe/hooks/library_handle.h"

#include "takahe/hooks/hooks_manager.h"

namespace takahe::hooks {

void LibraryHandle::registerCallout(const std::string& hook, CalloutFn fn) {
  manager_.registerCallout(index_, hook, fn);
}

void LibraryHandle::registerCommandHandler(const std::string& command, CommandFn fn) {
  manager_.registerCommand(index_, command, std::move(fn));
}

std::vector<std::string> LibraryHandle::getParameterNames() const {
  std::vector<std::string> names;
  if (!parameters_.isMap()) return names;
  for (const auto& [name, value] : parameters_.asMap()) names.push_back(name);
  return names;
}

}  // namespace takahe::hooks
