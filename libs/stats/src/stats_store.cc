#include "takahe/stats/stats_store.h"

#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::stats {

namespace {
constexpr int64_t kMicrosPerSecond = 1000000;
}  // namespace

StatsStore::StatsStore(uint32_t max_sample_count, std::chrono::seconds max_sample_age) {
  setDefaults(max_sample_count, max_sample_age);
}

StatsStore::~StatsStore() = default;

StatsStore::Entry* StatsStore::findLocked(std::string_view name) const {
  auto it = entries_.find(name);
  return it == entries_.end() ? nullptr : it->second.get();
}

StatsStore::Entry& StatsStore::obtainLocked(std::string_view name) {
  auto it = entries_.find(name);
  if (it == entries_.end()) {
    auto e = std::make_unique<Entry>();
    e->limits = defaults_;
    it = entries_.emplace(std::string(name), std::move(e)).first;
  }
  return *it->second;
}

void StatsStore::trimLocked(Entry& e, int64_t now_us) const {
  if (e.limits.max_count > 0) {
    while (e.samples.size() > e.limits.max_count) {
      e.samples.pop_front();
    }
  } else {
    const int64_t max_age_us = e.limits.max_age.count() * kMicrosPerSecond;
    // A sample is kept while it is younger than the limit; the newest one is the current value
    // and always stays.
    while (e.samples.size() > 1 && now_us - e.samples.front().time_us >= max_age_us) {
      e.samples.pop_front();
    }
  }
}

void StatsStore::sampleLocked(Entry& e, int64_t now_us, bool force) const {
  const int64_t v = e.cell.value.load(std::memory_order_relaxed);
  if (force || e.samples.empty() || e.samples.back().value != v) {
    e.samples.push_back(Sample{v, now_us});
  }
  trimLocked(e, now_us);
}

cc::Value StatsStore::samplesLocked(Entry& e, int64_t now_us) const {
  sampleLocked(e, now_us, false);
  cc::List list;
  list.reserve(e.samples.size());
  for (auto it = e.samples.rbegin(); it != e.samples.rend(); ++it) {
    list.push_back(
        cc::Value(cc::List{cc::Value(it->value), cc::Value(formatTimestampMicros(it->time_us))}));
  }
  return cc::Value(std::move(list));
}

Counter StatsStore::counter(std::string_view name) {
  std::lock_guard lock(mu_);
  Entry& e = obtainLocked(name);
  if (!e.cell.present.load(std::memory_order_relaxed)) {
    e.cell.present.store(true, std::memory_order_relaxed);
    sampleLocked(e, nowUnixMicros(), false);
  }
  return Counter(&e.cell);
}

void StatsStore::set(std::string_view name, int64_t value) {
  std::lock_guard lock(mu_);
  Entry& e = obtainLocked(name);
  e.cell.value.store(value, std::memory_order_relaxed);
  e.cell.present.store(true, std::memory_order_relaxed);
  sampleLocked(e, nowUnixMicros(), true);
}

void StatsStore::add(std::string_view name, int64_t delta) {
  std::lock_guard lock(mu_);
  Entry& e = obtainLocked(name);
  e.cell.value.fetch_add(delta, std::memory_order_relaxed);
  e.cell.present.store(true, std::memory_order_relaxed);
  sampleLocked(e, nowUnixMicros(), true);
}

cc::Value StatsStore::get(std::string_view name) {
  std::lock_guard lock(mu_);
  cc::Value out = cc::Value::makeMap();
  Entry* e = findLocked(name);
  if (e != nullptr && e->cell.present.load(std::memory_order_relaxed)) {
    out.set(name, samplesLocked(*e, nowUnixMicros()));
  }
  return out;
}

cc::Value StatsStore::getAll() {
  std::lock_guard lock(mu_);
  const int64_t now = nowUnixMicros();
  cc::Members members;
  for (auto& [name, e] : entries_) {
    if (e->cell.present.load(std::memory_order_relaxed)) {
      members.emplace_back(name, samplesLocked(*e, now));
    }
  }
  return cc::Value(std::move(members));
}

bool StatsStore::reset(std::string_view name) {
  std::lock_guard lock(mu_);
  Entry* e = findLocked(name);
  if (e == nullptr || !e->cell.present.load(std::memory_order_relaxed)) {
    return false;
  }
  e->cell.value.store(0, std::memory_order_relaxed);
  e->samples.clear();
  sampleLocked(*e, nowUnixMicros(), true);
  return true;
}

