// Standalone probe for udp_socket6_ns_test.sh (not a unit test).
//
//   udp6_echo_probe serve --ifaces NAME[,NAME...] --port N --count K [--groups G[,G...]]
//                         [--unicast ADDR] [--timeout-ms T] [--linger-ms L]
//     Lays out sockets as a DHCPv6 server would: per interface one UdpSocket6 bound to [::]:N
//     with the interface as device, joined to each group G (default ff02::1:2) there; with
//     --unicast, one more bound to [ADDR]:N on the first interface. Prints one IFACE line per
//     interface (its link-local and global addresses as listInterfaces() sees them), answers K
//     datagrams with "echo:" + payload to the sender's address and port out of the arrival
//     interface, through the socket that received them, and exits 0 (1 on timeout). After the
//     K-th it keeps reading for L ms and fails if anything else arrives (a duplicate delivery).
//
//   udp6_echo_probe send --iface NAME --to ADDR --port N --from-port P --payload TEXT
//                        [--timeout-ms T]
//     Sends TEXT from a UdpSocket6 bound to [::]:P on NAME to [ADDR]:N out of NAME and waits
//     for one answer. Exits 0 with "REPLY ..." on stdout, 1 on timeout or error.
//
// Every wait is bounded by --timeout-ms (default 5000).

#include <poll.h>

#include <cstdio>
#include <exception>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "takahe/net/interface.h"
#include "takahe/net/udp_socket6.h"
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

std::string optional(const Args& args, const std::string& key, const std::string& fallback) {
  auto it = args.find(key);
  return it == args.end() ? fallback : it->second;
}

