// Default entry text, word for word against Kea's documented wording.

#include <catch2/catch.hpp>

#include "legal_entry.h"
#include "test_util.h"

using namespace takahe;
using namespace takahe::hooks::legal_log;
using namespace takahe::hooks::legal_log::test;

TEST_CASE("durations are written in days, hrs, mins and secs as Kea does", "[legal_log]") {
  CHECK(durationText(6735) == "1 hrs 52 mins 15 secs");
  CHECK(durationText(0) == "0 hrs 0 mins 0 secs");
  CHECK(durationText(86400) == "1 days 0 hrs 0 mins 0 secs");
  CHECK(durationText(2 * 86400 + 3 * 3600 + 4 * 60 + 5) == "2 days 3 hrs 4 mins 5 secs");
  CHECK(durationText(0xffffffffu) == "infinite duration");
}

TEST_CASE("identifiers are hex, with their text when all bytes are printable", "[legal_log]") {
  CHECK(idText(Bytes{0x68, 0x6f, 0x77, 0x64, 0x79}) == "68:6f:77:64:79 (howdy)");
  CHECK(idText(Bytes{0x87, 0xf6, 0x79, 0x77, 0xef}) == "87:f6:79:77:ef");
  CHECK(idText(Bytes{0x41, 0x00}) == "41:00");
}

TEST_CASE("an assignment to a directly connected client", "[legal_log]") {
  auto lease = exampleLease();
  auto query = request();
  CHECK(leaseEntry(Action::kAssign, lease, query.get()) ==
        "Address: 192.2.1.100 has been assigned for 1 hrs 52 mins 15 secs to a device with "
        "hardware address: hwtype=1 08:00:2b:02:3f:4e");

  lease.client_id = ClientId({0x17, 0x34, 0xe2, 0xff, 0x09, 0x92, 0x54});
  CHECK(leaseEntry(Action::kAssign, lease, query.get()) ==
        "Address: 192.2.1.100 has been assigned for 1 hrs 52 mins 15 secs to a device with "
        "hardware address: hwtype=1 08:00:2b:02:3f:4e, client-id: 17:34:e2:ff:09:92:54");
}

TEST_CASE("a relayed client is identified by the relay address and option 82", "[legal_log]") {
  auto lease = exampleLease();
  lease.client_id = ClientId({0x17, 0x34, 0xe2, 0xff, 0x09, 0x92, 0x54});
  auto query = request();
  query->giaddr = IPv4Address::fromString("192.2.16.33");
  const std::string head =
      "Address: 192.2.1.100 has been assigned for 1 hrs 52 mins 15 secs to a device with "
      "hardware address: hwtype=1 08:00:2b:02:3f:4e, client-id: 17:34:e2:ff:09:92:54 connected "
      "via relay at address: 192.2.16.33";
  CHECK(leaseEntry(Action::kAssign, lease, query.get()) == head);

  setRai(*query, {{1, {0x68, 0x6f, 0x77, 0x64, 0x79}}});
  CHECK(leaseEntry(Action::kAssign, lease, query.get()) ==
        head + ", identified by circuit-id: 68:6f:77:64:79 (howdy)");

  setRai(*query, {{1, {0x68, 0x6f, 0x77, 0x64, 0x79}}, {2, {0x87, 0xf6, 0x79, 0x77, 0xef}}});
  CHECK(leaseEntry(Action::kAssign, lease, query.get()) ==
        head + ", identified by circuit-id: 68:6f:77:64:79 (howdy) and remote-id: 87:f6:79:77:ef");

  setRai(*query, {{2, {0x87, 0xf6, 0x79, 0x77, 0xef}}});
  CHECK(leaseEntry(Action::kAssign, lease, query.get()) ==
        head + ", identified by remote-id: 87:f6:79:77:ef");

  setRai(*query,
         {{1, {0x46, 0x6f, 0x6f}}, {2, {0x42, 0x61, 0x72}}, {6, {0x6f, 0x63, 0x65, 0x61, 0x6e}}});
  CHECK(leaseEntry(Action::kAssign, lease, query.get()) ==
        head +
            ", identified by circuit-id: 46:6f:6f (Foo) and remote-id: 42:61:72 (Bar) and "
            "subscriber-id: 6f:63:65:61:6e (ocean)");

  // Option 82 without circuit-id/remote-id/subscriber-id adds nothing.
  setRai(*query, {{5, {192, 2, 1, 0}}});
  CHECK(leaseEntry(Action::kAssign, lease, query.get()) == head);
}

