#include "takahe/net/raw_socket.h"

#include <arpa/inet.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

#include "socket_util.h"
#include "takahe/net/frame.h"
#include "takahe/util/error.h"
#include "takahe/util/time.h"

// Older kernel headers lack this option (Linux 4.20); the value is part of the kernel ABI.
#ifndef PACKET_IGNORE_OUTGOING
#define PACKET_IGNORE_OUTGOING 23
#endif

namespace takahe::net {

namespace {

// Enough for a 64 KiB GRO-merged frame; pages are only touched when written.
constexpr size_t kSlotBytes = 65536 + kEthernetHeaderSize;
constexpr size_t kControlBytes = CMSG_SPACE(sizeof(tpacket_auxdata)) + 64;

// Classic BPF: accept untagged IPv4/UDP, unfragmented, to destination port `port`.
std::vector<sock_filter> makeFilter(uint16_t port) {
  constexpr uint32_t kVlanPresent = static_cast<uint32_t>(SKF_AD_OFF + SKF_AD_VLAN_TAG_PRESENT);
  return {
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, kVlanPresent),        // 0: A = VLAN tag present?
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 10),           // 1: tagged -> drop
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 12),                  // 2: A = EtherType
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 8),     // 3: not IPv4 -> drop
      BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 23),                  // 4: A = IP protocol
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),  // 5: not UDP -> drop
      BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 20),                  // 6: A = flags + fragment offset
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 4, 0),      // 7: MF or offset -> drop
      BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 14),                 // 8: X = IP header length
      BPF_STMT(BPF_LD | BPF_H | BPF_IND, 16),                  // 9: A = UDP destination port
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, port, 0, 1),         // 10: other port -> drop
      BPF_STMT(BPF_RET | BPF_K, 0x40000),                      // 11: accept whole frame
      BPF_STMT(BPF_RET | BPF_K, 0),                            // 12: drop
  };
}

std::string endpoint(IPv4Address addr, uint16_t port) {
  return addr.toString() + ":" + std::to_string(port);
}

}  // namespace

struct RawSocket4::Impl {
  Interface iface;
  MacAddress mac{};
  uint16_t port = 0;
  detail::UniqueFd fd;
  detail::ReceiveArena arena{kBatchSize, kSlotBytes, sizeof(sockaddr_ll), kControlBytes};
  detail::ErrorSlot error;
  std::atomic<uint64_t> malformed{0};
  std::atomic<uint64_t> truncated{0};
  std::atomic<uint64_t> not_for_us{0};
  std::atomic<uint16_t> next_ip_id{0};

  std::string describe() const { return "raw " + iface.name + " port " + std::to_string(port); }
  // Returns false when the frame must be dropped; `counter` says which counter to bump.
  bool fill(size_t i, Datagram4& d, int64_t now, std::atomic<uint64_t>*& counter);
};

bool RawSocket4::Impl::fill(size_t i, Datagram4& d, int64_t now, std::atomic<uint64_t>*& counter) {
  counter = nullptr;
  const auto* from = static_cast<const sockaddr_ll*>(arena.name(i));
  const msghdr& h = arena.header(i);
  if (h.msg_namelen >= sizeof(sockaddr_ll)) {
    // Our own transmissions. A socket bound to ETH_P_IP is not handed outgoing frames by
    // current kernels (only ETH_P_ALL taps are), and PACKET_IGNORE_OUTGOING is set as well;
    // this check keeps the guarantee should either ever change.
    if (from->sll_pkttype == PACKET_OUTGOING) {
      return false;
    }
    if (from->sll_pkttype == PACKET_OTHERHOST) {
      counter = &not_for_us;
      return false;
    }
  }
  UdpChecksumCheck check = UdpChecksumCheck::kVerify;
  for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
    if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA &&
        c->cmsg_len >= CMSG_LEN(sizeof(tpacket_auxdata))) {
      tpacket_auxdata aux;
      std::memcpy(&aux, CMSG_DATA(c), sizeof(aux));
      if ((aux.tp_status & TP_STATUS_VLAN_VALID) != 0) {
        counter = &not_for_us;
        return false;
      }
      // A frame generated on this host with checksum offload carries only a partial UDP
      // checksum; the kernel says so here.
      if ((aux.tp_status & TP_STATUS_CSUMNOTREADY) != 0) {
        check = UdpChecksumCheck::kSkip;
      }
    }
  }
  auto frame = parseUdpFrame(arena.data(i), check);
  if (!frame) {
    counter = &malformed;
    return false;
  }
  d.data.assign(frame->payload.begin(), frame->payload.end());
  d.ifindex = iface.index;
  d.ifname = iface.name;
  d.remote_addr = frame->src_addr;
  d.remote_port = frame->src_port;
  d.local_addr = frame->dst_addr;
  d.local_port = frame->dst_port;
  d.remote_hw.htype = 1;
  d.remote_hw.bytes.assign(frame->src_mac.begin(), frame->src_mac.end());
  d.rx_time_us = now;
  return true;
}

