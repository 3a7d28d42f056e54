#pragma once

// What the LeaseUpdater tests share: a test lease, a packet whose reply the "server" parks when
// the leases4_committed callout says so, and server1's HA relationship with fake peers.

#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "core/communication_state.h"
#include "fake_peer.h"
#include "lease_updater.h"
#include "takahe/hooks/parking_lot.h"
#include "takahe/http/event_thread.h"

namespace takahe::hooks::ha::test {

using dhcpsrv::Lease4;

inline std::shared_ptr<Lease4> lease(const std::string& addr, int64_t cltt = 1795924363) {
  auto l = std::make_shared<Lease4>();
  l->address = IPv4Address::fromString(addr);
  l->hwaddr = HwAddr::fromString("00:0c:01:02:10:00");
  l->client_id = ClientId::fromString("01:00:0c:01:02:10:00");
  l->valid_lifetime = 600;
  l->cltt = cltt;
  l->subnet_id = SubnetId(1);
  return l;
}

using Leases = std::vector<std::shared_ptr<Lease4>>;

/// What the server does with the reply of one packet: parks it when the callout says so.
struct Packet {
  int id = 0;  // its address is the parking key
  std::atomic<int> resumed{0}, dropped{0};
  bool parked = false;

  void commit(LeaseUpdater& u, hooks::ParkingLot& lot, const Leases& leases,
              const Leases& deleted = {}) {
    parked = u.leasesCommitted(leases, deleted, lot, this);
    if (parked) {
      REQUIRE(lot.park(this, [this] { ++resumed; }, [this] { ++dropped; }));
    }
  }
  bool settled() const { return resumed + dropped > 0; }
};

/// An HA relationship of this server (server1) with fake peers, and its link.
struct UpdaterSetup {
  http::EventThread ha{"ha-test"};
  HaConfig config;
  std::unique_ptr<PeerLink> link;
  std::unique_ptr<CommunicationState> state;
  std::unique_ptr<LeaseUpdater> updater;
  hooks::ParkingLot lot{1000};

  UpdaterSetup(HaMode mode, std::vector<PeerConfig> peers, unsigned connections = 1,
        std::function<void(HaConfig&)> tweak = {}) {
    config = configWith(mode, std::move(peers));
    if (tweak) {
      tweak(config);
    }
    link = std::make_unique<PeerLink>(ha, config, connections);
    if (const PeerConfig* p = config.partner()) {
      state = std::make_unique<CommunicationState>(config, *p);
    }
    updater = std::make_unique<LeaseUpdater>(config, *link, state.get());
  }
  ~UpdaterSetup() {
    updater.reset();
    link.reset();
    ha.stop();
  }
  bool sendQueued() {
    std::promise<bool> p;
    ha.post([&] { updater->sendQueued([&](bool ok) { p.set_value(ok); }); });
    auto f = p.get_future();
    REQUIRE(f.wait_for(10s) == std::future_status::ready);
    return f.get();
  }
};

}  // namespace takahe::hooks::ha::test
