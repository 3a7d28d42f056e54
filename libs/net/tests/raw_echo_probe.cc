// Standalone probe for raw_socket_test.sh (not a unit test).
//
//   raw_echo_probe serve --iface NAME --port N --count K [--timeout-ms T] [--linger-ms L]
//     Opens a RawSocket4 on NAME for UDP port N plus the companion UdpSocket4 on the same port,
//     answers K datagrams and exits 0, or 1 on timeout. Each answer is a raw frame with payload
//     "echo:" + request: to ff:ff:ff:ff:ff:ff / 255.255.255.255 when the request was a
//     broadcast, else to the sender's MAC and IP; always to the sender's port. After the K-th
//     it keeps reading for L ms and fails if any further frame shows up (it would be one of its
//     own replies, which must be ignored).
//
//   raw_echo_probe send --iface NAME --to ADDR --port N --from-port P --payload TEXT
//                       [--timeout-ms T]
//     Sends TEXT from a UdpSocket4 bound to 0.0.0.0:P (out of NAME) to ADDR:N and waits for one
//     answer. Exits 0 with "REPLY ..." on stdout, 1 on timeout or error.
//
// Every wait is bounded by --timeout-ms (default 5000).

#include <poll.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <map>
#include <string>
#include <vector>

#include "takahe/net/interface.h"
#include "takahe/net/raw_socket.h"
#include "takahe/net/udp_socket.h"
#include "takahe/util/time.h"

using namespace takahe;
using namespace takahe::net;

