#include "takahe/hooks/parking_lot.h"

#include <utility>

namespace takahe::hooks {

void ParkingLot::reference(const void* key) {
  std::lock_guard lock(mu_);
  auto it = parked_.find(key);
  if (it != parked_.end()) {
    ++it->second.refs;
  } else {
    ++early_refs_[key].refs;
  }
}

bool ParkingLot::park(const void* key, std::function<void()> resume, std::function<void()> discard) {
  std::function<void()> run_now;
  {
    std::lock_guard lock(mu_);
    if (parked_.size() >= limit_ || parked_.count(key)) {
      early_refs_.erase(key);
      return false;
    }
    Entry e{std::move(resume), std::move(discard), 0};
    if (auto it = early_refs_.find(key); it != early_refs_.end()) {
      Early early = it->second;
      early_refs_.erase(it);
      if (early.dropped) {
        run_now = std::move(e.discard);
      } else if (early.forced || early.refs - early.released <= 0) {
        run_now = std::move(e.resume);
      } else {
        e.refs = early.refs - early.released;
      }
    }
    if (!run_now) {
      parked_.emplace(key, std::move(e));
      return true;
    }
  }
  run_now();
  return true;
}

bool ParkingLot::unpark(const void* key, bool force) {
  std::function<void()> resume;
  {
    std::lock_guard lock(mu_);
    auto it = parked_.find(key);
    if (it == parked_.end()) {
      // Released before the server finished parking it: park() will resume it at once.
      auto er = early_refs_.find(key);
      if (er == early_refs_.end()) return false;
      if (force) {
        er->second.forced = true;
      } else {
        ++er->second.released;
      }
      return true;
    }
    if (!force && --it->second.refs > 0) return true;
    resume = std::move(it->second.resume);
    parked_.erase(it);
  }
  if (resume) resume();
  return true;
}

bool ParkingLot::drop(const void* key) {
  std::function<void()> discard;
  {
    std::lock_guard lock(mu_);
    auto it = parked_.find(key);
    if (it == parked_.end()) {
      // Dropped before the server finished parking it: park() will discard it at once.
      auto er = early_refs_.find(key);
      if (er == early_refs_.end()) return false;
      er->second.dropped = true;
      return true;
    }
    discard = std::move(it->second.discard);
    parked_.erase(it);
  }
  if (discard) discard();
  return true;
}

bool ParkingLot::isParked(const void* key) const {
  std::lock_guard lock(mu_);
  return parked_.count(key) != 0;
}

size_t ParkingLot::size() const {
  std::lock_guard lock(mu_);
  return parked_.size();
}

void ParkingLot::forget(const void* key) {
  std::lock_guard lock(mu_);
  early_refs_.erase(key);
}

void ParkingLot::clear() {
  std::map<const void*, Entry> dropped;
  {
    std::lock_guard lock(mu_);
    dropped.swap(parked_);
    early_refs_.clear();
  }
  for (auto& [key, e] : dropped) {
    if (e.discard) e.discard();
  }
}

void ParkingLot::setLimit(size_t limit) {
  std::lock_guard lock(mu_);
  limit_ = limit;
}

}  // namespace takahe::hooks
