// MemfileLeaseStore4: lease file cleanup (the process handling is shared with the DHCPv6 store in
// lfc_runner.cc), and the destructor.

#include <mutex>

#include "lfc_runner.h"
#include "memfile_impl.h"

namespace takahe::dhcpsrv {

// A running cleanup is left to finish: the LfcRunner member reaps it in the background.
MemfileLeaseStore4::~MemfileLeaseStore4() = default;

std::vector<std::string> MemfileLeaseStore4::lfcCommand() const {
  return detail::lfcCommandLine(impl_->config, "-4");
}

LfcStart MemfileLeaseStore4::startLfc() {
  if (!impl_->config.persist) {
    return LfcStart::kNotPersisted;
  }
  return impl_->lfc.start(impl_->config.path, lfcCommand(), [this] {
    std::unique_lock w(impl_->mutex);
    detail::rotateLeaseFile(impl_->config.path, impl_->journal);
  });
}

std::optional<int> MemfileLeaseStore4::pollLfc() { return impl_->lfc.poll(); }

bool MemfileLeaseStore4::lfcRunning() const { return impl_->lfc.running(); }

std::optional<int> MemfileLeaseStore4::waitForLfc(std::chrono::milliseconds timeout) {
  return impl_->lfc.wait(timeout);
}

}  // namespace takahe::dhcpsrv
