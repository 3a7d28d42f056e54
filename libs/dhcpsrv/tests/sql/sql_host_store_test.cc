// SqlHostStore4: every method on each backend (SQLite in the 'unit' run, PostgreSQL and
// MariaDB in the 'db' run).

#include <soci/soci.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

#include "../hosts/host_test_util.h"
#include "sql_test_db.h"
#include "takahe/dhcpsrv/host_json.h"
#include "takahe/dhcpsrv/sql_host_store.h"
#include "takahe/util/error.h"

using namespace takahe;
using namespace takahe::dhcpsrv;
using namespace takahe::dhcpsrv::test;

namespace {

Bytes hw(const char* text) { return *parseHex(text); }
IPv4Address ip(const char* text) { return IPv4Address::fromString(text); }

std::vector<std::string> idList(const std::vector<Host4>& hosts) {
  std::vector<std::string> out;
  for (const auto& h : hosts) {
    out.push_back(toHex(h.identifier));
  }
  return out;
}

template <typename B>
std::unique_ptr<SqlHostStore4> hostStore(const TestDb<B>& db) {
  return std::make_unique<SqlHostStore4>(db.config);
}

long long countRows(db::Connection& c) {
  long long n = -1;
  c.session() << "SELECT COUNT(*) FROM hosts4", soci::into(n);
  return n;
}

}  // namespace

TEMPLATE_TEST_CASE("SQL host store adds, finds and removes reservations", "[sql][hosts]", Sqlite,
                   Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = hostStore(db);
  CHECK(store->size() == 0);
  Host4 a = makeHost(1, "01:01:01:01:01:01", "192.0.2.10", "alpha");
  store->add(a);
  CHECK(store->size() == 1);
  REQUIRE(store->get(SubnetId(1), HostIdType::kHwAddress, a.identifier));
  CHECK(sameHost(*store->get(SubnetId(1), HostIdType::kHwAddress, a.identifier), a));
  CHECK_FALSE(store->get(SubnetId(2), HostIdType::kHwAddress, a.identifier));
  CHECK_FALSE(store->get(SubnetId(1), HostIdType::kClientId, a.identifier));
  CHECK_FALSE(store->get(SubnetId(1), HostIdType::kHwAddress, hw("01:01:01:01:01")));
  REQUIRE(store->getByAddress(SubnetId(1), ip("192.0.2.10")));
  CHECK(store->getByAddress(SubnetId(1), ip("192.0.2.10"))->hostname == "alpha");
  CHECK_FALSE(store->getByAddress(SubnetId(2), ip("192.0.2.10")));
  CHECK_FALSE(store->getByAddress(SubnetId(1), ip("192.0.2.11")));

  CHECK(store->remove(SubnetId(1), HostIdType::kHwAddress, a.identifier));
  CHECK_FALSE(store->remove(SubnetId(1), HostIdType::kHwAddress, a.identifier));
  CHECK_FALSE(store->get(SubnetId(1), HostIdType::kHwAddress, a.identifier));
  CHECK_FALSE(store->getByAddress(SubnetId(1), ip("192.0.2.10")));
  CHECK(store->size() == 0);

  store->add(a);
  CHECK_FALSE(store->removeByAddress(SubnetId(1), ip("192.0.2.11")));
  CHECK_FALSE(store->removeByAddress(SubnetId(2), ip("192.0.2.10")));
  CHECK(store->removeByAddress(SubnetId(1), ip("192.0.2.10")));
  CHECK_FALSE(store->removeByAddress(SubnetId(1), ip("192.0.2.10")));
  CHECK(store->size() == 0);
  // The address is free again once its reservation is gone.
  store->add(makeHost(1, "02:02:02:02:02:02", "192.0.2.10"));
  CHECK(store->size() == 1);
  CHECK(countRows(*db.connect()) == 1);
}

