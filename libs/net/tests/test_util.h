#pragma once

#include <poll.h>

#include <vector>

#include "takahe/net/packet_socket.h"

namespace takahe::net::testing {

/// Waits up to `timeout_ms` for `fd` to become readable.
inline bool waitReadable(int fd, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, timeout_ms) == 1 && (p.revents & POLLIN) != 0;
}

/// Collects up to `want` datagrams, waiting at most ~1 s per poll and giving up after `max_calls`
/// receiveBatch() calls; returns them and how many calls it needed.
inline std::vector<Datagram4> receiveSome(PacketSocket4& s, size_t want, size_t max_per_call,
                                          int max_calls, int* calls_made = nullptr) {
  std::vector<Datagram4> got;
  std::vector<Datagram4> batch;
  int calls = 0;
  while (got.size() < want && calls < max_calls) {
    if (!waitReadable(s.fd(), 1000)) {
      break;
    }
    ++calls;
    size_t n = s.receiveBatch(batch, max_per_call);
    for (size_t i = 0; i < n; ++i) {
      got.push_back(batch[i]);
    }
  }
  if (calls_made != nullptr) {
    *calls_made = calls;
  }
  return got;
}

}  // namespace takahe::net::testing
