#include "takahe/net/udp_socket6.h"

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

// Older C libraries lack the constant; the kernel has had it since 4.20.
#ifndef IPV6_MULTICAST_ALL
#define IPV6_MULTICAST_ALL 29
#endif

namespace takahe::net {

namespace {

constexpr size_t kMaxSlotBytes = 65536;
constexpr size_t kControlBytes = CMSG_SPACE(sizeof(in6_pktinfo)) + 64;

bool isLinkLocalUnicast(const IPv6Address& a) {
  return a.bytes()[0] == 0xfe && (a.bytes()[1] & 0xc0) == 0x80;
}

bool isMulticast(const IPv6Address& a) { return a.bytes()[0] == 0xff; }

// Addresses whose meaning depends on the interface (RFC 4007): link-local unicast and
// interface- or link-local multicast. They cannot be used without naming the interface.
bool needsScope(const IPv6Address& a) {
  if (isLinkLocalUnicast(a)) {
    return true;
  }
  const unsigned scope = a.bytes()[1] & 0x0fu;
  return isMulticast(a) && (scope == 1 || scope == 2);
}

sockaddr_in6 toSockaddr(const IPv6Address& addr, uint16_t port, unsigned scope_id) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  std::memcpy(&sa.sin6_addr, addr.bytes().data(), 16);
  sa.sin6_scope_id = needsScope(addr) ? scope_id : 0;
  return sa;
}

IPv6Address fromIn6(const in6_addr& a) {
  std::array<uint8_t, 16> b;
  std::memcpy(b.data(), &a, 16);
  return IPv6Address(b);
}

std::string endpoint(const IPv6Address& addr, uint16_t port) {
  return "[" + addr.toString() + "]:" + std::to_string(port);
}

std::string interfaceText(unsigned ifindex) {
  char buf[IF_NAMESIZE] = {};
  if (::if_indextoname(ifindex, buf) != nullptr) {
    return std::string(buf) + " (#" + std::to_string(ifindex) + ")";
  }
  return "#" + std::to_string(ifindex);
}

void setInt(int fd, int level, int option, int value, const char* name, const std::string& where) {
  if (::setsockopt(fd, level, option, &value, sizeof(value)) != 0) {
    throw Error(std::string("cannot set ") + name + " on UDP socket for " + where + ": " +
                detail::errnoText(errno));
  }
}

ipv6_mreq membership(unsigned ifindex, const IPv6Address& group) {
  ipv6_mreq m{};
  std::memcpy(&m.ipv6mr_multiaddr, group.bytes().data(), 16);
  m.ipv6mr_interface = ifindex;
  return m;
}

}  // namespace

struct UdpSocket6::Impl {
  explicit Impl(size_t slot_bytes)
      : arena{kBatchSize, slot_bytes, sizeof(sockaddr_in6), kControlBytes} {}

  detail::UniqueFd fd;
  IPv6Address addr;
  uint16_t port = 0;
  std::optional<std::string> device;
  unsigned device_index = 0;
  detail::ReceiveArena arena;
  detail::ErrorSlot error;
  std::atomic<uint64_t> malformed{0};
  std::atomic<uint64_t> truncated{0};
  detail::InterfaceNames names;  // only touched by the receiving thread

  bool fill(size_t i, Datagram6& d, int64_t now);
};

bool UdpSocket6::Impl::fill(size_t i, Datagram6& d, int64_t now) {
  const msghdr& h = arena.header(i);
  const in6_pktinfo* info = nullptr;
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
    if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
        c->cmsg_len >= CMSG_LEN(sizeof(in6_pktinfo))) {
      info = reinterpret_cast<const in6_pktinfo*>(CMSG_DATA(c));
    }
  }
  const auto* from = static_cast<const sockaddr_in6*>(arena.name(i));
  if (info == nullptr || h.msg_namelen < sizeof(sockaddr_in6) || from->sin6_family != AF_INET6) {
    return false;
  }
  auto payload = arena.data(i);
  d.data.assign(payload.begin(), payload.end());
  d.remote = fromIn6(from->sin6_addr);
  d.remote_port = ntohs(from->sin6_port);
  d.local = fromIn6(info->ipi6_addr);
  d.local_port = port;
  d.ifindex = info->ipi6_ifindex;
  d.ifname = names.name(info->ipi6_ifindex);
  d.rx_time_us = now;
  return true;
}