TEMPLATE_TEST_CASE("SQL host store refuses a second reservation of an identifier or address",
                   "[sql][hosts]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = hostStore(db);
  store->add(makeHost(1, "01:01:01:01:01:01", "192.0.2.10"));
  CHECK_THROWS_WITH(
      store->add(makeHost(1, "01:01:01:01:01:01", "192.0.2.11")),
      "a reservation for hw-address 01:01:01:01:01:01 in subnet 1 already exists");
  CHECK_THROWS_WITH(store->add(makeHost(1, "02:02:02:02:02:02", "192.0.2.10")),
                    "address 192.0.2.10 is already reserved in subnet 1 for hw-address "
                    "01:01:01:01:01:01");
  // Both clash: the identifier is named, as memfile does.
  CHECK_THROWS_WITH(store->add(makeHost(1, "01:01:01:01:01:01", "192.0.2.10")),
                    Catch::Contains("already exists"));
  CHECK(store->size() == 1);
  CHECK_FALSE(store->get(SubnetId(1), HostIdType::kHwAddress, hw("02:02:02:02:02:02")));
  CHECK_FALSE(store->getByAddress(SubnetId(1), ip("192.0.2.11")));

  // Other subnets and other identifier types are other reservations.
  store->add(makeHost(2, "01:01:01:01:01:01", "192.0.2.10"));
  Host4 cid = makeHost(1, "01:01:01:01:01:01");
  cid.id_type = HostIdType::kClientId;
  store->add(cid);
  // Reservations without an address never clash on address (NULL in the unique key).
  store->add(makeHost(1, "03:03:03:03:03:03"));
  store->add(makeHost(1, "04:04:04:04:04:04"));
  CHECK(store->size() == 5);
  CHECK(countRows(*db.connect()) == 5);

  // What memfile refuses, and what the columns cannot hold, is refused on every backend.
  Host4 empty = makeHost(1, "05");
  empty.identifier.clear();
  CHECK_THROWS_WITH(store->add(empty), "a reservation needs a non-empty hw-address");
  Host4 long_name = makeHost(1, "06");
  long_name.hostname = std::string(256, 'a');
  CHECK_THROWS_WITH(store->add(long_name), Catch::Contains("hostname of 256 bytes"));
  Host4 long_sname = makeHost(1, "07");
  long_sname.server_hostname = std::string(65, 's');
  CHECK_THROWS_WITH(store->add(long_sname), Catch::Contains("server-hostname of 65 bytes"));
  Host4 long_file = makeHost(1, "08");
  long_file.boot_file_name = std::string(129, 'f');
  CHECK_THROWS_WITH(store->add(long_file), Catch::Contains("boot-file-name of 129 bytes"));
  Host4 long_id = makeHost(1, "09");
  long_id.identifier = Bytes(256, 0x09);
  CHECK_THROWS_WITH(store->add(long_id), Catch::Contains("identifier of 256 bytes"));
  CHECK(store->size() == 5);
  CHECK(countRows(*db.connect()) == 5);
}

