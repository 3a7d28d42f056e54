#include "takahe/dhcpsrv/server_services6.h"

#include <atomic>

namespace takahe::dhcpsrv {

namespace {
std::atomic<ServerServices6*> g_services6{nullptr};
}  // namespace

ServerServices6* serverServices6() { return g_services6.load(std::memory_order_acquire); }

void setServerServices6(ServerServices6* services) {
  g_services6.store(services, std::memory_order_release);
}

}  // namespace takahe::dhcpsrv