UdpSocket6::UdpSocket6(const IPv6Address& bind_addr, uint16_t port,
                       std::optional<std::string> bind_device, size_t rcvbuf_bytes)
    : UdpSocket6(UdpSocket6Config{.address = bind_addr,
                                  .port = port,
                                  .device = std::move(bind_device),
                                  .rcvbuf_bytes = rcvbuf_bytes}) {}

UdpSocket6::UdpSocket6(const UdpSocket6Config& config) {
  const std::string where = endpoint(config.address, config.port);
  if (config.max_datagram_bytes == 0 || config.max_datagram_bytes > kMaxSlotBytes) {
    throw Error("cannot open UDP socket for " + where + ": maximum datagram size " +
                std::to_string(config.max_datagram_bytes) + " is not between 1 and " +
                std::to_string(kMaxSlotBytes));
  }
  if (isLinkLocalUnicast(config.address) && !config.device) {
    throw Error("cannot bind UDP socket to " + where +
                ": a link-local address needs a device (its scope)");
  }
  if (isMulticast(config.address)) {
    // Bound to a group, the socket would receive nothing sent to this host's own addresses and
    // could not send from a valid source; joinMulticast() is the way to receive a group.
    throw Error("cannot bind UDP socket to " + where +
                ": bind to :: or a unicast address and join the group instead");
  }
  impl_ = std::make_unique<Impl>(config.max_datagram_bytes);
  impl_->fd = detail::UniqueFd(::socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!impl_->fd.valid()) {
    throw Error("cannot open UDP socket for " + where + ": " + detail::errnoText(errno));
  }
  const int fd = impl_->fd.get();
  // IPv6 only: a DHCPv6 socket must not take the IPv4 port of the same number (or IPv4-mapped
  // traffic), which a DHCPv4 server may own.
  setInt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, "IPV6_V6ONLY", where);
  // Lets the per-interface sockets on [::]:547 and the sockets bound to unicast addresses of
  // the same interfaces share the port.
  setInt(fd, SOL_SOCKET, SO_REUSEADDR, 1, "SO_REUSEADDR", where);
  setInt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO", where);
  // Receive only the groups this socket joined, not every group some other socket or the kernel
  // (ff02::1, solicited-node groups) joined on the interface.
  int off = 0;
  if (::setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, &off, sizeof(off)) != 0 &&
      errno != ENOPROTOOPT) {
    throw Error("cannot set IPV6_MULTICAST_ALL on UDP socket for " + where + ": " +
                detail::errnoText(errno));
  }
  setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, config.multicast_hops, "IPV6_MULTICAST_HOPS",
         where);
  setInt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, config.multicast_loop ? 1 : 0,
         "IPV6_MULTICAST_LOOP", where);
  if (config.device) {
    const std::string& name = *config.device;
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(),
                     static_cast<socklen_t>(name.size())) != 0) {
      throw Error("cannot bind UDP socket for " + where + " to device " + name + ": " +
                  detail::errnoText(errno));
    }
    impl_->device_index = ::if_nametoindex(name.c_str());
    if (impl_->device_index == 0) {
      throw Error("cannot bind UDP socket for " + where + " to device " + name + ": " +
                  detail::errnoText(errno));
    }
  }
  if (!detail::setReceiveBuffer(fd, config.rcvbuf_bytes)) {
    throw Error("cannot set receive buffer of UDP socket for " + where + " to " +
                std::to_string(config.rcvbuf_bytes) + " bytes: " + detail::errnoText(errno));
  }
  sockaddr_in6 sa = toSockaddr(config.address, config.port, impl_->device_index);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0) {
    std::string text = "cannot bind UDP socket to " + where;
    if (config.device) {
      text += " on device " + *config.device;
    }
    throw Error(text + ": " + detail::errnoText(errno));
  }
  socklen_t len = sizeof(sa);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len) != 0) {
    throw Error("cannot read bound address of UDP socket " + where + ": " +
                detail::errnoText(errno));
  }
  impl_->addr = config.address;
  impl_->port = ntohs(sa.sin6_port);
  impl_->device = config.device;
}

UdpSocket6::~UdpSocket6() = default;

int UdpSocket6::fd() const { return impl_->fd.get(); }

