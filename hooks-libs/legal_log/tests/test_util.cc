#include "test_util.h"

#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace takahe::hooks::legal_log::test {

dhcpsrv::Lease4 exampleLease() {
  dhcpsrv::Lease4 l;
  l.address = IPv4Address::fromString("192.2.1.100");
  l.hwaddr = HwAddr(1, {0x08, 0x00, 0x2b, 0x02, 0x3f, 0x4e});
  l.valid_lifetime = 6735;
  l.cltt = 1700000000;
  l.subnet_id = SubnetId(1);
  return l;
}

std::shared_ptr<dhcp::Pkt4> request() {
  auto p = std::make_shared<dhcp::Pkt4>();
  p->xid = 0x77;
  p->setMessageType(dhcp::MessageType::kRequest);
  p->setHwAddr(HwAddr(1, {0x08, 0x00, 0x2b, 0x02, 0x3f, 0x4e}));
  auto a = IPv4Address::fromString("192.2.1.100").toBytes();
  p->setOption(dhcp::opt::kRequestedAddress, Bytes(a.begin(), a.end()));
  return p;
}

void setRai(dhcp::Pkt4& pkt, const std::vector<std::pair<uint8_t, Bytes>>& subs) {
  std::vector<dhcp::Option4> opts;
  for (const auto& [code, data] : subs) opts.push_back({code, data});
  Bytes wire;
  dhcp::appendOptions4(opts, wire);
  pkt.setOption(dhcp::opt::kRelayAgentInfo, wire);
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "legal_log_test.XXXXXX").string();
  path = ::mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::vector<std::string> TempDir::files() const {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(path)) {
    out.push_back(e.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> readLines(const std::string& file) {
  std::ifstream in(file);
  std::vector<std::string> out;
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

void useUtc() {
  ::setenv("TZ", "UTC", 1);
  ::tzset();
}

std::chrono::system_clock::time_point exampleTime() {
  return std::chrono::system_clock::from_time_t(1738367998);  // 2025-01-31 23:59:58 UTC
}

}  // namespace takahe::hooks::legal_log::test
