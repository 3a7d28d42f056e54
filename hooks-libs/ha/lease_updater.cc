#include "lease_updater.h"

#include <algorithm>
#include <map>
#include <string>
#include <utility>

#include "peer_messages.h"
#include "update_channel.h"
#include "takahe/dhcpsrv/lease_json.h"
#include "takahe/hooks/parking_lot.h"
#include "takahe/http/event_thread.h"

namespace takahe::hooks::ha {

namespace {

using Update = LeaseUpdate;

/// How a peer's answer to an update counts.
enum class Outcome { kAcked, kRejected, kFailed };

Outcome classify(const Update& u, const PeerAnswer& a, std::string& cause) {
  if (!a.ok) {
    cause = a.error;
    return Outcome::kFailed;
  }
  if (!PeerLink::reachedPeer(a)) {
    cause = "the peer's control agent cannot reach its DHCPv4 server (" + a.text + ")";
    return Outcome::kFailed;
  }
  if (a.result == 0 || (a.result == 3 && u.command == "lease4-del")) {
    return Outcome::kAcked;
  }
  if (a.result == 1 || a.result == 4) {
    cause = a.text;
    return Outcome::kRejected;
  }
  if (a.result == 2) {
    cause = "the peer does not know " + u.command + " (" + a.text +
            "): load libdhcp_lease_cmds.so beside libdhcp_ha.so on it";
  } else {
    cause = "answer " + std::to_string(a.result) + ": " + a.text;
  }
  return Outcome::kFailed;
}

}  // namespace

struct LeaseUpdater::Impl : std::enable_shared_from_this<LeaseUpdater::Impl> {
  using Clock = std::chrono::steady_clock;

  Impl(const HaConfig& c, PeerLink& l, CommunicationState* s)
      : config(c), link(l), partner_state(s) {
    const PeerConfig& self = config.thisServer();
    partner = self.role == PeerRole::kBackup ? nullptr : config.partner();
    for (const PeerConfig* b : config.backups()) {
      if (b->name != self.name) {
        backups.push_back(b);
      }
    }
    backup_acks = config.mode == HaMode::kPassiveBackup && config.wait_backup_ack;
    if (partner != nullptr) {
      channels[partner] = std::make_unique<UpdateChannel>(link, *partner, kUpdateTimeout);
    }
    for (const PeerConfig* b : backups) {
      channels[b] = std::make_unique<UpdateChannel>(link, *b, kUpdateTimeout);
    }
  }

  /// A parked reply waiting for its acks.
  struct Parked {
    ParkingLot* lot;
    const void* key;
    std::atomic<int> waiting{0};
    std::atomic<bool> settled{false};
  };

  /// Failure log state of one peer: a burst of failures is logged once.
  struct PeerHealth {
    bool failing = false;
    std::string cause;
    uint64_t failed_since = 0;
  };

  const HaConfig& config;
  PeerLink& link;
  CommunicationState* partner_state;
  const PeerConfig* partner = nullptr;
  std::vector<const PeerConfig*> backups;
  bool backup_acks = false;

  std::atomic<PartnerPolicy> policy{PartnerPolicy::kNone};
  std::atomic<bool> to_backups{false};
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> unsent{0}, sent{0}, failed{0};

  std::mutex queue_mu;
  std::deque<Update> queue;
  bool overflowed = false;
  bool draining = false;

  std::mutex health_mu;
  std::map<std::string, PeerHealth> health;

  /// One per peer that gets updates (partner, backups); fixed after construction.
  std::map<const PeerConfig*, std::unique_ptr<UpdateChannel>> channels;

  // --- settlement of parked replies (HA thread) ------------------------------------------

  /// Releases our reference (the reply goes once every library released it) or drops the
  /// reply. An answer may beat the server's park() (it parks after the callout returns): the
  /// lot then resumes or discards the packet as soon as it is parked.
  void settle(const std::shared_ptr<Parked>& p, bool unpark) {
    if (unpark) {
      p->lot->unpark(p->key);
    } else {
      p->lot->drop(p->key);
    }
  }

  // --- outcome bookkeeping (HA thread) ---------------------------------------------------

  /// Counts and logs the answer of `peer` to `u`; returns how it counts.
  Outcome record(const PeerConfig& peer, const Update& u, const PeerAnswer& a, bool acked_reply) {
    std::string cause;
    Outcome o = classify(u, a, cause);
    const bool is_partner = partner != nullptr && &peer == partner;
    if (o != Outcome::kFailed && is_partner && partner_state != nullptr) {
      partner_state->poke(Clock::now());
    }
    if (o == Outcome::kAcked) {
      ++sent;
      if (is_partner && partner_state != nullptr) {
        partner_state->reportSuccessfulLeaseUpdate(u.address);
      }
      healthy(peer);
      return o;
    }
    ++failed;
    if (o == Outcome::kRejected) {
      size_t pending = 0;
      if (is_partner && partner_state != nullptr) {
        partner_state->reportRejectedLeaseUpdate(u.address);
        pending = partner_state->rejectedLeaseUpdates();
      }
      TAKAHE_LOG(linkLogger(), HA_LEASE_UPDATE_REJECTED, peer.name, u.command, u.address, cause,
                 pending);
      healthy(peer);  // the peer answered: not a communication failure
      return o;
    }
    unhealthy(peer, u, cause, acked_reply);
    return o;
  }