size_t UdpSocket6::receiveBatch(std::vector<Datagram6>& out, size_t max) {
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

bool UdpSocket6::send(const OutboundPacket6& packet) {
  if (needsScope(packet.dst_addr) && packet.ifindex == 0) {
    // The kernel would pick some interface on its own; a reply must leave where the client is.
    impl_->error.set("sendmsg to " + endpoint(packet.dst_addr, packet.dst_port) + " on " +
                     describe() + ": a link-scope destination needs an interface index");
    return false;
  }
  sockaddr_in6 dst = toSockaddr(packet.dst_addr, packet.dst_port, packet.ifindex);
  iovec iov{const_cast<uint8_t*>(packet.payload.data()), packet.payload.size()};
  msghdr msg{};
  msg.msg_name = &dst;
  msg.msg_namelen = sizeof(dst);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  alignas(cmsghdr) uint8_t control[CMSG_SPACE(sizeof(in6_pktinfo))] = {};
  if (packet.ifindex != 0 || !packet.src_addr.isZero()) {
    msg.msg_control = control;
    msg.msg_controllen = sizeof(control);
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = IPPROTO_IPV6;
    c->cmsg_type = IPV6_PKTINFO;
    c->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    in6_pktinfo info{};
    info.ipi6_ifindex = packet.ifindex;
    std::memcpy(&info.ipi6_addr, packet.src_addr.bytes().data(), 16);
    std::memcpy(CMSG_DATA(c), &info, sizeof(info));
  }
  const ssize_t sent = ::sendmsg(impl_->fd.get(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent < 0) {
    const int err = errno;
    std::string text = "sendmsg to " + endpoint(packet.dst_addr, packet.dst_port);
    if (packet.ifindex != 0) {
      text += " via " + interfaceText(packet.ifindex);
    }
    if (!packet.src_addr.isZero()) {
      text += " from " + packet.src_addr.toString();
    }
    impl_->error.set(text + " on " + describe() + ": " + detail::errnoText(err));
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

void UdpSocket6::joinMulticast(unsigned ifindex, const IPv6Address& group) {
  const std::string what = "cannot join multicast group " + group.toString() + " on " +
                           (ifindex == 0 ? std::string("interface 0") : interfaceText(ifindex)) +
                           " with " + describe();
  if (!isMulticast(group)) {
    throw Error(what + ": not a multicast address");
  }
  if (ifindex == 0) {
    throw Error(what + ": an interface index is required");
  }
  if (impl_->device_index != 0 && ifindex != impl_->device_index) {
    // The kernel would accept the membership, but the device binding would hide every datagram.
    throw Error(what + ": the socket is bound to device " + *impl_->device);
  }
  const ipv6_mreq m = membership(ifindex, group);
  if (::setsockopt(impl_->fd.get(), IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof(m)) != 0) {
    if (errno == EADDRINUSE) {
      return;  // already a member there
    }
    throw Error(what + ": " + detail::errnoText(errno));
  }
}

bool UdpSocket6::leaveMulticast(unsigned ifindex, const IPv6Address& group) {
  const ipv6_mreq m = membership(ifindex, group);
  if (::setsockopt(impl_->fd.get(), IPPROTO_IPV6, IPV6_LEAVE_GROUP, &m, sizeof(m)) != 0) {
    impl_->error.set("cannot leave multicast group " + group.toString() + " on " +
                     interfaceText(ifindex) + " with " + describe() + ": " +
                     detail::errnoText(errno));
    return false;
  }
  return true;
}

std::string UdpSocket6::lastError() const { return impl_->error.get(); }

uint64_t UdpSocket6::droppedMalformed() const {
  return impl_->malformed.load(std::memory_order_relaxed);
}

uint64_t UdpSocket6::droppedTruncated() const {
  return impl_->truncated.load(std::memory_order_relaxed);
}

std::string UdpSocket6::describe() const {
  std::string text = "udp6 " + endpoint(impl_->addr, impl_->port);
  if (impl_->device) {
    text += " device " + *impl_->device;
  }
  return text;
}

IPv6Address UdpSocket6::localAddress() const { return impl_->addr; }

uint16_t UdpSocket6::localPort() const { return impl_->port; }

const std::optional<std::string>& UdpSocket6::device() const { return impl_->device; }

unsigned UdpSocket6::deviceIndex() const { return impl_->device_index; }

size_t UdpSocket6::receiveBufferBytes() const { return detail::receiveBufferSize(impl_->fd.get()); }

}  // namespace takahe::net
