#pragma once

// Compact hash indexes from a key hash to lease addresses (open addressing, linear probing,
// backward-shift deletion). A std::unordered_multimap costs ~40 bytes per entry; these cost
// 8-16. Keys are 32-bit hashes, so a lookup yields candidates the caller must check.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace takahe::dhcpsrv::detail {

/// A set of non-zero 32-bit values (lease addresses; 0.0.0.0 is never a lease).
class AddressSet {
 public:
  bool insert(uint32_t value);
  bool erase(uint32_t value);
  bool contains(uint32_t value) const;
  size_t size() const { return size_; }
  template <typename F>
  void forEach(F&& f) const {
    for (uint32_t v : slots_) {
      if (v) {
        f(v);
      }
    }
  }
  /// Any one member (0 when empty).
  uint32_t any() const;
  size_t memoryBytes() const { return slots_.capacity() * sizeof(uint32_t); }

 private:
  size_t home(uint32_t value) const;
  void rehash(size_t capacity);
  std::vector<uint32_t> slots_;
  size_t size_ = 0;
  unsigned shift_ = 64;
};

/// A multimap from 32-bit key hash to addresses. A hash with one address takes one 8-byte slot;
/// a hash shared by several addresses points to an AddressSet.
class HashMultiIndex {
 public:
  void insert(uint32_t hash, uint32_t address);
  void erase(uint32_t hash, uint32_t address);
  /// Calls f(address) for every address stored under `hash`.
  template <typename F>
  void forEach(uint32_t hash, F&& f) const {
    const Slot* s = findSlot(hash);
    if (!s) {
      return;
    }
    if (s->key & kSetFlag) {
      sets_[s->value - 1].forEach(f);
    } else {
      f(s->value);
    }
  }
  /// Number of (hash, address) pairs.
  size_t size() const { return size_; }
  void reserve(size_t entries);
  size_t memoryBytes() const;

 private:
  static constexpr uint32_t kSetFlag = 1;
  struct Slot {
    uint32_t key = 0;    // hash with bit 0 cleared, | kSetFlag when value is a set index + 1
    uint32_t value = 0;  // 0 = empty slot
  };
  static uint32_t keyOf(uint32_t hash) { return hash & ~kSetFlag; }
  size_t home(uint32_t key) const;
  const Slot* findSlot(uint32_t hash) const;
  Slot* findSlot(uint32_t hash) {
    return const_cast<Slot*>(static_cast<const HashMultiIndex*>(this)->findSlot(hash));
  }
  void eraseSlot(size_t index);
  void rehash(size_t capacity);
  uint32_t newSet(uint32_t a, uint32_t b);

  std::vector<Slot> slots_;
  size_t used_ = 0;  // occupied slots
  size_t size_ = 0;
  unsigned shift_ = 64;
  std::vector<AddressSet> sets_;
  std::vector<uint32_t> free_sets_;
};

/// 32-bit hashes of index keys.
uint32_t hashBytes32(const uint8_t* data, size_t len);
/// Case-insensitive (ASCII) hash of a hostname.
uint32_t hashHostname32(const char* data, size_t len);
uint32_t hashU32(uint32_t value);

}  // namespace takahe::dhcpsrv::detail