int number(const Args& args, const std::string& key, int fallback) {
  auto it = args.find(key);
  return it == args.end() ? fallback : std::stoi(it->second);
}

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const size_t end = comma == std::string::npos ? text.size() : comma;
    if (end > start) {
      out.push_back(text.substr(start, end - start));
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return out;
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

std::string bracketed(const IPv6Address& a, uint16_t port) {
  return "[" + a.toString() + "]:" + std::to_string(port);
}

int serve(const Args& args) {
  const auto port = static_cast<uint16_t>(number(args, "port", 547));
  const int count = number(args, "count", 1);
  const int timeout_ms = number(args, "timeout-ms", 5000);
  const int linger_ms = number(args, "linger-ms", 300);
  std::vector<IPv6Address> groups;
  for (const std::string& g : splitCommas(optional(args, "groups", "ff02::1:2"))) {
    groups.push_back(IPv6Address::fromString(g));
  }

  std::vector<std::unique_ptr<UdpSocket6>> sockets;
  std::vector<Interface> ifaces;
  for (const std::string& name : splitCommas(need(args, "ifaces"))) {
    const Interface iface = interfaceNamed(name);
    std::string global;
    for (const Prefix6& p : iface.global6()) {
      global += (global.empty() ? "" : ",") + p.toString();
    }
    const auto ll = iface.linkLocal6();
    std::printf("IFACE name=%s index=%d ll=%s global=%s\n", iface.name.c_str(), iface.index,
                ll ? ll->toString().c_str() : "none", global.c_str());
    auto s = std::make_unique<UdpSocket6>(UdpSocket6Config{.port = port, .device = iface.name});
    for (const IPv6Address& g : groups) {
      s->joinMulticast(static_cast<unsigned>(iface.index), g);
    }
    sockets.push_back(std::move(s));
    ifaces.push_back(iface);
  }
  if (args.count("unicast") != 0) {
    sockets.push_back(std::make_unique<UdpSocket6>(
        UdpSocket6Config{.address = IPv6Address::fromString(need(args, "unicast")),
                         .port = port,
                         .device = ifaces.at(0).name}));
  }
  std::printf("READY sockets=%zu\n", sockets.size());
  std::fflush(stdout);

  std::vector<pollfd> fds;
  for (const auto& s : sockets) {
    fds.push_back({s->fd(), POLLIN, 0});
  }
  std::vector<Datagram6> batch;
  int answered = 0;
  const int64_t deadline = monotonicMicros() + int64_t{timeout_ms} * 1000;
  // Bounded by the deadline: every round either waits on poll() or ends the loop.
  while (answered < count) {
    if (!waitUntil(fds, deadline)) {
      std::printf("TIMEOUT answered=%d of %d\n", answered, count);
      return 1;
    }
    for (const auto& s : sockets) {
      const size_t n = s->receiveBatch(batch, 32);
      for (size_t i = 0; i < n; ++i) {
        const Datagram6& d = batch[i];
        std::printf("RECV src=%s dst=%s if=%s ifindex=%u mcast=%d payload=%s via=%s\n",
                    bracketed(d.remote, d.remote_port).c_str(), d.local.toString().c_str(),
                    d.ifname.c_str(), d.ifindex, d.toMulticast() ? 1 : 0, printable(d.data).c_str(),
                    s->describe().c_str());
        const std::string reply_text = "echo:" + printable(d.data);
        const Bytes reply(reply_text.begin(), reply_text.end());
        if (!s->send(reply, d.remote, d.remote_port, d.ifindex)) {
          std::printf("SEND-FAILED %s\n", s->lastError().c_str());
          return 1;
        }
        std::printf("SENT to=%s if=%s\n", bracketed(d.remote, d.remote_port).c_str(),
                    d.ifname.c_str());
        std::fflush(stdout);
        ++answered;
      }
    }
  }
  // No more requests are sent: anything arriving now was delivered twice.
  const int64_t linger_end = monotonicMicros() + int64_t{linger_ms} * 1000;
  while (waitUntil(fds, linger_end)) {
    size_t total = 0;
    for (const auto& s : sockets) {
      const size_t n = s->receiveBatch(batch, 32);
      for (size_t i = 0; i < n; ++i) {
        std::printf("UNEXPECTED payload=%s via=%s\n", printable(batch[i].data).c_str(),
                    s->describe().c_str());
        return 1;
      }
      total += n;
    }
    if (total == 0) {
      break;  // readable but nothing valid; avoid spinning
    }
  }
  uint64_t malformed = 0;
  uint64_t truncated = 0;
  for (const auto& s : sockets) {
    malformed += s->droppedMalformed();
    truncated += s->droppedTruncated();
  }
  std::printf("DONE answered=%d malformed=%llu truncated=%llu\n", answered,
              static_cast<unsigned long long>(malformed),
              static_cast<unsigned long long>(truncated));
  return 0;
}

int send(const Args& args) {
  const Interface iface = interfaceNamed(need(args, "iface"));
  const IPv6Address to = IPv6Address::fromString(need(args, "to"));
  const auto port = static_cast<uint16_t>(number(args, "port", 547));
  const auto from_port = static_cast<uint16_t>(number(args, "from-port", 546));
  const std::string text = need(args, "payload");
  const int timeout_ms = number(args, "timeout-ms", 5000);

  UdpSocket6 sock(UdpSocket6Config{.port = from_port, .device = iface.name});
  const Bytes payload(text.begin(), text.end());
  if (!sock.send(payload, to, port, static_cast<unsigned>(iface.index))) {
    std::printf("SEND-FAILED %s\n", sock.lastError().c_str());
    return 1;
  }
  std::vector<Datagram6> batch;
  std::vector<pollfd> fds = {{sock.fd(), POLLIN, 0}};
  const int64_t deadline = monotonicMicros() + int64_t{timeout_ms} * 1000;
  while (waitUntil(fds, deadline)) {
    const size_t n = sock.receiveBatch(batch, 8);
    if (n > 0) {
      const Datagram6& d = batch[0];
      std::printf(
          "REPLY from=%s to=%s if=%s payload=%s\n", bracketed(d.remote, d.remote_port).c_str(),
          bracketed(d.local, d.local_port).c_str(), d.ifname.c_str(), printable(d.data).c_str());
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
