#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "host_test_util.h"
#include "takahe/dhcpsrv/host_json.h"
#include "takahe/dhcpsrv/memfile_host_store.h"
#include "takahe/util/error.h"
#include "test_support.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;
using takahe::testing::TempDir;

namespace {

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

Bytes hw(const char* text) { return *parseHex(text); }
IPv4Address ip(const char* text) { return IPv4Address::fromString(text); }

std::vector<std::string> hwList(const std::vector<Host4>& hosts) {
  std::vector<std::string> out;
  for (const auto& h : hosts) {
    out.push_back(toHex(h.identifier));
  }
  return out;
}

}  // namespace

TEST_CASE("Host store adds, finds and removes reservations") {
  TempDir dir;
  MemfileHostStore4 store(dir.file("hosts.json"));
  CHECK(store.size() == 0);
  Host4 a = makeHost(1, "01:01:01:01:01:01", "192.0.2.10", "alpha");
  store.add(a);
  CHECK(store.size() == 1);
  REQUIRE(store.get(SubnetId(1), HostIdType::kHwAddress, a.identifier));
  CHECK(sameHost(*store.get(SubnetId(1), HostIdType::kHwAddress, a.identifier), a));
  CHECK_FALSE(store.get(SubnetId(2), HostIdType::kHwAddress, a.identifier));
  CHECK_FALSE(store.get(SubnetId(1), HostIdType::kClientId, a.identifier));
  REQUIRE(store.getByAddress(SubnetId(1), ip("192.0.2.10")));
  CHECK(store.getByAddress(SubnetId(1), ip("192.0.2.10"))->hostname == "alpha");
  CHECK_FALSE(store.getByAddress(SubnetId(2), ip("192.0.2.10")));

  CHECK(store.remove(SubnetId(1), HostIdType::kHwAddress, a.identifier));
  CHECK_FALSE(store.remove(SubnetId(1), HostIdType::kHwAddress, a.identifier));
  CHECK_FALSE(store.get(SubnetId(1), HostIdType::kHwAddress, a.identifier));
  CHECK_FALSE(store.getByAddress(SubnetId(1), ip("192.0.2.10")));
  CHECK(store.size() == 0);

  store.add(a);
  CHECK_FALSE(store.removeByAddress(SubnetId(1), ip("192.0.2.11")));
  CHECK_FALSE(store.removeByAddress(SubnetId(2), ip("192.0.2.10")));
  CHECK(store.removeByAddress(SubnetId(1), ip("192.0.2.10")));
  CHECK(store.size() == 0);
  // The address is free again once its reservation is gone.
  store.add(makeHost(1, "02:02:02:02:02:02", "192.0.2.10"));
  CHECK(store.size() == 1);
}

TEST_CASE("Host store refuses a second reservation of an identifier or address in one subnet") {
  TempDir dir;
  MemfileHostStore4 store(dir.file("hosts.json"));
  store.add(makeHost(1, "01:01:01:01:01:01", "192.0.2.10"));
  std::string before = readFile(store.path());
  CHECK_THROWS_WITH(store.add(makeHost(1, "01:01:01:01:01:01", "192.0.2.11")),
                    Catch::Contains("already exists") && Catch::Contains("01:01:01:01:01:01"));
  CHECK_THROWS_WITH(store.add(makeHost(1, "02:02:02:02:02:02", "192.0.2.10")),
                    Catch::Contains("192.0.2.10 is already reserved in subnet 1"));
  CHECK(store.size() == 1);
  CHECK_FALSE(store.get(SubnetId(1), HostIdType::kHwAddress, hw("02:02:02:02:02:02")));
  CHECK(readFile(store.path()) == before);
  // Other subnets and other identifier types are other reservations.
  store.add(makeHost(2, "01:01:01:01:01:01", "192.0.2.10"));
  Host4 cid = makeHost(1, "01:01:01:01:01:01");
  cid.id_type = HostIdType::kClientId;
  store.add(cid);
  // Reservations without an address never clash on address.
  store.add(makeHost(1, "03:03:03:03:03:03"));
  store.add(makeHost(1, "04:04:04:04:04:04"));
  CHECK(store.size() == 5);
  Host4 empty = makeHost(1, "05");
  empty.identifier.clear();
  CHECK_THROWS_AS(store.add(empty), Error);
}

