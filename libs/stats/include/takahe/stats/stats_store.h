#pragma once

// Statistics with Kea's names and JSON shapes outside, lock-free counters inside.
//
//   StatsStore stats;                                   // one per daemon, passed by reference
//   Counter received = stats.counter("pkt4-received");  // at start-up (takes the store lock)
//   received.inc();                                     // per packet: one atomic add
//   cc::Value v = stats.get("pkt4-received");           // {"pkt4-received": [[1, "..."]]}
//
// History is kept lazily: a counter write only changes the atomic; a sample (value, time) is
// appended when the control plane reads or snapshots a statistic whose value changed since its
// newest sample, and on every control-plane set()/add()/reset(). See README.md.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "takahe/cc/value.h"

namespace takahe::stats {

/// Kind of value a statistic holds. Only integers exist so far; Kea also has float, 128-bit
/// integer (v6 address counts), duration and string statistics, to be added here.
enum class StatType : uint8_t { kInteger };

/// Default history limit: 20 samples, as Kea's `statistic-default-sample-count`.
inline constexpr uint32_t kDefaultMaxSampleCount = 20;

namespace detail {

/// The part of a statistic touched by the packet path. One cache line each, so counters updated
/// by different threads do not share lines.
struct alignas(64) Cell {
  std::atomic<int64_t> value{0};
  /// False after remove(): hidden from reports until written again.
  std::atomic<bool> present{false};
};

}  // namespace detail

/// Handle on one statistic for the packet path: add/inc/set are single atomic operations (no
/// lock, no lookup, no allocation). Cheap to copy. Stays valid for the life of its StatsStore,
/// also across remove()/removeAll(): writing to a removed statistic brings it back.
/// A default-constructed Counter is detached: writes are ignored and value() is 0.
class Counter {
 public:
  Counter() = default;

  void add(int64_t delta) const {
    if (cell_ != nullptr) {
      cell_->value.fetch_add(delta, std::memory_order_relaxed);
      markPresent();
    }
  }
  void inc() const { add(1); }
  void set(int64_t v) const {
    if (cell_ != nullptr) {
      cell_->value.store(v, std::memory_order_relaxed);
      markPresent();
    }
  }
  int64_t value() const {
    return cell_ == nullptr ? 0 : cell_->value.load(std::memory_order_relaxed);
  }
  /// False for a default-constructed (detached) counter.
  bool attached() const { return cell_ != nullptr; }

 private:
  friend class StatsStore;
  explicit Counter(detail::Cell* cell) : cell_(cell) {}

  void markPresent() const {
    // A load first: the common case (already present) then never writes the flag.
    if (!cell_->present.load(std::memory_order_relaxed)) {
      cell_->present.store(true, std::memory_order_relaxed);
    }
  }
  detail::Cell* cell_ = nullptr;
};

/// All statistics of one daemon. Control-plane operations take one mutex; Counter writes never
/// do. Counters must not outlive their store.
class StatsStore {
 public:
  /// Sample limits for new statistics: at most `max_sample_count` samples, or, when that is 0,
  /// samples at most `max_sample_age` old (Kea: statistic-default-sample-count/-age).
  explicit StatsStore(uint32_t max_sample_count = kDefaultMaxSampleCount,
                      std::chrono::seconds max_sample_age = std::chrono::seconds(0));
  ~StatsStore();
  StatsStore(const StatsStore&) = delete;
  StatsStore& operator=(const StatsStore&) = delete;

  /// Handle for the packet path. Declares the statistic with value 0 if it does not exist (or
  /// was removed); an existing statistic keeps its value.
  Counter counter(std::string_view name);

  // Control-plane writes (take the lock and record a sample).

  /// Sets the value, creating the statistic if needed.
  void set(std::string_view name, int64_t value);
  /// Adds to the value, creating the statistic (from 0) if needed.
  void add(std::string_view name, int64_t delta);

  // Kea commands. Unknown names: get() returns an empty map, the others return false.

  /// statistic-get: {"name": [[value, "YYYY-mm-dd HH:MM:SS.ffffff"], ...]}, newest first; the
  /// first sample is always the current value. {} when the statistic does not exist.
  cc::Value get(std::string_view name);
  /// statistic-get-all: one member per statistic, sorted by name.
  cc::Value getAll();
  /// statistic-reset: value 0, history replaced by one sample [0, now].
  bool reset(std::string_view name);
  void resetAll();
  /// statistic-remove: the statistic disappears (Counters stay usable, see Counter).
  bool remove(std::string_view name);
  void removeAll();
  /// statistic-sample-age-set: keep samples up to `age` old; turns the count limit off.
  bool setMaxSampleAge(std::string_view name, std::chrono::seconds age);
  /// statistic-sample-count-set: keep at most `count` (>= 1) samples; turns the age limit off.
  /// Throws takahe::Error when count is 0.
  bool setMaxSampleCount(std::string_view name, uint32_t count);
  /// The -all variants also become the defaults for statistics created later.
  void setMaxSampleAgeAll(std::chrono::seconds age);
  void setMaxSampleCountAll(uint32_t count);
  /// Defaults for statistics created later (configuration: statistic-default-sample-count/-age).
  /// count > 0 selects the count limit, count == 0 the age limit.
  void setDefaults(uint32_t max_sample_count, std::chrono::seconds max_sample_age);

  bool exists(std::string_view name) const;
  /// Current value; 0 when the statistic does not exist.
  int64_t value(std::string_view name) const;
  /// Names of existing statistics, sorted.
  std::vector<std::string> names() const;
  size_t size() const;

  /// Appends a sample to every statistic whose value changed since its newest sample. A daemon
  /// may call this from a timer to keep a finer history than report requests give.
  void snapshot();

 private:
  struct Limits {
    uint32_t max_count = kDefaultMaxSampleCount;  // 0 = age limit in force
    std::chrono::seconds max_age{0};
  };
  struct Sample {
    int64_t value;
    int64_t time_us;  // wall clock, microseconds since the epoch
  };
  struct Entry {
    detail::Cell cell;
    StatType type = StatType::kInteger;
    Limits limits;
    std::deque<Sample> samples;  // oldest first
  };

  Entry* findLocked(std::string_view name) const;
  Entry& obtainLocked(std::string_view name);
  void sampleLocked(Entry& e, int64_t now_us, bool force) const;
  void trimLocked(Entry& e, int64_t now_us) const;
  cc::Value samplesLocked(Entry& e, int64_t now_us) const;

  mutable std::mutex mu_;
  Limits defaults_;
  // Entries are never freed while the store lives: Counters point into them.
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries_;
};

}  // namespace takahe::stats
