#pragma once

#include <cstdint>
#include <string>

namespace takahe {

/// Seconds since the Unix epoch (wall clock), as stored in lease files.
int64_t nowUnixSeconds();

/// Monotonic time in microseconds (for timers and measurements, never stored).
int64_t monotonicMicros();

/// "2019-07-30 10:11:19.498739" in local time, the format of Kea statistic samples.
std::string formatTimestampMicros(int64_t unix_micros);

/// Wall clock in microseconds since the epoch.
int64_t nowUnixMicros();

}  // namespace takahe