TEST_CASE("Host store lists by identifier, hostname, subnet and page in a stable order") {
  MemfileHostStore4 store("");
  store.add(makeHost(2, "03:00:00:00:00:00", "198.51.100.3", "Printer.example.org"));
  store.add(makeHost(1, "02:00:00:00:00:00", "192.0.2.2", "printer.example.org"));
  store.add(makeHost(1, "01:00:00:00:00:00", "192.0.2.1", "laptop"));
  store.add(makeHost(0, "02:00:00:00:00:00", nullptr, "PRINTER.EXAMPLE.ORG"));
  store.add(makeHost(1, "04:00:00:00:00:00", "192.0.2.4"));
  Host4 cid = makeHost(1, "00:ff");
  cid.id_type = HostIdType::kClientId;
  store.add(cid);

  auto by_id = store.getById(HostIdType::kHwAddress, hw("02:00:00:00:00:00"));
  REQUIRE(by_id.size() == 2);
  CHECK(by_id[0].subnet_id == SubnetId(0));
  CHECK(by_id[1].subnet_id == SubnetId(1));
  CHECK(store.getById(HostIdType::kDuid, hw("02:00:00:00:00:00")).empty());

  CHECK(store.getByHostname("printer.example.org", std::nullopt).size() == 3);
  CHECK(store.getByHostname("Printer.Example.Org", SubnetId(2)).size() == 1);
  CHECK(store.getByHostname("printer.example.org", SubnetId(3)).empty());
  CHECK(store.getByHostname("printer", std::nullopt).empty());

  // Ordered by identifier type (hw-address before client-id), then identifier.
  CHECK(hwList(store.getAll(SubnetId(1))) ==
        std::vector<std::string>{"01:00:00:00:00:00", "02:00:00:00:00:00", "04:00:00:00:00:00", "00:ff"});
  CHECK(store.getAll(SubnetId(0)).size() == 1);
  CHECK(store.getAll(SubnetId(7)).empty());
  auto all = store.getAll();
  REQUIRE(all.size() == 6);
  CHECK(all.front().subnet_id == SubnetId(0));
  CHECK(all.back().subnet_id == SubnetId(2));

  size_t next = 99;
  auto p1 = store.getPage(SubnetId(1), 0, 3, next);
  CHECK(hwList(p1) == std::vector<std::string>{"01:00:00:00:00:00", "02:00:00:00:00:00", "04:00:00:00:00:00"});
  CHECK(next == 3);
  auto p2 = store.getPage(SubnetId(1), next, 3, next);
  CHECK(hwList(p2) == std::vector<std::string>{"00:ff"});
  CHECK(next == 4);
  auto p3 = store.getPage(SubnetId(1), next, 3, next);
  CHECK(p3.empty());
  CHECK(next == 4);
  CHECK(store.getPage(SubnetId(2), 0, 10, next).size() == 1);
  CHECK(store.getPage(SubnetId(9), 0, 10, next).empty());
  CHECK(store.getPage(SubnetId(1), 0, 0, next).empty());
}

TEST_CASE("Host store reservations survive a restart, options and all") {
  TempDir dir;
  std::string path = dir.file("hosts.json");
  auto cfg = hostTestConfig();
  Host4 rich = hostFromJson(cc::parseJson(R"({"hw-address": "0a:0b:0c:0d:0e:0f", "ip-address": "192.0.2.50",
      "hostname": "rich", "next-server": "192.0.2.1", "server-hostname": "tftp", "boot-file-name": "pxe.0",
      "option-data": [ { "name": "domain-name-servers", "data": "192.0.2.53" },
                       { "name": "tftp-config", "data": "custom" },
                       { "code": 251, "csv-format": false, "data": "c0ffee", "always-send": true } ]})"),
                            *cfg, SubnetId(1));
  Host4 flex = makeHost(0, "66:6c:65:78");
  flex.id_type = HostIdType::kFlexId;
  {
    MemfileHostStore4 store(path);
    CHECK_FALSE(std::filesystem::exists(path));  // nothing written before the first change
    store.add(rich);
    store.add(flex);
    store.add(makeHost(1, "01:01:01:01:01:01", "192.0.2.60"));
    CHECK(store.remove(SubnetId(1), HostIdType::kHwAddress, hw("01:01:01:01:01:01")));
  }
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  MemfileHostStore4 again(path);
  CHECK(again.size() == 2);
  auto r = again.get(SubnetId(1), HostIdType::kHwAddress, rich.identifier);
  REQUIRE(r);
  CHECK(sameHost(*r, rich));
  auto f = again.get(SubnetId(0), HostIdType::kFlexId, flex.identifier);
  REQUIRE(f);
  CHECK(sameHost(*f, flex));
  CHECK_FALSE(again.getByAddress(SubnetId(1), ip("192.0.2.60")));
  // Loaded entries keep their indexes: the address is still taken.
  CHECK_THROWS_AS(again.add(makeHost(1, "09:09:09:09:09:09", "192.0.2.50")), Error);
}