RawSocket4::RawSocket4(const Interface& iface, uint16_t server_port, size_t rcvbuf_bytes)
    : impl_(std::make_unique<Impl>()) {
  impl_->iface = iface;
  impl_->port = server_port;
  const std::string where =
      "raw socket on " + iface.name + " for UDP port " + std::to_string(server_port);
  if (iface.index <= 0) {
    throw Error("cannot open " + where + ": interface has no index");
  }
  if (!iface.hasEthernetFraming() || iface.mac.bytes.size() != impl_->mac.size()) {
    throw Error("cannot open " + where + ": not an Ethernet interface (link type " +
                std::to_string(iface.link_type) + ")");
  }
  std::copy(iface.mac.bytes.begin(), iface.mac.bytes.end(), impl_->mac.begin());
  impl_->next_ip_id.store(static_cast<uint16_t>(std::random_device{}()));

  // Protocol 0: the socket receives nothing until bind() below, so no frame can slip in
  // before the filter is attached.
  impl_->fd = detail::UniqueFd(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!impl_->fd.valid()) {
    throw Error("cannot open " + where + ": " + detail::errnoText(errno));
  }
  const int fd = impl_->fd.get();
  std::vector<sock_filter> code = makeFilter(server_port);
  sock_fprog prog{static_cast<unsigned short>(code.size()), code.data()};
  if (::setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) != 0) {
    throw Error("cannot attach packet filter to " + where + ": " + detail::errnoText(errno));
  }
  int one = 1;
  if (::setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) != 0) {
    throw Error("cannot enable PACKET_AUXDATA on " + where + ": " + detail::errnoText(errno));
  }
  // Best effort: kernels before 4.20 lack it and receiveBatch() skips outgoing frames anyway.
  ::setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one));
  if (!detail::setReceiveBuffer(fd, rcvbuf_bytes)) {
    throw Error("cannot set receive buffer of " + where + " to " + std::to_string(rcvbuf_bytes) +
                " bytes: " + detail::errnoText(errno));
  }
  sockaddr_ll sa{};
  sa.sll_family = AF_PACKET;
  sa.sll_protocol = htons(ETH_P_IP);
  sa.sll_ifindex = iface.index;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof(sa)) != 0) {
    throw Error("cannot bind " + where + ": " + detail::errnoText(errno));
  }
}

RawSocket4::~RawSocket4() = default;

int RawSocket4::fd() const { return impl_->fd.get(); }