  void healthy(const PeerConfig& peer) {
    uint64_t failures = 0;
    {
      std::lock_guard lock(health_mu);
      auto it = health.find(peer.name);
      if (it == health.end() || !it->second.failing) {
        return;
      }
      failures = it->second.failed_since;
      it->second = PeerHealth{};
    }
    TAKAHE_LOG(linkLogger(), HA_LEASE_UPDATES_RESUMED, peer.name, peer.url, failures);
  }

  void unhealthy(const PeerConfig& peer, const Update& u, const std::string& cause,
                 bool acked_reply) {
    {
      std::lock_guard lock(health_mu);
      PeerHealth& h = health[peer.name];
      ++h.failed_since;
      if (h.failing && h.cause == cause) {
        return;
      }
      h.failing = true;
      h.cause = cause;
    }
    TAKAHE_LOG(linkLogger(), HA_LEASE_UPDATE_FAILED, peer.name, peer.url,
               u.command + " " + u.address, cause,
               acked_reply ? std::string("the replies to the clients concerned are dropped until "
                                         "the peer acknowledges updates again")
                           : std::string("the update is lost for that peer (not waited for); it "
                                         "will need a lease database synchronisation"));
  }

  // --- sending ------------------------------------------------------------------------------

  void sendAcked(const PeerConfig& peer, const Update& u, const std::shared_ptr<Parked>& p) {
    channels.at(&peer)->send(u, [self = shared_from_this(), &peer, u, p](const PeerAnswer& a) {
      if (self->stopped) {
        return;
      }
      Outcome o = self->record(peer, u, a, true);
      if (o == Outcome::kAcked) {
        if (--p->waiting == 0 && !p->settled.exchange(true)) {
          self->settle(p, true);
        }
      } else if (!p->settled.exchange(true)) {
        self->settle(p, false);
      }
    });
  }

  void sendUnacked(const PeerConfig& peer, const Update& u) {
    channels.at(&peer)->send(u, [self = shared_from_this(), &peer, u](const PeerAnswer& a) {
      if (!self->stopped) {
        self->record(peer, u, a, false);
      }
    });
  }

  void enqueue(std::vector<Update>& updates) {
    size_t lost = 0;
    bool first_overflow = false;
    {
      std::lock_guard lock(queue_mu);
      for (auto& u : updates) {
        if (overflowed || queue.size() >= config.delayed_updates_limit) {
          first_overflow = first_overflow || !overflowed;
          overflowed = true;
          ++lost;
        } else {
          queue.push_back(std::move(u));
        }
      }
    }
    unsent += lost;
    if (first_overflow) {
      TAKAHE_LOG(linkLogger(), HA_LEASE_UPDATES_QUEUE_FULL, config.delayed_updates_limit,
                 partner->name);
    }
  }