TEMPLATE_TEST_CASE("SQL host store keeps every Host4 field exactly, options and all",
                   "[sql][hosts]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = hostStore(db);
  auto cfg = hostTestConfig();
  // Named options in csv, a custom definition (stored as hex: the host database does not know
  // the configuration's definitions), raw hex, always-send, never-send, and a carrier of an
  // encapsulated space with sub-options folded in.
  Host4 rich = hostFromJson(cc::parseJson(R"({"flex-id": "00:ff:27:5c:22:3a:00",
      "ip-address": "255.255.255.254", "hostname": "it's \"rich\", with, commas\\",
      "next-server": "192.0.2.1", "server-hostname": "tftp.example.", "boot-file-name": "/boot/pxe.0",
      "option-data": [ { "name": "domain-name-servers", "data": "192.0.2.53, 192.0.2.54" },
                       { "name": "tftp-config", "data": "custom" },
                       { "code": 251, "csv-format": false, "data": "c0ffee", "always-send": true },
                       { "name": "domain-name", "data": "example.org", "never-send": true },
                       { "name": "vendor-encapsulated-options" },
                       { "name": "routers", "data": "192.0.2.1" } ]})"),
                            *cfg, SubnetId(0xfffffffe));
  REQUIRE(rich.options.options.size() == 6);
  rich.options.options[4].data = Bytes{0x01, 0x02, 0xaa, 0xbb};  // sub-option 1 folded in

  Host4 bare = makeHost(0, "00");  // global, nothing but an identifier
  bare.id_type = HostIdType::kCircuitId;
  Host4 long_fields = makeHost(7, "01:02:03:04:05:06", "10.0.0.1");
  long_fields.id_type = HostIdType::kDuid;
  long_fields.identifier = Bytes(255, 0xee);
  long_fields.hostname = std::string(255, 'h');
  long_fields.server_hostname = std::string(64, 's');
  long_fields.boot_file_name = std::string(128, 'b');
  long_fields.next_server = ip("0.0.0.1");
  Host4 client_id = makeHost(7, "01:aa:bb", "10.0.0.2", "\xc3\x84.example.");
  client_id.id_type = HostIdType::kClientId;
  Host4 hwaddr = makeHost(7, "aa:bb:cc:dd:ee:ff", "10.0.0.3");

  for (const Host4* h : {&rich, &bare, &long_fields, &client_id, &hwaddr}) {
    INFO(toHex(h->identifier));
    store->add(*h);
    auto back = store->get(h->subnet_id, h->id_type, h->identifier);
    REQUIRE(back);
    CHECK(sameHost(*back, *h));
  }
  auto check_all = [&](const SqlHostStore4& s) {
    auto all = s.getAll();
    REQUIRE(all.size() == 5);
    CHECK(sameHost(all[0], bare));
    CHECK(sameHost(all[1], hwaddr));
    CHECK(sameHost(all[2], long_fields));
    CHECK(sameHost(all[3], client_id));
    CHECK(sameHost(all[4], rich));
  };
  check_all(*store);
  // A second connection (another server) reads the same values.
  check_all(*hostStore(db));

  // The row holds what operators' SQL tools see: NULL for unset addresses, the option list as
  // Kea option-data JSON, '' when there is none.
  auto c = db.connect();
  soci::indicator address_ind = soci::i_ok, next_ind = soci::i_ok;
  long long address = 0, next_server = 0;
  std::string options;
  c->session() << "SELECT ipv4_address, dhcp4_next_server, option_data FROM hosts4"
                  " WHERE dhcp4_subnet_id = 0",
      soci::into(address, address_ind), soci::into(next_server, next_ind), soci::into(options);
  CHECK(address_ind == soci::i_null);
  CHECK(next_ind == soci::i_null);
  CHECK(options == "");
  c->session() << "SELECT ipv4_address, option_data FROM hosts4 WHERE dhcp4_subnet_id = 4294967294",
      soci::into(address), soci::into(options);
  CHECK(address == 0xfffffffell);
  cc::Value list = cc::parseJson(options);
  REQUIRE(list.isList());
  REQUIRE(list.asList().size() == 6);
  CHECK(list.asList()[0].find("name")->asString() == "domain-name-servers");
  CHECK(list.asList()[0].find("data")->asString() == "192.0.2.53, 192.0.2.54");
  CHECK(list.asList()[1].find("code")->asInt() == 224);
  CHECK(list.asList()[1].find("csv-format")->asBool() == false);
  CHECK(list.asList()[2].find("always-send")->asBool());
  CHECK(list.asList()[3].find("never-send")->asBool());
}

TEMPLATE_TEST_CASE("SQL host store reads option-data an operator wrote by hand",
                   "[sql][hosts]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = hostStore(db);
  Host4 h = makeHost(3, "0a:0b:0c:0d:0e:0f", "192.0.2.7");
  store->add(h);
  auto c = db.connect();
  c->execute(
      "UPDATE hosts4 SET option_data = '[{\"name\": \"routers\", \"data\": \"192.0.2.1\"},"
      " {\"code\": 15, \"data\": \"lab.example\"}]'");
  auto back = store->get(SubnetId(3), HostIdType::kHwAddress, h.identifier);
  REQUIRE(back);
  REQUIRE(back->options.options.size() == 2);
  CHECK(back->options.options[0].code == 3);
  CHECK(back->options.options[0].data == Bytes{192, 0, 2, 1});
  CHECK(back->options.options[1].code == 15);
  CHECK(back->options.options[1].data == Bytes(std::begin("lab.example"), std::end("lab.example") - 1));

  // A row the store cannot read is an error naming the row, not a reservation without options.
  c->execute("UPDATE hosts4 SET option_data = '[{\"name\": \"no-such-option\"}'");
  CHECK_THROWS_WITH(store->get(SubnetId(3), HostIdType::kHwAddress, h.identifier),
                    Catch::Contains("hosts4 row") && Catch::Contains("option_data is not valid"));
  CHECK(store->connected());
}

