#include "socket_util.h"

#include <net/if.h>

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace takahe::net::detail {

std::string errnoText(int err) { return std::error_code(err, std::generic_category()).message(); }

UniqueFd& UniqueFd::operator=(UniqueFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) {
    ::close(fd_);
  }
}

bool setReceiveBuffer(int fd, size_t bytes) {
  if (bytes == 0) {
    return true;
  }
  // The kernel doubles the value it is given; ask for half so the reported size is `bytes`.
  int half = static_cast<int>(std::min<size_t>(bytes / 2, 1u << 30));
  if (::setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &half, sizeof(half)) == 0) {
    return true;
  }
  return ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &half, sizeof(half)) == 0;
}

size_t receiveBufferSize(int fd) {
  int value = 0;
  socklen_t len = sizeof(value);
  if (::getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &value, &len) != 0 || value < 0) {
    return 0;
  }
  return static_cast<size_t>(value);
}

const std::string& InterfaceNames::name(unsigned index) {
  for (const auto& [i, name] : names_) {
    if (i == index) {
      return name;
    }
  }
  char buf[IF_NAMESIZE] = {};
  std::string name;
  if (::if_indextoname(index, buf) != nullptr) {
    name = buf;
  }
  if (names_.size() >= 256) {
    names_.clear();
  }
  names_.emplace_back(index, std::move(name));
  return names_.back().second;
}

namespace {
size_t words(size_t bytes) { return (bytes + sizeof(uint64_t) - 1) / sizeof(uint64_t); }
}  // namespace

ReceiveArena::ReceiveArena(size_t slots, size_t slot_bytes, size_t name_bytes, size_t control_bytes)
    : slots_(slots),
      slot_bytes_(slot_bytes),
      name_words_(words(name_bytes)),
      control_words_(words(control_bytes)),
      buffer_(new uint8_t[slots * slot_bytes]),
      names_(slots * name_words_),
      controls_(slots * control_words_),
      iovecs_(slots),
      headers_(slots) {
  for (size_t i = 0; i < slots_; ++i) {
    iovecs_[i].iov_base = buffer_.get() + i * slot_bytes_;
    iovecs_[i].iov_len = slot_bytes_;
  }
}

int ReceiveArena::receive(int fd, size_t count) {
  count = std::min(count, slots_);
  // The kernel overwrites lengths and flags, so every header is reset before each call.
  for (size_t i = 0; i < count; ++i) {
    msghdr& h = headers_[i].msg_hdr;
    h.msg_name = name_words_ == 0 ? nullptr : names_.data() + i * name_words_;
    h.msg_namelen = static_cast<socklen_t>(name_words_ * sizeof(uint64_t));
    h.msg_iov = &iovecs_[i];
    h.msg_iovlen = 1;
    h.msg_control = control_words_ == 0 ? nullptr : controls_.data() + i * control_words_;
    h.msg_controllen = control_words_ * sizeof(uint64_t);
    h.msg_flags = 0;
    headers_[i].msg_len = 0;
  }
  return ::recvmmsg(fd, headers_.data(), static_cast<unsigned>(count), MSG_DONTWAIT, nullptr);
}

}  // namespace takahe::net::detail