TEST_CASE("Host file is readable JSON an operator can paste into a configuration") {
  TempDir dir;
  std::string path = dir.file("hosts.json");
  MemfileHostStore4 store(path);
  store.add(makeHost(1, "01:02:03:04:05:06", "192.0.2.10", "pc"));
  cc::Value root = cc::parseJson(readFile(path));
  REQUIRE(root.at("reservations").size() == 1);
  const cc::Value& entry = root.at("reservations").asList()[0];
  CHECK(entry.at("hw-address").asString() == "01:02:03:04:05:06");
  CHECK(entry.at("ip-address").asString() == "192.0.2.10");
  CHECK(entry.at("hostname").asString() == "pc");
  CHECK(entry.at("subnet-id").asInt() == 1);
  CHECK_FALSE(entry.contains("next-server"));
  // Pasted (without subnet-id) into a subnet of a real configuration, it parses.
  cc::Value pasted = entry;
  pasted.erase("subnet-id");
  cc::Value res = cc::Value::makeList();
  res.push(pasted);
  cc::Value conf = cc::parseJson(R"({"Dhcp4": {"subnet4": [ { "id": 1, "subnet": "192.0.2.0/24" } ]}})");
  conf.find("Dhcp4")->find("subnet4")->asList()[0].set("reservations", res);
  auto cfg = parseDhcp4Config(conf);
  REQUIRE(cfg->subnets[0].hosts.find(HostIdType::kHwAddress, hw("01:02:03:04:05:06")));
}

TEST_CASE("A missing or empty host file is an empty store; a corrupt one is refused by name") {
  TempDir dir;
  CHECK(MemfileHostStore4(dir.file("absent.json")).size() == 0);
  CHECK(MemfileHostStore4(dir.write("empty.json", "")).size() == 0);
  CHECK(MemfileHostStore4(dir.write("none.json", R"({"reservations": []})")).size() == 0);

  auto refused = [&](const std::string& content, const char* reason) {
    std::string path = dir.write("bad.json", content);
    CHECK_THROWS_WITH(MemfileHostStore4(path), Catch::Contains(path) && Catch::Contains(reason));
  };
  refused(R"({"reservations": [ {"hw-address": "01:02", )", "not valid");
  refused(R"([1, 2])", "expected a map");
  refused(R"({"hosts": []})", "\"reservations\"");
  refused(R"({"reservations": [ 7 ]})", "reservations[0]");
  refused(R"({"reservations": [ {"hw-address": "01:02"} ]})", "subnet-id");
  refused(R"({"reservations": [ {"subnet-id": "1", "hw-address": "01:02"} ]})", "subnet-id");
  refused(R"({"reservations": [ {"subnet-id": 1, "hw-address": "xx"} ]})", "reservations[0]");
  refused(R"({"reservations": [ {"subnet-id": 1, "hw-address": "01:02"}, {"subnet-id": 1, "hw-address": "01:02"} ]})",
          "duplicate reservation");
  refused(R"({"reservations": [ {"subnet-id": 1, "hw-address": "01", "ip-address": "192.0.2.1"},
                                 {"subnet-id": 1, "hw-address": "02", "ip-address": "192.0.2.1"} ]})",
          "reserved twice");
  refused(R"({"reservations": [ {"subnet-id": 1, "hw-address": "01", "option-data": [ {"name": "nope"} ]} ]})",
          "nope");
}