namespace {

using Args = std::map<std::string, std::string>;

Args parseArgs(int argc, char** argv, int first) {
  Args args;
  for (int i = first; i + 1 < argc; i += 2) {
    std::string key = argv[i];
    if (key.rfind("--", 0) != 0) {
      throw std::runtime_error("unexpected argument " + key);
    }
    args[key.substr(2)] = argv[i + 1];
  }
  return args;
}

std::string need(const Args& args, const std::string& key) {
  auto it = args.find(key);
  if (it == args.end()) {
    throw std::runtime_error("missing --" + key);
  }
  return it->second;
}

int number(const Args& args, const std::string& key, int fallback) {
  auto it = args.find(key);
  return it == args.end() ? fallback : std::stoi(it->second);
}

Interface interfaceNamed(const std::string& name) {
  auto iface = findInterface(name);
  if (!iface) {
    throw std::runtime_error("no interface " + name);
  }
  return *iface;
}

// Waits for any of `fds` to become readable until `deadline_us` (monotonic).
bool waitUntil(std::vector<pollfd>& fds, int64_t deadline_us) {
  const int64_t left_ms = (deadline_us - monotonicMicros()) / 1000;
  if (left_ms <= 0) {
    return false;
  }
  for (pollfd& p : fds) {
    p.revents = 0;
  }
  return ::poll(fds.data(), fds.size(), static_cast<int>(left_ms)) > 0;
}

std::string printable(const Bytes& data) { return std::string(data.begin(), data.end()); }

int serve(const Args& args) {
  const Interface iface = interfaceNamed(need(args, "iface"));
  const auto port = static_cast<uint16_t>(number(args, "port", 10067));
  const int count = number(args, "count", 1);
  const int timeout_ms = number(args, "timeout-ms", 5000);
  const int linger_ms = number(args, "linger-ms", 300);

  UdpSocket4 companion(IPv4Address(), port, iface.name);
  RawSocket4 raw(iface, port);
  std::printf("READY %s mac=%s\n", raw.describe().c_str(), iface.mac.toString().c_str());
  std::fflush(stdout);

  std::vector<Datagram4> batch;
  std::vector<pollfd> fds = {{raw.fd(), POLLIN, 0}, {companion.fd(), POLLIN, 0}};
  int answered = 0;
  const int64_t deadline = monotonicMicros() + int64_t{timeout_ms} * 1000;
  // Bounded by the deadline: every round either waits on poll() or ends the loop.
  while (answered < count) {
    if (!waitUntil(fds, deadline)) {
      std::printf("TIMEOUT answered=%d of %d malformed=%llu\n", answered, count,
                  static_cast<unsigned long long>(raw.droppedMalformed()));
      return 1;
    }
    // The companion only exists so the kernel does not answer with ICMP; the raw socket has
    // already seen these datagrams.
    companion.discardPending(64);
    const size_t n = raw.receiveBatch(batch, 32);
    for (size_t i = 0; i < n && answered < count; ++i) {
      const Datagram4& d = batch[i];
      std::printf("RECV src_mac=%s src=%s:%u dst=%s:%u if=%s payload=%s\n",
                  d.remote_hw.toString().c_str(), d.remote_addr.toString().c_str(), d.remote_port,
                  d.local_addr.toString().c_str(), d.local_port, d.ifname.c_str(),
                  printable(d.data).c_str());
      const std::string reply_text = "echo:" + printable(d.data);
      const Bytes reply(reply_text.begin(), reply_text.end());
      OutboundPacket4 out;
      out.payload = reply;
      out.dst_port = d.remote_port;
      out.ifindex = d.ifindex;
      out.delivery = Delivery::kRawFrame;
      if (d.local_addr.isBroadcast()) {
        out.dst_addr = IPv4Address(0xffffffffu);  // dst_hw empty: Ethernet broadcast
      } else {
        out.dst_addr = d.remote_addr;
        out.dst_hw = d.remote_hw;
      }
      if (!raw.send(out)) {
        std::printf("SEND-FAILED %s\n", raw.lastError().c_str());
        return 1;
      }
      std::printf("SENT to=%s:%u mac=%s\n", out.dst_addr.toString().c_str(), out.dst_port,
                  out.dst_hw.empty() ? "ff:ff:ff:ff:ff:ff" : out.dst_hw.toString().c_str());
      std::fflush(stdout);
      ++answered;
    }
  }
  // Anything arriving now is unexpected: no more requests are sent, and our own replies
  // (some go to the server port) must be ignored by the raw socket.
  const int64_t linger_end = monotonicMicros() + int64_t{linger_ms} * 1000;
  std::vector<pollfd> raw_only = {{raw.fd(), POLLIN, 0}};
  while (waitUntil(raw_only, linger_end)) {
    const size_t n = raw.receiveBatch(batch, 32);
    for (size_t i = 0; i < n; ++i) {
      std::printf("UNEXPECTED src_mac=%s payload=%s\n", batch[i].remote_hw.toString().c_str(),
                  printable(batch[i].data).c_str());
      return 1;
    }
    if (n == 0) {
      break;  // readable but nothing valid; avoid spinning
    }
  }
  std::printf("DONE answered=%d malformed=%llu\n", answered,
              static_cast<unsigned long long>(raw.droppedMalformed()));
  return 0;
}

int send(const Args& args) {
  const Interface iface = interfaceNamed(need(args, "iface"));
  const IPv4Address to = IPv4Address::fromString(need(args, "to"));
  const auto port = static_cast<uint16_t>(number(args, "port", 10067));
  const auto from_port = static_cast<uint16_t>(number(args, "from-port", 10068));
  const std::string text = need(args, "payload");
  const int timeout_ms = number(args, "timeout-ms", 5000);

  UdpSocket4 sock(IPv4Address(), from_port, iface.name);
  const Bytes payload(text.begin(), text.end());
  OutboundPacket4 out;
  out.payload = payload;
  out.dst_addr = to;
  out.dst_port = port;
  out.ifindex = iface.index;
  if (!sock.send(out)) {
    std::printf("SEND-FAILED %s\n", sock.lastError().c_str());
    return 1;
  }
  std::vector<Datagram4> batch;
  std::vector<pollfd> fds = {{sock.fd(), POLLIN, 0}};
  const int64_t deadline = monotonicMicros() + int64_t{timeout_ms} * 1000;
  while (waitUntil(fds, deadline)) {
    const size_t n = sock.receiveBatch(batch, 8);
    if (n > 0) {
      const Datagram4& d = batch[0];
      std::printf("REPLY from=%s:%u to=%s:%u payload=%s\n", d.remote_addr.toString().c_str(),
                  d.remote_port, d.local_addr.toString().c_str(), d.local_port,
                  printable(d.data).c_str());
      return 0;
    }
    if (!sock.lastError().empty()) {
      std::printf("RECV-FAILED %s\n", sock.lastError().c_str());
      return 1;
    }
  }
  std::printf("TIMEOUT no reply\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s serve|send --option value...\n", argv[0]);
    return 2;
  }
  try {
    const std::string mode = argv[1];
    const Args args = parseArgs(argc, argv, 2);
    if (mode == "serve") {
      return serve(args);
    }
    if (mode == "send") {
      return send(args);
    }
    std::fprintf(stderr, "unknown mode %s\n", mode.c_str());
    return 2;
  } catch (const std::exception& e) {
    std::printf("ERROR %s\n", e.what());
    return 1;
  }
}
