#include "takahe/log/format.h"

#include <vector>

namespace takahe::log {

std::string formatMessage(std::string_view format, std::span<const std::string> args) {
  std::string out;
  out.reserve(format.size() + 16 * args.size());
  std::vector<bool> used(args.size(), false);
  size_t i = 0;
  while (i < format.size()) {
    char c = format[i];
    if (c != '%' || i + 1 >= format.size() || format[i + 1] < '0' || format[i + 1] > '9') {
      out.push_back(c);
      ++i;
      continue;
    }
    // Read the whole number so that %10 is argument ten, not %1 followed by '0'.
    size_t j = i + 1;
    size_t n = 0;
    while (j < format.size() && format[j] >= '0' && format[j] <= '9' && n < 100000) {
      n = n * 10 + static_cast<size_t>(format[j] - '0');
      ++j;
    }
    if (n >= 1 && n <= args.size()) {
      out += args[n - 1];
      used[n - 1] = true;
    } else {
      out.append(format.substr(i, j - i));
    }
    i = j;
  }
  bool first = true;
  for (size_t k = 0; k < args.size(); ++k) {
    if (!used[k]) {
      out += first ? " [extra: " : ", ";
      out += args[k];
      first = false;
    }
  }
  if (!first) {
    out += "]";
  }
  return out;
}

}  // namespace takahe::log