void StatsStore::resetAll() {
  std::lock_guard lock(mu_);
  const int64_t now = nowUnixMicros();
  for (auto& [name, e] : entries_) {
    if (e->cell.present.load(std::memory_order_relaxed)) {
      e->cell.value.store(0, std::memory_order_relaxed);
      e->samples.clear();
      sampleLocked(*e, now, true);
    }
  }
}

bool StatsStore::remove(std::string_view name) {
  std::lock_guard lock(mu_);
  Entry* e = findLocked(name);
  if (e == nullptr || !e->cell.present.load(std::memory_order_relaxed)) {
    return false;
  }
  // The entry stays allocated: Counters may still point at it. A write through one of them
  // marks it present again, starting from 0.
  e->cell.present.store(false, std::memory_order_relaxed);
  e->cell.value.store(0, std::memory_order_relaxed);
  e->samples.clear();
  return true;
}

void StatsStore::removeAll() {
  std::lock_guard lock(mu_);
  for (auto& [name, e] : entries_) {
    e->cell.present.store(false, std::memory_order_relaxed);
    e->cell.value.store(0, std::memory_order_relaxed);
    e->samples.clear();
  }
}

bool StatsStore::setMaxSampleAge(std::string_view name, std::chrono::seconds age) {
  if (age.count() < 0) {
    throw Error("max-age must not be negative");
  }
  std::lock_guard lock(mu_);
  Entry* e = findLocked(name);
  if (e == nullptr || !e->cell.present.load(std::memory_order_relaxed)) {
    return false;
  }
  e->limits = Limits{0, age};
  trimLocked(*e, nowUnixMicros());
  return true;
}

bool StatsStore::setMaxSampleCount(std::string_view name, uint32_t count) {
  if (count == 0) {
    throw Error("max-samples must be greater than 0");
  }
  std::lock_guard lock(mu_);
  Entry* e = findLocked(name);
  if (e == nullptr || !e->cell.present.load(std::memory_order_relaxed)) {
    return false;
  }
  e->limits = Limits{count, std::chrono::seconds(0)};
  trimLocked(*e, nowUnixMicros());
  return true;
}

void StatsStore::setMaxSampleAgeAll(std::chrono::seconds age) {
  if (age.count() < 0) {
    throw Error("max-age must not be negative");
  }
  std::lock_guard lock(mu_);
  defaults_ = Limits{0, age};
  const int64_t now = nowUnixMicros();
  for (auto& [name, e] : entries_) {
    e->limits = defaults_;
    trimLocked(*e, now);
  }
}

void StatsStore::setMaxSampleCountAll(uint32_t count) {
  if (count == 0) {
    throw Error("max-samples must be greater than 0");
  }
  std::lock_guard lock(mu_);
  defaults_ = Limits{count, std::chrono::seconds(0)};
  const int64_t now = nowUnixMicros();
  for (auto& [name, e] : entries_) {
    e->limits = defaults_;
    trimLocked(*e, now);
  }
}

void StatsStore::setDefaults(uint32_t max_sample_count, std::chrono::seconds max_sample_age) {
  if (max_sample_age.count() < 0) {
    throw Error("statistic-default-sample-age must not be negative");
  }
  std::lock_guard lock(mu_);
  defaults_ = Limits{max_sample_count, max_sample_age};
}

bool StatsStore::exists(std::string_view name) const {
  std::lock_guard lock(mu_);
  const Entry* e = findLocked(name);
  return e != nullptr && e->cell.present.load(std::memory_order_relaxed);
}

int64_t StatsStore::value(std::string_view name) const {
  std::lock_guard lock(mu_);
  const Entry* e = findLocked(name);
  if (e == nullptr || !e->cell.present.load(std::memory_order_relaxed)) {
    return 0;
  }
  return e->cell.value.load(std::memory_order_relaxed);
}

std::vector<std::string> StatsStore::names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (const auto& [name, e] : entries_) {
    if (e->cell.present.load(std::memory_order_relaxed)) {
      out.push_back(name);
    }
  }
  return out;
}

size_t StatsStore::size() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [name, e] : entries_) {
    if (e->cell.present.load(std::memory_order_relaxed)) {
      ++n;
    }
  }
  return n;
}

void StatsStore::snapshot() {
  std::lock_guard lock(mu_);
  const int64_t now = nowUnixMicros();
  for (auto& [name, e] : entries_) {
    if (e->cell.present.load(std::memory_order_relaxed)) {
      sampleLocked(*e, now, false);
    }
  }
}

}  // namespace takahe::stats
