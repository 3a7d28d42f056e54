#pragma once

// A server as the host commands see it: a parsed configuration with reservations of its own,
// a memfile host store in a temporary directory, published through setServerServices4().

#include <memory>
#include <string>

#include "takahe/cc/command.h"
#include "takahe/dhcpsrv/config_parser4.h"
#include "takahe/dhcpsrv/memfile_host_store.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "test_support.h"

namespace takahe::hooks::host_cmds::test {

inline const char* kHostCmdsConfig = R"({"Dhcp4": {
  "option-def": [ { "name": "tftp-config", "code": 224, "type": "string" } ],
  "reservations": [ { "hw-address": "aa:00:00:00:00:01", "ip-address": "10.0.0.1", "hostname": "global-conf" } ],
  "subnet4": [
    { "id": 1, "subnet": "192.0.2.0/24", "pools": [ { "pool": "192.0.2.100 - 192.0.2.200" } ],
      "reservations": [ { "hw-address": "01:00:00:00:00:01", "ip-address": "192.0.2.10", "hostname": "Conf-Host" } ] },
    { "id": 2, "subnet": "198.51.100.0/24" },
    { "id": 3, "subnet": "203.0.113.8/31" } ] }})";

struct Server {
  testing::TempDir dir;
  std::string path = dir.file("hosts4.json");
  dhcpsrv::SrvConfig4Ptr config = dhcpsrv::parseDhcp4Config(cc::parseJson(kHostCmdsConfig));
  std::unique_ptr<dhcpsrv::MemfileHostStore4> store = std::make_unique<dhcpsrv::MemfileHostStore4>(path);
  dhcpsrv::ServerServices4 services;

  Server() {
    services.hosts = store.get();
    services.config = [this] { return config; };
    dhcpsrv::setServerServices4(&services);
  }
  ~Server() { dhcpsrv::setServerServices4(nullptr); }
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// A restart: the store is read back from its file.
  void restart() {
    services.hosts = nullptr;
    store = std::make_unique<dhcpsrv::MemfileHostStore4>(path);
    services.hosts = store.get();
  }
};

/// Runs `handler` on the command text, as the control channel would hand it over.
template <typename Handler>
cc::Value run(Handler handler, const std::string& json) {
  return handler(cc::parseCommand(cc::parseJson(json)));
}

inline int resultOf(const cc::Value& answer) { return static_cast<int>(answer.at("result").asInt()); }
inline std::string textOf(const cc::Value& answer) { return answer.at("text").asString(); }

}  // namespace takahe::hooks::host_cmds::test