TEST_CASE("a printable client-id is shown as text too", "[legal_log]") {
  auto lease = exampleLease();
  lease.client_id = ClientId({0x66, 0x6f, 0x6f, 0x62, 0x61, 0x72});
  CHECK(leaseEntry(Action::kAssign, lease, nullptr) ==
        "Address: 192.2.1.100 has been assigned for 1 hrs 52 mins 15 secs to a device with "
        "hardware address: hwtype=1 08:00:2b:02:3f:4e, client-id: 66:6f:6f:62:61:72 (foobar)");
}

TEST_CASE("release, decline and expiry have no duration and say 'from'", "[legal_log]") {
  auto lease = exampleLease();
  auto query = request();
  CHECK(leaseEntry(Action::kRelease, lease, query.get()) ==
        "Address: 192.2.1.100 has been released from a device with hardware address: hwtype=1 "
        "08:00:2b:02:3f:4e");
  CHECK(leaseEntry(Action::kDecline, lease, query.get()) ==
        "Address: 192.2.1.100 has been declined from a device with hardware address: hwtype=1 "
        "08:00:2b:02:3f:4e");
  CHECK(leaseEntry(Action::kExpire, lease, nullptr) ==
        "Address: 192.2.1.100 has been expired from a device with hardware address: hwtype=1 "
        "08:00:2b:02:3f:4e");
}

TEST_CASE("a declined lease without hardware address names the declining device", "[legal_log]") {
  auto lease = exampleLease();
  lease.hwaddr = HwAddr();
  auto query = request();
  CHECK(leaseEntry(Action::kDecline, lease, query.get()) ==
        "Address: 192.2.1.100 has been declined from a device with hardware address: hwtype=1 "
        "08:00:2b:02:3f:4e");
}

TEST_CASE("a renewal is told from an assignment by ciaddr", "[legal_log]") {
  auto lease = exampleLease();
  auto query = request();
  CHECK(commitAction(query.get(), lease) == Action::kAssign);
  query->removeOption(dhcp::opt::kRequestedAddress);
  query->ciaddr = lease.address;
  CHECK(commitAction(query.get(), lease) == Action::kRenew);
  CHECK(leaseEntry(Action::kRenew, lease, query.get()) ==
        "Address: 192.2.1.100 has been renewed for 1 hrs 52 mins 15 secs to a device with "
        "hardware address: hwtype=1 08:00:2b:02:3f:4e");
  // A REQUEST whose ciaddr is another address (lease moved) is an assignment.
  query->ciaddr = IPv4Address::fromString("192.2.1.7");
  CHECK(commitAction(query.get(), lease) == Action::kAssign);
  CHECK(commitAction(nullptr, lease) == Action::kAssign);
}

TEST_CASE("infinite leases and user contexts", "[legal_log]") {
  auto lease = exampleLease();
  lease.valid_lifetime = 0xffffffffu;
  lease.user_context = R"({"foo":true,"list":[1,"a"]})";
  CHECK(leaseEntry(Action::kAssign, lease, nullptr) ==
        "Address: 192.2.1.100 has been assigned for infinite duration to a device with hardware "
        "address: hwtype=1 08:00:2b:02:3f:4e, context: { \"foo\": true, \"list\": [ 1, \"a\" ] }");
}
