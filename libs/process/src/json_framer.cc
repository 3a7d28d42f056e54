#include "json_framer.h"

namespace takahe::process {

JsonFramer::Status JsonFramer::feed(std::string_view bytes) {
  for (const char c : bytes) {
    if (status_ != Status::kNeedMore) {
      break;
    }
    ++length_;
    if (in_string_) {
      if (escaped_) {
        escaped_ = false;
      } else if (c == '\\') {
        escaped_ = true;
      } else if (c == '"') {
        in_string_ = false;
      }
      continue;
    }
    if (!started_) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        continue;
      }
      started_ = true;
      if (c != '{' && c != '[') {
        status_ = Status::kInvalid;
        break;
      }
      depth_ = 1;
      continue;
    }
    switch (c) {
      case '"':
        in_string_ = true;
        break;
      case '{':
      case '[':
        ++depth_;
        break;
      case '}':
      case ']':
        if (--depth_ == 0) {
          status_ = Status::kComplete;
        }
        break;
      default:
        break;
    }
  }
  return status_;
}

}  // namespace takahe::process