  /// HA thread: sends the head of the queue; continues until the queue is empty.
  void drainNext(std::function<void(bool)> done, uint64_t sent_so_far) {
    if (stopped) {
      return;
    }
    Update head;
    bool empty = false;
    {
      std::lock_guard lock(queue_mu);
      empty = queue.empty();
      if (empty) {
        draining = false;
      } else {
        head = queue.front();
      }
    }
    if (empty) {
      if (sent_so_far != 0) {
        TAKAHE_LOG(linkLogger(), HA_LEASE_UPDATES_QUEUE_SENT, sent_so_far, partner->name);
      }
      done(true);
      return;
    }
    link.sendBody(*partner, singleUpdateBody(head), kUpdateTimeout,
                  [self = shared_from_this(), head, done = std::move(done),
                   sent_so_far](PeerAnswer a) mutable {
                    if (self->stopped) {
                      return;
                    }
                    Outcome o = self->record(*self->partner, head, a, false);
                    if (o == Outcome::kFailed) {
                      size_t left = 0;
                      {
                        std::lock_guard lock(self->queue_mu);
                        self->draining = false;
                        left = self->queue.size();
                      }
                      TAKAHE_LOG(linkLogger(), HA_LEASE_UPDATES_QUEUE_STOPPED,
                                 self->partner->name, sent_so_far, a.ok ? a.text : a.error, left);
                      done(false);
                      return;
                    }
                    {
                      std::lock_guard lock(self->queue_mu);
                      // clearQueue() may have run meanwhile: pop only what was sent.
                      if (!self->queue.empty() && self->queue.front().lease == head.lease &&
                          self->queue.front().command == head.command) {
                        self->queue.pop_front();
                      }
                    }
                    self->drainNext(std::move(done), sent_so_far + 1);
                  });
  }
};

LeaseUpdater::LeaseUpdater(const HaConfig& config, PeerLink& link,
                           CommunicationState* partner_state)
    : impl_(std::make_shared<Impl>(config, link, partner_state)) {}

LeaseUpdater::~LeaseUpdater() {
  impl_->stopped = true;
  // A channel stops when destroyed: batches answered later send nothing more.
  impl_->channels.clear();
}

void LeaseUpdater::setPartnerPolicy(PartnerPolicy policy) {
  const PartnerPolicy before = impl_->policy.exchange(policy);
  if (before != policy && policy == PartnerPolicy::kSend && impl_->partner != nullptr) {
    // Back to normal after partner-down, a sync, ...: the partner may have been replaced
    // meanwhile (by a Kea server, say), so ask again what it takes.
    impl_->channels.at(impl_->partner)->forgetCapability();
  }
}

LeaseUpdater::PartnerPolicy LeaseUpdater::partnerPolicy() const { return impl_->policy; }

void LeaseUpdater::setSendToBackups(bool send) { impl_->to_backups = send; }

bool LeaseUpdater::sendToBackups() const { return impl_->to_backups; }

cc::Value LeaseUpdater::updateArguments(const dhcpsrv::Lease4& lease) {
  return leaseUpdateArguments(lease);
}

cc::Value LeaseUpdater::deleteArguments(const dhcpsrv::Lease4& lease) {
  return leaseDeleteArguments(lease);
}

bool LeaseUpdater::leasesCommitted(const std::vector<std::shared_ptr<dhcpsrv::Lease4>>& leases,
                                   const std::vector<std::shared_ptr<dhcpsrv::Lease4>>& deleted,
                                   ParkingLot& lot, const void* key) {
  Impl& d = *impl_;
  if ((leases.empty() && deleted.empty()) || !d.config.send_lease_updates) {
    return false;
  }
  const PartnerPolicy policy = d.partner != nullptr ? d.policy.load() : PartnerPolicy::kNone;
  const bool backups = d.to_backups && !d.backups.empty();
  if (policy == PartnerPolicy::kNone && !backups) {
    return false;
  }
  if (policy == PartnerPolicy::kCount && !backups) {
    d.unsent += leases.size() + deleted.size();  // nothing to build
    return false;
  }

  std::vector<Update> updates;
  updates.reserve(leases.size() + deleted.size());
  for (const auto& l : deleted) {
    if (l) {
      updates.push_back(Update{"lease4-del", l->address.toString(), l});
    }
  }
  for (const auto& l : leases) {
    if (l) {
      updates.push_back(Update{"lease4-update", l->address.toString(), l});
    }
  }
  if (updates.empty()) {
    return false;
  }

  int acks = 0;
  if (policy == PartnerPolicy::kSend) {
    acks += static_cast<int>(updates.size());
  }
  if (backups && d.backup_acks) {
    acks += static_cast<int>(updates.size() * d.backups.size());
  }
  std::shared_ptr<Impl::Parked> parked;
  if (acks > 0) {
    parked = std::make_shared<Impl::Parked>();
    parked->lot = &lot;
    parked->key = key;
    parked->waiting = acks;
    lot.reference(key);  // before anything is sent: an answer may come at once
  }

  if (backups) {
    for (const PeerConfig* b : d.backups) {
      for (const auto& u : updates) {
        if (d.backup_acks) {
          d.sendAcked(*b, u, parked);
        } else {
          d.sendUnacked(*b, u);
        }
      }
    }
  }
  switch (policy) {
    case PartnerPolicy::kSend:
      for (const auto& u : updates) {
        d.sendAcked(*d.partner, u, parked);
      }
      break;
    case PartnerPolicy::kQueue:
      d.enqueue(updates);
      break;
    case PartnerPolicy::kCount:
      d.unsent += updates.size();
      break;
    case PartnerPolicy::kNone:
      break;
  }
  return acks > 0;
}

uint64_t LeaseUpdater::unsentUpdateCount() const { return impl_->unsent; }

size_t LeaseUpdater::queuedUpdates() const {
  std::lock_guard lock(impl_->queue_mu);
  return impl_->queue.size();
}

bool LeaseUpdater::queueOverflowed() const {
  std::lock_guard lock(impl_->queue_mu);
  return impl_->overflowed;
}

void LeaseUpdater::sendQueued(std::function<void(bool ok)> done) {
  Impl& d = *impl_;
  {
    std::lock_guard lock(d.queue_mu);
    if (d.partner == nullptr || d.overflowed || d.draining) {
      d.link.thread().post([done = std::move(done)] { done(false); });
      return;
    }
    d.draining = true;
  }
  d.drainNext(std::move(done), 0);
}

void LeaseUpdater::clearQueue() {
  std::lock_guard lock(impl_->queue_mu);
  impl_->queue.clear();
  impl_->overflowed = false;
}

uint64_t LeaseUpdater::sentUpdates() const { return impl_->sent; }

std::optional<bool> LeaseUpdater::bulkUpdates(const PeerConfig& peer) const {
  auto it = impl_->channels.find(&peer);
  return it == impl_->channels.end() ? std::nullopt : it->second->bulk();
}

uint64_t LeaseUpdater::updateRequests() const {
  uint64_t n = 0;
  for (const auto& [peer, channel] : impl_->channels) {
    n += channel->requests();
  }
  return n;
}

uint64_t LeaseUpdater::failedUpdates() const { return impl_->failed; }

}  // namespace takahe::hooks::ha