TEMPLATE_TEST_CASE("SQL host store lists by identifier, hostname, subnet and page in order",
                   "[sql][hosts]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto store = hostStore(db);
  store->add(makeHost(2, "03:00:00:00:00:00", "198.51.100.3", "Printer.example.org"));
  store->add(makeHost(1, "02:00:00:00:00:00", "192.0.2.2", "printer.example.org"));
  store->add(makeHost(1, "01:00:00:00:00:00", "192.0.2.1", "laptop"));
  store->add(makeHost(0, "02:00:00:00:00:00", nullptr, "PRINTER.EXAMPLE.ORG"));
  store->add(makeHost(1, "04:00:00:00:00:00", "192.0.2.4"));
  store->add(makeHost(1, "04:00:00:00:00", "192.0.2.5"));          // a prefix sorts first
  store->add(makeHost(1, "ff:00:00:00:00:00", "192.0.2.6"));       // bytes compare unsigned
  store->add(makeHost(3, "05:00:00:00:00:00", nullptr, "printer.example.org "));  // not equal
  store->add(makeHost(3, "06:00:00:00:00:00", nullptr, "\xc3\xa4.example"));
  store->add(makeHost(0x80000000u, "07:00:00:00:00:00", nullptr, ""));
  Host4 cid = makeHost(1, "00:ff");
  cid.id_type = HostIdType::kClientId;
  store->add(cid);

  auto by_id = store->getById(HostIdType::kHwAddress, hw("02:00:00:00:00:00"));
  REQUIRE(by_id.size() == 2);
  CHECK(by_id[0].subnet_id == SubnetId(0));
  CHECK(by_id[1].subnet_id == SubnetId(1));
  CHECK(store->getById(HostIdType::kDuid, hw("02:00:00:00:00:00")).empty());
  CHECK(store->getById(HostIdType::kClientId, hw("00:ff")).size() == 1);

  auto printers = store->getByHostname("printer.example.org", std::nullopt);
  REQUIRE(printers.size() == 3);
  CHECK(printers[0].subnet_id == SubnetId(0));
  CHECK(printers[1].subnet_id == SubnetId(1));
  CHECK(printers[2].subnet_id == SubnetId(2));
  CHECK(store->getByHostname("Printer.Example.Org", SubnetId(2)).size() == 1);
  CHECK(store->getByHostname("printer.example.org", SubnetId(3)).empty());
  CHECK(store->getByHostname("printer", std::nullopt).empty());
  // Case folding is ASCII only, as memfile's.
  CHECK(store->getByHostname("\xc3\x84.EXAMPLE", std::nullopt).empty());
  CHECK(store->getByHostname("\xc3\xa4.EXAMPLE", std::nullopt).size() == 1);
  // An empty hostname matches the reservations without one, as in memfile.
  CHECK(idList(store->getByHostname("", std::nullopt)) ==
        std::vector<std::string>{"04:00:00:00:00", "04:00:00:00:00:00", "ff:00:00:00:00:00",
                                 "00:ff", "07:00:00:00:00:00"});

  // Ordered by identifier type (hw-address before client-id), then identifier bytes.
  const std::vector<std::string> subnet1{"01:00:00:00:00:00", "02:00:00:00:00:00",
                                         "04:00:00:00:00",    "04:00:00:00:00:00",
                                         "ff:00:00:00:00:00", "00:ff"};
  CHECK(idList(store->getAll(SubnetId(1))) == subnet1);
  CHECK(store->getAll(SubnetId(0)).size() == 1);
  CHECK(store->getAll(SubnetId(7)).empty());
  auto all = store->getAll();
  REQUIRE(all.size() == 11);
  CHECK(all.front().subnet_id == SubnetId(0));
  CHECK(all[7].subnet_id == SubnetId(2));
  CHECK(all.back().subnet_id == SubnetId(0x80000000u));  // subnet ids compare unsigned

  size_t next = 99;
  auto p1 = store->getPage(SubnetId(1), 0, 4, next);
  CHECK(idList(p1) == std::vector<std::string>(subnet1.begin(), subnet1.begin() + 4));
  CHECK(next == 4);
  auto p2 = store->getPage(SubnetId(1), next, 4, next);
  CHECK(idList(p2) == std::vector<std::string>(subnet1.begin() + 4, subnet1.end()));
  CHECK(next == 6);
  auto p3 = store->getPage(SubnetId(1), next, 4, next);
  CHECK(p3.empty());
  CHECK(next == 6);
  // A position past the end stays at the end; a limit of 0 reads nothing.
  CHECK(store->getPage(SubnetId(1), 50, 4, next).empty());
  CHECK(next == 6);
  CHECK(store->getPage(SubnetId(1), 2, 0, next).empty());
  CHECK(next == 2);
  CHECK(store->getPage(SubnetId(2), 0, 10, next).size() == 1);
  CHECK(next == 1);
  CHECK(store->getPage(SubnetId(9), 0, 10, next).empty());
  CHECK(next == 0);
  CHECK(store->getPage(SubnetId(1), 1, static_cast<size_t>(-1), next).size() == 5);
  CHECK(next == 6);
  // Positions are ordinals: a removal before the position shifts what the next page starts at.
  REQUIRE(store->remove(SubnetId(1), HostIdType::kHwAddress, hw("01:00:00:00:00:00")));
  CHECK(idList(store->getPage(SubnetId(1), 2, 1, next)) ==
        std::vector<std::string>{"04:00:00:00:00:00"});
  CHECK(next == 3);
}

