// Entry points of libdhcp_legal_log.so.

#include <string>

#include "legal_log.h"
#include "legal_log_messages.h"
#include "takahe/hooks/hooks.h"
#include "takahe_config.h"

using namespace takahe::hooks;

namespace {

std::string rotationText(const legal_log::FileSettings& f) {
  static const char* const kUnits[] = {"second", "day", "month", "year"};
  std::string s = f.count == 0 ? std::string("none")
                               : "every " + std::to_string(f.count) + " " +
                                     kUnits[static_cast<int>(f.unit)] + "(s)";
  if (f.max_size > 0) s += ", at " + std::to_string(f.max_size) + " bytes";
  return s;
}

}  // namespace

extern "C" {

int version() { return TAKAHE_HOOKS_VERSION; }

int multi_threading_compatible() { return 1; }

int load(LibraryHandle& handle) {
  try {
    auto config = legal_log::parseParameters(handle.getParameters(),
                                             std::string(TAKAHE_LOCALSTATEDIR) + "/lib/takahe");
    auto log = std::make_shared<legal_log::LegalLog>(config);
    handle.registerCallout("leases4_committed", legal_log::leases4Committed);
    handle.registerCallout("pkt4_send", legal_log::pkt4Send);
    handle.registerCallout("lease4_release", legal_log::lease4Release);
    handle.registerCallout("lease4_decline", legal_log::lease4Decline);
    handle.registerCallout("lease4_expire", legal_log::lease4Expire);
    handle.registerCallout("dhcp4_srv_configured", legal_log::dhcp4SrvConfigured);
    legal_log::setInstance(log);
    TAKAHE_LOG(legal_log::legalLogger(), legal_log::LEGAL_LOG_LOADED, config.file.path,
               config.file.base_name, rotationText(config.file));
    return 0;
  } catch (const std::exception& e) {
    TAKAHE_LOG(legal_log::legalLogger(), legal_log::LEGAL_LOG_LOAD_FAILED, e.what());
    // The hooks manager reports the text of an exception from load() to the operator.
    throw;
  }
}

int unload() {
  legal_log::setInstance(nullptr);
  TAKAHE_LOG(legal_log::legalLogger(), legal_log::LEGAL_LOG_UNLOADED);
  return 0;
}

}  // extern "C"
