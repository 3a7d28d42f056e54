#include "takahe/dhcpsrv/server_services4.h"

#include <atomic>

namespace takahe::dhcpsrv {

namespace {
std::atomic<ServerServices4*> g_services{nullptr};
}  // namespace

ServerServices4* serverServices4() { return g_services.load(std::memory_order_acquire); }

void setServerServices4(ServerServices4* services) { g_services.store(services, std::memory_order_release); }

}  // namespace takahe::dhcpsrv