TEMPLATE_TEST_CASE("A read-only SQL host store refuses writes and still reads", "[sql][hosts]",
                   Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  Host4 a = makeHost(1, "01:01:01:01:01:01", "192.0.2.10");
  hostStore(db)->add(a);
  db::DbConfig ro_config = db.config;
  ro_config.readonly = true;
  SqlHostStore4 ro(ro_config);
  const std::string refused = "the host database is read-only (readonly: true)";
  CHECK_THROWS_WITH(ro.add(makeHost(1, "02:02:02:02:02:02")), refused);
  CHECK_THROWS_WITH(ro.add(a), refused);  // the read-only refusal comes first
  CHECK_THROWS_WITH(ro.remove(SubnetId(1), HostIdType::kHwAddress, a.identifier), refused);
  CHECK_THROWS_WITH(ro.removeByAddress(SubnetId(1), ip("192.0.2.10")), refused);
  CHECK(countRows(*db.connect()) == 1);
  CHECK(ro.size() == 1);
  REQUIRE(ro.get(SubnetId(1), HostIdType::kHwAddress, a.identifier));
  CHECK(ro.getByAddress(SubnetId(1), ip("192.0.2.10")));
  CHECK(ro.getAll().size() == 1);
  CHECK(ro.config().readonly);
}

TEMPLATE_TEST_CASE("SQL host store size() follows its own writes at once and others' within "
                   "a second",
                   "[sql][hosts]", Sqlite, Postgresql, Mysql) {
  TestDb<TestType> db;
  auto opened = std::chrono::steady_clock::now();
  auto a = hostStore(db);
  auto b = hostStore(db);
  a->add(makeHost(1, "01"));
  CHECK(a->size() == 1);
  b->add(makeHost(1, "02"));
  b->add(makeHost(1, "03"));
  CHECK(b->size() >= 2);
  if (std::chrono::steady_clock::now() - opened < std::chrono::milliseconds(900)) {
    // Within the second after opening, a has not counted the table again: the cache shows.
    CHECK(a->size() == 1);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
  while ((a->size() != 3 || b->size() != 3) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(a->size() == 3);
  CHECK(b->size() == 3);
  // A removal of a row that another store already removed does not count twice.
  CHECK(a->remove(SubnetId(1), HostIdType::kHwAddress, hw("02")));
  CHECK_FALSE(b->remove(SubnetId(1), HostIdType::kHwAddress, hw("02")));
  CHECK(a->size() == 2);
  // A new store counts the table when it opens.
  CHECK(hostStore(db)->size() == 2);
}
