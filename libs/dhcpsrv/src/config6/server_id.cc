// The server DUID: configured fields, else those of the DUID kept in kea-dhcp6-serverid (same
// type only), else generated; kept in that file (colon-separated hex, no newline, as Kea
// writes it) when `persist` is set.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "takahe/dhcp/options6.h"
#include "takahe/dhcpsrv/srv_config6.h"
#include "takahe/util/error.h"
#include "takahe/util/strings.h"

namespace takahe::dhcpsrv {

namespace {

constexpr uint32_t kIscEnterpriseId = 2495;
constexpr std::time_t kDuidEpoch = 946684800;  // 2000-01-01 00:00:00 UTC

std::optional<dhcp::DuidInfo> readStoredDuid(const std::string& file) {
  std::ifstream in(file);
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  auto bytes = parseHex(trim(text.str()));
  if (!bytes) return std::nullopt;
  auto info = dhcp::parseDuid(*bytes);
  if (!info) return std::nullopt;
  return *info;
}

void writeDuid(const std::string& file, const Duid& duid) {
  std::string tmp = file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << toHex(duid.bytes);
    out.flush();
    if (!out) throw Error("cannot write the server DUID to '" + tmp + "'");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw Error("cannot write the server DUID to '" + file + "': " + ec.message());
  }
}

Bytes randomBytes(size_t n) {
  std::random_device rd;
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rd());
  return b;
}

}  // namespace

std::string serverIdFilePath(const std::string& data_directory) {
  return (std::filesystem::path(data_directory) / "kea-dhcp6-serverid").string();
}

Duid resolveServerDuid(const ServerIdConfig& cfg, const std::string& file,
                       const std::optional<LinkLayerSource>& link, std::time_t now) {
  std::optional<dhcp::DuidInfo> stored;
  if (cfg.persist) {
    stored = readStoredDuid(file);
    if (stored && stored->type != static_cast<uint16_t>(cfg.type)) stored.reset();
  }
  Duid duid;
  if (cfg.type == ServerDuidType::kEn) {
    uint32_t enterprise = cfg.enterprise_id ? cfg.enterprise_id
                          : stored          ? stored->enterprise
                                            : kIscEnterpriseId;
    Bytes id = !cfg.identifier.empty() ? cfg.identifier
               : stored                ? stored->identifier
                                       : randomBytes(6);
    duid = dhcp::makeDuidEn(enterprise, id);
  } else {
    Bytes id = !cfg.identifier.empty() ? cfg.identifier
               : stored                ? stored->identifier
               : link                  ? link->address
                                       : Bytes{};
    if (id.empty()) {
      throw Error("server-id: a DUID-" +
                  std::string(cfg.type == ServerDuidType::kLlt ? "LLT" : "LL") +
                  " needs a link-layer address; set server-id 'identifier' (no interface with a "
                  "hardware address was found)");
    }
    uint16_t htype = cfg.htype ? cfg.htype
                     : stored  ? stored->hw_type
                     : link    ? link->htype
                               : uint16_t{1};
    if (cfg.type == ServerDuidType::kLlt) {
      uint32_t time = cfg.time ? cfg.time
                      : stored ? stored->time
                               : static_cast<uint32_t>(now - kDuidEpoch);
      duid = dhcp::makeDuidLlt(htype, time, id);
    } else {
      duid = dhcp::makeDuidLl(htype, id);
    }
  }
  if (cfg.persist) writeDuid(file, duid);
  return duid;
}

}  // namespace takahe::dhcpsrv
