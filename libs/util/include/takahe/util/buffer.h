#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

namespace takahe {

/// Bounds-checked reader over untrusted bytes. Every read reports failure instead of throwing;
/// after a failed read the reader is marked bad and all further reads fail.
class InputBuffer {
 public:
  explicit InputBuffer(std::span<const uint8_t> data) : data_(data) {}

  size_t remaining() const { return bad_ ? 0 : data_.size() - pos_; }
  size_t position() const { return pos_; }
  bool bad() const { return bad_; }
  bool empty() const { return remaining() == 0; }

  bool readU8(uint8_t& out) {
    if (!need(1)) return false;
    out = data_[pos_++];
    return true;
  }
  bool readU16(uint16_t& out) {
    if (!need(2)) return false;
    out = static_cast<uint16_t>((data_[pos_] << 8) | data_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool readU32(uint32_t& out) {
    if (!need(4)) return false;
    out = (uint32_t{data_[pos_]} << 24) | (uint32_t{data_[pos_ + 1]} << 16) |
          (uint32_t{data_[pos_ + 2]} << 8) | uint32_t{data_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  /// Returns a view of the next n bytes and advances, or an empty optional-like span + false.
  bool readSpan(size_t n, std::span<const uint8_t>& out) {
    if (!need(n)) return false;
    out = data_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool skip(size_t n) {
    if (!need(n)) return false;
    pos_ += n;
    return true;
  }

 private:
  bool need(size_t n) {
    if (bad_ || data_.size() - pos_ < n) {
      bad_ = true;
      return false;
    }
    return true;
  }
  std::span<const uint8_t> data_;
  size_t pos_ = 0;
  bool bad_ = false;
};

/// Growable big-endian writer.
class OutputBuffer {
 public:
  OutputBuffer() = default;
  explicit OutputBuffer(size_t reserve) { data_.reserve(reserve); }

  void writeU8(uint8_t v) { data_.push_back(v); }
  void writeU16(uint16_t v) {
    data_.push_back(static_cast<uint8_t>(v >> 8));
    data_.push_back(static_cast<uint8_t>(v));
  }
  void writeU32(uint32_t v) {
    writeU16(static_cast<uint16_t>(v >> 16));
    writeU16(static_cast<uint16_t>(v));
  }
  void write(std::span<const uint8_t> bytes) { data_.insert(data_.end(), bytes.begin(), bytes.end()); }
  void write(std::string_view s) { data_.insert(data_.end(), s.begin(), s.end()); }
  void writeZeros(size_t n) { data_.insert(data_.end(), n, 0); }
  /// Overwrites a byte already written (e.g. a length placeholder).
  void setU8At(size_t pos, uint8_t v) { data_.at(pos) = v; }
  void setU16At(size_t pos, uint16_t v) {
    data_.at(pos) = static_cast<uint8_t>(v >> 8);
    data_.at(pos + 1) = static_cast<uint8_t>(v);
  }

  size_t size() const { return data_.size(); }
  const std::vector<uint8_t>& data() const { return data_; }
  std::vector<uint8_t>& data() { return data_; }
  void clear() { data_.clear(); }

 private:
  std::vector<uint8_t> data_;
};

}  // namespace takahe