TEST_CASE("A failed write throws and leaves the store as it was") {
  TempDir dir;
  SECTION("directory does not exist") {
    MemfileHostStore4 store(dir.file("no-such-dir/hosts.json"));
    CHECK_THROWS_WITH(store.add(makeHost(1, "01:02:03:04:05:06", "192.0.2.10")),
                      Catch::Contains("no-such-dir/hosts.json"));
    CHECK(store.size() == 0);
    CHECK_FALSE(store.get(SubnetId(1), HostIdType::kHwAddress, hw("01:02:03:04:05:06")));
    CHECK_FALSE(store.getByAddress(SubnetId(1), ip("192.0.2.10")));
  }
  SECTION("the temporary file cannot be created, for adds and removals") {
    std::string path = dir.file("hosts.json");
    MemfileHostStore4 store(path);
    store.add(makeHost(1, "01:01:01:01:01:01", "192.0.2.10"));
    std::string before = readFile(path);
    // A directory in the way of the temporary file stops even root.
    std::filesystem::create_directory(path + ".tmp");
    CHECK_THROWS_AS(store.add(makeHost(1, "02:02:02:02:02:02", "192.0.2.11")), Error);
    CHECK_THROWS_AS(store.remove(SubnetId(1), HostIdType::kHwAddress, hw("01:01:01:01:01:01")), Error);
    CHECK_THROWS_AS(store.removeByAddress(SubnetId(1), ip("192.0.2.10")), Error);
    CHECK(store.size() == 1);
    CHECK(store.get(SubnetId(1), HostIdType::kHwAddress, hw("01:01:01:01:01:01")));
    CHECK(store.getByAddress(SubnetId(1), ip("192.0.2.10")));
    CHECK_FALSE(store.getByAddress(SubnetId(1), ip("192.0.2.11")));
    CHECK(readFile(path) == before);
    std::filesystem::remove(path + ".tmp");
    store.add(makeHost(1, "02:02:02:02:02:02", "192.0.2.11"));
    CHECK(MemfileHostStore4(path).size() == 2);
  }
  SECTION("the directory is not writable") {
    if (::geteuid() == 0) {
      SUCCEED("root ignores directory permissions; covered by the other sections");
      return;
    }
    std::string sub = dir.file("ro");
    std::filesystem::create_directory(sub);
    MemfileHostStore4 store(sub + "/hosts.json");
    ::chmod(sub.c_str(), 0555);
    CHECK_THROWS_WITH(store.add(makeHost(1, "01:02:03:04:05:06")), Catch::Contains("Permission denied"));
    ::chmod(sub.c_str(), 0755);
    CHECK(store.size() == 0);
  }
}

TEST_CASE("Host store is memory-only with an empty path") {
  TempDir dir;
  MemfileHostStore4 store("");
  store.add(makeHost(1, "01:02:03:04:05:06", "192.0.2.10"));
  CHECK(store.size() == 1);
  CHECK(store.path().empty());
  CHECK(std::filesystem::is_empty(dir.path));
}

TEST_CASE("Host store takes concurrent adds, removals and lookups without losing one") {
  TempDir dir;
  std::string path = dir.file("hosts.json");
  MemfileHostStore4 store(path);
  constexpr int kThreads = 4;
  constexpr int kPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Host4 h = makeHost(1, "00:00:00:00:00:00", nullptr);
        h.identifier = Bytes{0, 0, 0, 0, static_cast<uint8_t>(t), static_cast<uint8_t>(i)};
        h.address = IPv4Address(0xc0000200u + static_cast<uint32_t>(t * kPerThread + i));
        store.add(h);
        (void)store.getAll(SubnetId(1));
        (void)store.getByAddress(SubnetId(1), *h.address);
        if (i % 5 == 0) {
          store.remove(SubnetId(1), HostIdType::kHwAddress, h.identifier);
        }
      }
    });
  }
  for (auto& th : threads) {
    th.join();
  }
  size_t expected = kThreads * (kPerThread - kPerThread / 5);
  CHECK(store.size() == expected);
  CHECK(MemfileHostStore4(path).size() == expected);
}
