// Parsing of `hooks-libraries`, and the names of each server's hook points.

#include <string>

#include "takahe/cc/value.h"
#include "takahe/hooks/hooks_manager.h"

namespace takahe::hooks {

bool HookLibraryConfig::operator==(const HookLibraryConfig& o) const {
  return path == o.path && parameters.toJson() == o.parameters.toJson();
}

std::vector<HookLibraryConfig> parseHooksLibraries(const cc::Value& list, const std::string& json_path) {
  std::vector<HookLibraryConfig> out;
  if (list.isNull()) return out;
  if (!list.isList()) cc::throwConfigError(json_path, "must be a list of {\"library\": path, \"parameters\": {...}} maps, not " + std::string(list.typeName()), list.position());
  size_t i = 0;
  for (const cc::Value& entry : list.asList()) {
    std::string path = json_path + "[" + std::to_string(i++) + "]";
    if (!entry.isMap()) cc::throwConfigError(path, "must be a map with \"library\", not " + std::string(entry.typeName()), entry.position());
    HookLibraryConfig c;
    for (const auto& [key, value] : entry.asMap()) {
      if (key == "library") {
        if (!value.isString() || value.asString().empty()) cc::throwConfigError(path + "/library", "must be a non-empty string (the path of the .so file)", value.position());
        c.path = value.asString();
      } else if (key == "parameters") {
        if (!value.isMap()) cc::throwConfigError(path + "/parameters", "must be a map, not " + std::string(value.typeName()), value.position());
        c.parameters = value;
      } else if (key == "comment" || key == "user-context") {
        // informational
      } else {
        cc::throwConfigError(path + "/" + key, "unknown parameter (expected \"library\" and \"parameters\")", value.position());
      }
    }
    if (c.path.empty()) cc::throwConfigError(path, "missing \"library\" (the path of the hook library)", entry.position());
    out.push_back(std::move(c));
  }
  return out;
}

const std::vector<std::string>& dhcp4HookPoints() {
  static const std::vector<std::string> points{
      "dhcp4_srv_configured", "buffer4_receive", "pkt4_receive", "subnet4_select", "host4_identifier",
      "lease4_select", "lease4_renew", "lease4_release", "lease4_decline", "lease4_expire",
      "lease4_recover", "leases4_committed", "pkt4_send", "buffer4_send", "command_processed"};
  return points;
}

}  // namespace takahe::hooks
