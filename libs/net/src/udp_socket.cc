#include "takahe/net/udp_socket.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

#include "socket_util.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

namespace takahe::net {

namespace {

// Largest datagram a UDP socket can deliver, so nothing is ever truncated in practice.
constexpr size_t kSlotBytes = 65536;
constexpr size_t kControlBytes = CMSG_SPACE(sizeof(in_pktinfo)) + 64;

sockaddr_in toSockaddr(IPv4Address addr, uint16_t port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(port);
  sa.sin_addr.s_addr = htonl(addr.toUint());
  return sa;
}

std::string endpoint(IPv4Address addr, uint16_t port) {
  return addr.toString() + ":" + std::to_string(port);
}

void setFlag(int fd, int level, int option, const char* name, const std::string& where) {
  int one = 1;
  if (::setsockopt(fd, level, option, &one, sizeof(one)) != 0) {
    throw Error(std::string("cannot set ") + name + " on UDP socket for " + where + ": " +
                detail::errnoText(errno));
  }
}

}  // namespace

struct UdpSocket4::Impl {
  detail::UniqueFd fd;
  IPv4Address addr;
  uint16_t port = 0;
  std::optional<std::string> device;
  detail::ReceiveArena arena{kBatchSize, kSlotBytes, sizeof(sockaddr_in), kControlBytes};
  detail::ErrorSlot error;
  std::atomic<uint64_t> malformed{0};
  std::atomic<uint64_t> truncated{0};
  detail::InterfaceNames names;  // only touched by the receiving thread

  bool fill(size_t i, Datagram4& d, int64_t now);
};

bool UdpSocket4::Impl::fill(size_t i, Datagram4& d, int64_t now) {
  const msghdr& h = arena.header(i);
  const in_pktinfo* info = nullptr;
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
    if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
        c->cmsg_len >= CMSG_LEN(sizeof(in_pktinfo))) {
      info = reinterpret_cast<const in_pktinfo*>(CMSG_DATA(c));
    }
  }
  const auto* from = static_cast<const sockaddr_in*>(arena.name(i));
  if (info == nullptr || h.msg_namelen < sizeof(sockaddr_in) || from->sin_family != AF_INET) {
    return false;
  }
  auto payload = arena.data(i);
  d.data.assign(payload.begin(), payload.end());
  d.ifindex = info->ipi_ifindex;
  d.ifname = names.name(static_cast<unsigned>(info->ipi_ifindex));
  d.remote_addr = IPv4Address(ntohl(from->sin_addr.s_addr));
  d.remote_port = ntohs(from->sin_port);
  d.local_addr = IPv4Address(ntohl(info->ipi_addr.s_addr));
  d.local_port = port;
  d.remote_hw.bytes.clear();
  d.rx_time_us = now;
  return true;
}

UdpSocket4::UdpSocket4(IPv4Address bind_addr, uint16_t port, std::optional<std::string> bind_device,
                       size_t rcvbuf_bytes)
    : impl_(std::make_unique<Impl>()) {
  const std::string where = endpoint(bind_addr, port);
  impl_->fd = detail::UniqueFd(::socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!impl_->fd.valid()) {
    throw Error("cannot open UDP socket for " + where + ": " + detail::errnoText(errno));
  }
  const int fd = impl_->fd.get();
  setFlag(fd, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR", where);
  setFlag(fd, SOL_SOCKET, SO_BROADCAST, "SO_BROADCAST", where);
  setFlag(fd, IPPROTO_IP, IP_PKTINFO, "IP_PKTINFO", where);
  if (bind_device) {
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, bind_device->c_str(),
                     static_cast<socklen_t>(bind_device->size())) != 0) {
      throw Error("cannot bind UDP socket for " + where + " to device " + *bind_device + ": " +
                  detail::errnoText(errno));
    }
  }
  if (!detail::setReceiveBuffer(fd, rcvbuf_bytes)) {
    throw Error("cannot set receive buffer of UDP socket for " + where + " to " +
                std::to_string(rcvbuf_bytes) + " bytes: " + detail::errnoText(errno));
  }
  sockaddr_in sa = toSockaddr(bind_addr, port);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0) {
    throw Error("cannot bind UDP socket to " + where + ": " + detail::errnoText(errno));
  }
  socklen_t len = sizeof(sa);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    throw Error("cannot read bound address of UDP socket " + where + ": " +
                detail::errnoText(errno));
  }
  impl_->addr = bind_addr;
  impl_->port = ntohs(sa.sin_port);
  impl_->device = std::move(bind_device);
}

