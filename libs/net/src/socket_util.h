#pragma once

// Private helpers shared by the UDP and raw sockets. Not installed.

#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "takahe/net/packet_socket.h"

namespace takahe::net::detail {

/// "Address already in use" for EADDRINUSE.
std::string errnoText(int err);

/// Owns a file descriptor.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd();
  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

/// Sets SO_RCVBUF to `bytes`, trying SO_RCVBUFFORCE first (allowed with CAP_NET_ADMIN) so the
/// size may exceed net.core.rmem_max. 0 leaves the default. Returns false if both fail.
bool setReceiveBuffer(int fd, size_t bytes);

/// The receive buffer size the kernel reports (it doubles what was asked for bookkeeping).
size_t receiveBufferSize(int fd);

/// Returns the datagram slot of `out` at `index`, growing `out` by one element when needed.
template <typename Datagram>
Datagram& slotAt(std::vector<Datagram>& out, size_t index) {
  if (out.size() <= index) {
    out.resize(index + 1);
  }
  return out[index];
}

/// Interface index -> name (if_indextoname), filled lazily for the datagrams a socket receives.
/// Used by the receiving thread only; bounded so that a host with churning interfaces cannot
/// grow it without limit. "" for an index that has no name.
class InterfaceNames {
 public:
  const std::string& name(unsigned index);

 private:
  std::vector<std::pair<unsigned, std::string>> names_;
};

/// Fixed set of recvmmsg() headers and buffers, allocated once per socket. Payload memory is
/// allocated without being touched, so only the pages the kernel writes become resident.
class ReceiveArena {
 public:
  ReceiveArena(size_t slots, size_t slot_bytes, size_t name_bytes, size_t control_bytes);

  size_t slots() const { return slots_; }

  /// One non-blocking recvmmsg() for at most `count` (<= slots()) messages. Returns the number
  /// received or -1 with errno set.
  int receive(int fd, size_t count);

  std::span<const uint8_t> data(size_t i) const {
    return {buffer_.get() + i * slot_bytes_, headers_[i].msg_len};
  }
  const msghdr& header(size_t i) const { return headers_[i].msg_hdr; }
  bool truncated(size_t i) const { return (headers_[i].msg_hdr.msg_flags & MSG_TRUNC) != 0; }
  const void* name(size_t i) const { return names_.data() + i * name_words_; }

 private:
  size_t slots_;
  size_t slot_bytes_;
  size_t name_words_;
  size_t control_words_;
  std::unique_ptr<uint8_t[]> buffer_;
  // Stored as 64-bit words so that every sockaddr and cmsghdr is suitably aligned.
  std::vector<uint64_t> names_;
  std::vector<uint64_t> controls_;
  std::vector<iovec> iovecs_;
  std::vector<mmsghdr> headers_;
};

/// The last error message of a socket, safe to set and read from several threads.
class ErrorSlot {
 public:
  void set(std::string text) {
    std::lock_guard lock(mutex_);
    text_ = std::move(text);
  }
  std::string get() const {
    std::lock_guard lock(mutex_);
    return text_;
  }

 private:
  mutable std::mutex mutex_;
  std::string text_;
};

}  // namespace takahe::net::detail