size_t RawSocket4::receiveBatch(std::vector<Datagram4>& out, size_t max) {
  size_t filled = 0;
  // At most max / kBatchSize + 1 rounds; stops early when the queue is empty.
  while (filled < max) {
    const size_t want = std::min(max - filled, impl_->arena.slots());
    const int got = impl_->arena.receive(impl_->fd.get(), want);
    if (got <= 0) {
      if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        impl_->error.set("recvmmsg on " + impl_->describe() + ": " + detail::errnoText(errno));
      }
      break;
    }
    const int64_t now = monotonicMicros();
    for (size_t i = 0; i < static_cast<size_t>(got); ++i) {
      if (impl_->arena.truncated(i)) {
        impl_->truncated.fetch_add(1, std::memory_order_relaxed);
        continue;
      }
      std::atomic<uint64_t>* counter = nullptr;
      if (impl_->fill(i, detail::slotAt(out, filled), now, counter)) {
        ++filled;
      } else if (counter != nullptr) {
        counter->fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (static_cast<size_t>(got) < want) {
      break;
    }
  }
  return filled;
}

bool RawSocket4::send(const OutboundPacket4& packet) {
  const std::string dst = endpoint(packet.dst_addr, packet.dst_port);
  if (packet.delivery != Delivery::kRawFrame) {
    impl_->error.set("UDP delivery to " + dst + " is not possible on " + impl_->describe());
    return false;
  }
  if (packet.ifindex != 0 && packet.ifindex != impl_->iface.index) {
    impl_->error.set("frame to " + dst + " is for interface index " +
                     std::to_string(packet.ifindex) + ", not " + impl_->describe());
    return false;
  }
  UdpFrameSpec spec;
  spec.src_mac = impl_->mac;
  if (!packet.dst_hw.empty()) {
    if (packet.dst_hw.bytes.size() != spec.dst_mac.size()) {
      impl_->error.set("frame to " + dst + ": hardware address " + packet.dst_hw.toString() +
                       " is not 6 bytes long");
      return false;
    }
    std::copy(packet.dst_hw.bytes.begin(), packet.dst_hw.bytes.end(), spec.dst_mac.begin());
  }
  spec.src_addr = packet.src_addr;
  if (spec.src_addr.isZero() && !impl_->iface.v4.empty()) {
    spec.src_addr = impl_->iface.v4.front().address;
  }
  spec.dst_addr = packet.dst_addr;
  spec.src_port = packet.src_port != 0 ? packet.src_port : impl_->port;
  spec.dst_port = packet.dst_port;
  spec.ip_id = impl_->next_ip_id.fetch_add(1, std::memory_order_relaxed);

  uint8_t headers[kUdpFrameHeadersSize];
  if (!writeUdpFrameHeaders(spec, packet.payload, headers)) {
    impl_->error.set("frame to " + dst + ": payload of " + std::to_string(packet.payload.size()) +
                     " bytes is too long");
    return false;
  }
  iovec iov[2] = {{headers, sizeof(headers)},
                  {const_cast<uint8_t*>(packet.payload.data()), packet.payload.size()}};
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_protocol = htons(ETH_P_IP);
  to.sll_ifindex = impl_->iface.index;
  to.sll_halen = static_cast<unsigned char>(spec.dst_mac.size());
  std::copy(spec.dst_mac.begin(), spec.dst_mac.end(), to.sll_addr);
  msghdr msg{};
  msg.msg_name = &to;
  msg.msg_namelen = sizeof(to);
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  const ssize_t sent = ::sendmsg(impl_->fd.get(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  const size_t expected = sizeof(headers) + packet.payload.size();
  if (sent < 0) {
    impl_->error.set("sendmsg of frame to " + dst + " on " + impl_->describe() + ": " +
                     detail::errnoText(errno));
    return false;
  }
  if (static_cast<size_t>(sent) != expected) {
    impl_->error.set("sendmsg of frame to " + dst + " sent " + std::to_string(sent) + " of " +
                     std::to_string(expected) + " bytes");
    return false;
  }
  return true;
}

std::string RawSocket4::lastError() const { return impl_->error.get(); }

uint64_t RawSocket4::droppedMalformed() const {
  return impl_->malformed.load(std::memory_order_relaxed);
}

uint64_t RawSocket4::droppedTruncated() const {
  return impl_->truncated.load(std::memory_order_relaxed);
}

uint64_t RawSocket4::droppedNotForUs() const {
  return impl_->not_for_us.load(std::memory_order_relaxed);
}

std::string RawSocket4::describe() const { return impl_->describe(); }

const Interface& RawSocket4::interface() const { return impl_->iface; }

uint16_t RawSocket4::serverPort() const { return impl_->port; }

}  // namespace takahe::net