UdpSocket4::~UdpSocket4() = default;

int UdpSocket4::fd() const { return impl_->fd.get(); }

size_t UdpSocket4::receiveBatch(std::vector<Datagram4>& out, size_t max) {
  size_t filled = 0;
  // Each round reads up to kBatchSize; the loop ends when the queue is empty or max is reached,
  // at most max / kBatchSize + 1 rounds.
  while (filled < max) {
    const size_t want = std::min(max - filled, impl_->arena.slots());
    const int got = impl_->arena.receive(impl_->fd.get(), want);
    if (got <= 0) {
      if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        impl_->error.set("recvmmsg on " + describe() + ": " + detail::errnoText(errno));
      }
      break;
    }
    const int64_t now = monotonicMicros();
    for (size_t i = 0; i < static_cast<size_t>(got); ++i) {
      if (impl_->arena.truncated(i)) {
        impl_->truncated.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      if (impl_->fill(i, detail::slotAt(out, filled), now)) {
        ++filled;
      } else {
        impl_->malformed.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (static_cast<size_t>(got) < want) {
      break;
    }
  }
  return filled;
}

size_t UdpSocket4::discardPending(size_t max) {
  size_t discarded = 0;
  while (discarded < max) {
    const size_t want = std::min(max - discarded, impl_->arena.slots());
    const int got = impl_->arena.receive(impl_->fd.get(), want);
    if (got <= 0) {
      break;
    }
    discarded += static_cast<size_t>(got);
    if (static_cast<size_t>(got) < want) {
      break;
    }
  }
  return discarded;
}

bool UdpSocket4::send(const OutboundPacket4& packet) {
  if (packet.delivery != Delivery::kUdp) {
    impl_->error.set("raw frame delivery to " + endpoint(packet.dst_addr, packet.dst_port) +
                     " is not possible on " + describe());
    return false;
  }
  sockaddr_in dst = toSockaddr(packet.dst_addr, packet.dst_port);
  iovec iov{const_cast<uint8_t*>(packet.payload.data()), packet.payload.size()};
  msghdr msg{};
  msg.msg_name = &dst;
  msg.msg_namelen = sizeof(dst);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(in_pktinfo))] = {};
  if (packet.ifindex != 0 || !packet.src_addr.isZero()) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IP;
    c->cmsg_type = IP_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_ifindex = packet.ifindex;
    info.ipi_spec_dst.s_addr = htonl(packet.src_addr.toUint());
    std::memcpy(CMSG_DATA(c), &info, sizeof(info));
  }
  const ssize_t sent = ::sendmsg(impl_->fd.get(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent < 0) {
    impl_->error.set("sendmsg to " + endpoint(packet.dst_addr, packet.dst_port) + " on " +
                     describe() + ": " + detail::errnoText(errno));
    return false;
  }
  if (static_cast<size_t>(sent) != packet.payload.size()) {
    impl_->error.set("sendmsg to " + endpoint(packet.dst_addr, packet.dst_port) + " sent " +
                     std::to_string(sent) + " of " + std::to_string(packet.payload.size()) +
                     " bytes");
    return false;
  }
  return true;
}

std::string UdpSocket4::lastError() const { return impl_->error.get(); }

uint64_t UdpSocket4::droppedMalformed() const {
  return impl_->malformed.load(std::memory_order_relaxed);
}

uint64_t UdpSocket4::droppedTruncated() const {
  return impl_->truncated.load(std::memory_order_relaxed);
}

std::string UdpSocket4::describe() const {
  std::string text = "udp " + endpoint(impl_->addr, impl_->port);
  if (impl_->device) {
    text += " device " + *impl_->device;
  }
  return text;
}

IPv4Address UdpSocket4::localAddress() const { return impl_->addr; }

uint16_t UdpSocket4::localPort() const { return impl_->port; }

size_t UdpSocket4::receiveBufferBytes() const { return detail::receiveBufferSize(impl_->fd.get()); }

}  // namespace takahe::net
