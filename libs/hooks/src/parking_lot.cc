#include "takahe/hooks/parking_lot.h"

#include <utility>

namespace takahe::hooks {

void ParkingLot::reference(const void* key) {
  std::lock_guard lock(mu_);
  auto it = parked_.find(key);
  if (it != parked_.end()) {
    ++it->second.refs;
  } else {
    ++early_refs_[key];
  }
}

bool ParkingLot::park(const void* key, std::function<void()> resume, std::function<void()> discard) {
  std::lock_guard lock(mu_);
  if (parked_.size() >= limit_ || parked_.count(key)) {
    early_refs_.erase(key);
    return false;
  }
  Entry e{std::move(resume), std::move(discard), 0};
  if (auto it = early_refs_.find(key); it != early_refs_.end()) {
    e.refs = it->second;
    early_refs_.erase(it);
  }
  parked_.emplace(key, std::move(e));
  return true;
}

bool ParkingLot::unpark(const void* key, bool force) {
  std::function<void()> resume;
  {
    std::lock_guard lock(mu_);
    auto it = parked_.find(key);
    if (it == parked_.end()) {
      // Unparked before the server finished parking it: cancel the early reference.
      auto er = early_refs_.find(key);
      if (er == early_refs_.end()) return false;
      if (force || --er->second <= 0) early_refs_.erase(er);
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
    if (it == parked_.end()) return false;
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
