#include "address_index.h"

#include <bit>

namespace takahe::dhcpsrv::detail {

namespace {

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;
constexpr size_t kMinCapacity = 4;

// Grow beyond 70 % occupancy; shrink below 1/8 (hysteresis keeps churn low).
bool tooFull(size_t used, size_t capacity) { return (used + 1) * 10 > capacity * 7; }

size_t capacityFor(size_t entries) {
  size_t cap = kMinCapacity;
  while (entries * 10 > cap * 7) {
    cap *= 2;
  }
  return cap;
}

unsigned shiftFor(size_t capacity) {
  return 64 - static_cast<unsigned>(std::countr_zero(capacity));
}

// True when the entry at `j` (home `k`) may move back into hole `i` (all cyclic).
bool movable(size_t i, size_t j, size_t k) {
  return i <= j ? (k <= i || k > j) : (k <= i && k > j);
}

}  // namespace

size_t AddressSet::home(uint32_t value) const {
  return static_cast<size_t>((value * kGolden) >> shift_);
}

void AddressSet::rehash(size_t capacity) {
  std::vector<uint32_t> old;
  old.swap(slots_);
  slots_.assign(capacity, 0);
  shift_ = shiftFor(capacity);
  size_t mask = capacity - 1;
  for (uint32_t v : old) {
    if (v) {
      size_t i = home(v);
      while (slots_[i]) {
        i = (i + 1) & mask;
      }
      slots_[i] = v;
    }
  }
}

bool AddressSet::insert(uint32_t value) {
  if (slots_.empty() || tooFull(size_, slots_.size())) {
    rehash(slots_.empty() ? kMinCapacity : slots_.size() * 2);
  }
  size_t mask = slots_.size() - 1;
  size_t i = home(value);
  while (slots_[i]) {
    if (slots_[i] == value) {
      return false;
    }
    i = (i + 1) & mask;
  }
  slots_[i] = value;
  ++size_;
  return true;
}

bool AddressSet::contains(uint32_t value) const {
  if (slots_.empty()) {
    return false;
  }
  size_t mask = slots_.size() - 1;
  for (size_t i = home(value); slots_[i]; i = (i + 1) & mask) {
    if (slots_[i] == value) {
      return true;
    }
  }
  return false;
}

uint32_t AddressSet::any() const {
  for (uint32_t v : slots_) {
    if (v) {
      return v;
    }
  }
  return 0;
}

bool AddressSet::erase(uint32_t value) {
  if (slots_.empty()) {
    return false;
  }
  size_t mask = slots_.size() - 1;
  size_t i = home(value);
  while (slots_[i] != value) {
    if (!slots_[i]) {
      return false;
    }
    i = (i + 1) & mask;
  }
  for (size_t j = (i + 1) & mask; slots_[j]; j = (j + 1) & mask) {
    if (movable(i, j, home(slots_[j]))) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = 0;
  --size_;
  if (slots_.size() > kMinCapacity && size_ * 8 < slots_.size()) {
    rehash(capacityFor(size_));
  }
  return true;
}

size_t HashMultiIndex::home(uint32_t key) const {
  return static_cast<size_t>((keyOf(key) * kGolden) >> shift_);
}

const HashMultiIndex::Slot* HashMultiIndex::findSlot(uint32_t hash) const {
  if (slots_.empty()) {
    return nullptr;
  }
  uint32_t key = keyOf(hash);
  size_t mask = slots_.size() - 1;
  for (size_t i = home(key); slots_[i].value; i = (i + 1) & mask) {
    if (keyOf(slots_[i].key) == key) {
      return &slots_[i];
    }
  }
  return nullptr;
}

void HashMultiIndex::rehash(size_t capacity) {
  std::vector<Slot> old;
  old.swap(slots_);
  slots_.assign(capacity, Slot{});
  shift_ = shiftFor(capacity);
  size_t mask = capacity - 1;
  for (const Slot& s : old) {
    if (s.value) {
      size_t i = home(s.key);
      while (slots_[i].value) {
        i = (i + 1) & mask;
      }
      slots_[i] = s;
    }
  }
}

void HashMultiIndex::reserve(size_t entries) {
  size_t cap = capacityFor(entries);
  if (cap > slots_.size()) {
    rehash(cap);
  }
}

uint32_t HashMultiIndex::newSet(uint32_t a, uint32_t b) {
  uint32_t index;
  if (!free_sets_.empty()) {
    index = free_sets_.back();
    free_sets_.pop_back();
    sets_[index] = AddressSet();
  } else {
    index = static_cast<uint32_t>(sets_.size());
    sets_.emplace_back();
  }
  sets_[index].insert(a);
  sets_[index].insert(b);
  return index + 1;
}

void HashMultiIndex::insert(uint32_t hash, uint32_t address) {
  if (Slot* s = findSlot(hash)) {
    if (s->key & kSetFlag) {
      size_ += sets_[s->value - 1].insert(address) ? 1 : 0;
    } else if (s->value != address) {
      s->value = newSet(s->value, address);
      s->key |= kSetFlag;
      ++size_;
    }
    return;
  }
  if (slots_.empty() || tooFull(used_, slots_.size())) {
    rehash(slots_.empty() ? kMinCapacity : slots_.size() * 2);
  }
  size_t mask = slots_.size() - 1;
  size_t i = home(hash);
  while (slots_[i].value) {
    i = (i + 1) & mask;
  }
  slots_[i] = Slot{keyOf(hash), address};
  ++used_;
  ++size_;
}

void HashMultiIndex::eraseSlot(size_t i) {
  size_t mask = slots_.size() - 1;
  for (size_t j = (i + 1) & mask; slots_[j].value; j = (j + 1) & mask) {
    if (movable(i, j, home(slots_[j].key))) {
      slots_[i] = slots_[j];
      i = j;
    }
  }
  slots_[i] = Slot{};
  --used_;
  if (slots_.size() > kMinCapacity && used_ * 8 < slots_.size()) {
    rehash(capacityFor(used_));
  }
}

void HashMultiIndex::erase(uint32_t hash, uint32_t address) {
  Slot* s = findSlot(hash);
  if (!s) {
    return;
  }
  if (s->key & kSetFlag) {
    uint32_t index = s->value - 1;
    AddressSet& set = sets_[index];
    if (!set.erase(address)) {
      return;
    }
    --size_;
    if (set.size() == 1) {
      // Back to a plain slot; the set's storage is released.
      s->value = set.any();
      s->key &= ~kSetFlag;
      sets_[index] = AddressSet();
      free_sets_.push_back(index);
    }
    return;
  }
  if (s->value == address) {
    --size_;
    eraseSlot(static_cast<size_t>(s - slots_.data()));
  }
}

size_t HashMultiIndex::memoryBytes() const {
  size_t bytes = slots_.capacity() * sizeof(Slot) + sets_.capacity() * sizeof(AddressSet) +
                 free_sets_.capacity() * sizeof(uint32_t);
  for (const auto& s : sets_) {
    bytes += s.memoryBytes();
  }
  return bytes;
}

namespace {

uint32_t finish(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return static_cast<uint32_t>(h);
}

}  // namespace

uint32_t hashBytes32(const uint8_t* data, size_t len) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < len; ++i) {
    h ^= data[i];
    h *= 1099511628211ull;
  }
  return finish(h ^ len);
}

uint32_t hashHostname32(const char* data, size_t len) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < len; ++i) {
    char c = data[i];
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    h ^= static_cast<uint8_t>(c);
    h *= 1099511628211ull;
  }
  return finish(h ^ len);
}

uint32_t hashU32(uint32_t value) { return finish(value * kGolden + 0x1234567ull); }

}  // namespace takahe::dhcpsrv::detail
