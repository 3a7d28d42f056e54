#include "takahe/util/time.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace takahe {

int64_t nowUnixSeconds() { return static_cast<int64_t>(::time(nullptr)); }

int64_t nowUnixMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t monotonicMicros() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}

std::string formatTimestampMicros(int64_t unix_micros) {
  time_t secs = static_cast<time_t>(unix_micros / 1000000);
  struct tm tm;
  localtime_r(&secs, &tm);
  char buf[64];
  size_t n = strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  snprintf(buf + n, sizeof(buf) - n, ".%06lld", static_cast<long long>(unix_micros % 1000000));
  return buf;
}

}  // namespace takahe
