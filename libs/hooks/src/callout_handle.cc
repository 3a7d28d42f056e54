#include "takahe/hooks/callout_handle.h"

namespace takahe::hooks {

const char* nextStepName(NextStep step) {
  switch (step) {
    case NextStep::kContinue: return "continue";
    case NextStep::kSkip: return "skip";
    case NextStep::kDrop: return "drop";
    case NextStep::kPark: return "park";
  }
  return "unknown";
}

CalloutHandle::~CalloutHandle() = default;

std::vector<std::string> CalloutHandle::getArgumentNames() const {
  std::vector<std::string> names;
  names.reserve(arguments_.size());
  for (const auto& [name, value] : arguments_) names.push_back(name);
  return names;
}

bool CalloutHandle::hasContext(const std::string& name) const {
  auto it = contexts_.find(current_library_);
  return it != contexts_.end() && it->second.count(name) != 0;
}

void CalloutHandle::deleteContext(const std::string& name) {
  auto it = contexts_.find(current_library_);
  if (it != contexts_.end()) it->second.erase(name);
}

}  // namespace takahe::hooks
