#include "update_channel.h"

#include <algorithm>
#include <mutex>
#include <string_view>
#include <unordered_set>
#include <utility>

#include "peer_messages.h"
#include "takahe/dhcpsrv/lease_json.h"

namespace takahe::hooks::ha {

namespace {

using Clock = std::chrono::steady_clock;

/// After an exchange failed, or list-commands got no answer, the peer is asked again at the
/// first update after this delay (updates meanwhile go singly).
constexpr std::chrono::seconds kProbeBackoff{5};

constexpr std::string_view kBulkCommand = "lease4-bulk-apply";

/// Members sorted by key, as Kea writes them.
cc::Value sorted(cc::Value v) {
  auto& m = v.asMap();
  std::sort(m.begin(), m.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return v;
}

/// The lease as Kea 2.2 sends it to a partner: "expire" instead of "cltt", no "pool-id" (the
/// receiver takes the pool of its own configuration).
cc::Value wireLease(const dhcpsrv::Lease4& lease) {
  cc::Value v = dhcpsrv::leaseToJson(lease);
  v.erase("cltt");
  v.erase("pool-id");
  v.set("expire", lease.expire());
  return v;
}

/// Text that JSON carries as it is (no escaping), as hostnames usually are.
bool plainText(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](unsigned char c) {
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
  });
}

void appendMember(std::string& out, std::string_view key, std::string_view quoted_value) {
  out += '"';
  out += key;
  out += "\":";
  out += quoted_value;
  out += ',';
}

/// leaseDeleteArguments(lease).toJson() without building the value: the bulk path writes one
/// per lease, and the packet rate makes that worth it. Leases with a user context or a hostname
/// that needs escaping take the general path.
void appendWireLease(std::string& out, const dhcpsrv::Lease4& lease) {
  if (!lease.user_context.empty() || !plainText(lease.hostname)) {
    out += leaseDeleteArguments(lease).toJson();
    return;
  }
  const auto quoted = [](const std::string& v) { return "\"" + v + "\""; };
  const auto boolean = [](bool b) { return b ? std::string_view("true") : std::string_view("false"); };
  out += '{';
  if (!lease.client_id.empty()) {
    appendMember(out, "client-id", quoted(lease.client_id.toString()));
  }
  appendMember(out, "expire", std::to_string(lease.expire()));
  appendMember(out, "fqdn-fwd", boolean(lease.fqdn_fwd));
  appendMember(out, "fqdn-rev", boolean(lease.fqdn_rev));
  appendMember(out, "hostname", quoted(lease.hostname));
  appendMember(out, "hw-address", quoted(lease.hwaddr.toString()));
  appendMember(out, "ip-address", quoted(lease.address.toString()));
  appendMember(out, "state", std::to_string(static_cast<uint32_t>(lease.state)));
  appendMember(out, "subnet-id", std::to_string(lease.subnet_id.value));
  appendMember(out, "valid-lft", std::to_string(lease.valid_lifetime));
  out.back() = '}';
}

bool listsBulkApply(const PeerAnswer& a) {
  if (!a.arguments || !a.arguments->isList()) {
    return false;
  }
  const cc::List& names = a.arguments->asList();
  return std::any_of(names.begin(), names.end(), [](const cc::Value& n) {
    return n.isString() && n.asString() == kBulkCommand;
  });
}

}  // namespace

cc::Value leaseUpdateArguments(const dhcpsrv::Lease4& lease) {
  cc::Value v = wireLease(lease);
  v.set("force-create", true);
  return sorted(std::move(v));
}

cc::Value leaseDeleteArguments(const dhcpsrv::Lease4& lease) { return sorted(wireLease(lease)); }

std::string singleUpdateBody(const LeaseUpdate& update) {
  const bool del = update.command == "lease4-del";
  return makeCommandBody(update.command, del ? leaseDeleteArguments(*update.lease)
                                             : leaseUpdateArguments(*update.lease));
}

std::string bulkUpdateBody(const std::vector<const LeaseUpdate*>& updates) {
  std::string deleted;
  std::string stored;
  stored.reserve(updates.size() * 240);
  for (const LeaseUpdate* u : updates) {
    std::string& list = u->command == "lease4-del" ? deleted : stored;
    if (!list.empty()) {
      list += ',';
    }
    appendWireLease(list, *u->lease);
  }
  std::string body;
  body.reserve(deleted.size() + stored.size() + 128);
  body += R"({"arguments":{"deleted-leases":[)";
  body += deleted;
  body += R"(],"leases":[)";
  body += stored;
  body += R"(]},"command":"lease4-bulk-apply","service":["dhcp4"]})";
  return body;
}

PeerAnswer bulkItemAnswer(const PeerAnswer& whole, const LeaseUpdate& update) {
  if (!whole.ok || whole.result != 0) {
    return whole;
  }
  PeerAnswer a;
  a.ok = true;
  a.result = 0;
  a.text = whole.text;
  if (!whole.arguments || !whole.arguments->isMap()) {
    return a;
  }
  const char* name = update.command == "lease4-del" ? "failed-deleted-leases" : "failed-leases";
  const cc::Value* failed = whole.arguments->find(name);
  if (failed == nullptr || !failed->isList()) {
    return a;
  }
  for (const cc::Value& entry : failed->asList()) {
    const cc::Value* addr = entry.isMap() ? entry.find("ip-address") : nullptr;
    if (addr == nullptr || !addr->isString() || addr->asString() != update.address) {
      continue;
    }
    const cc::Value* result = entry.find("result");
    const cc::Value* message = entry.find("error-message");
    a.result = result != nullptr && result->isInt() ? static_cast<int>(result->asInt()) : 1;
    a.text = message != nullptr && message->isString() ? message->asString()
                                                       : std::string("refused in a bulk apply");
    break;
  }
  return a;
}

// ---------------------------------------------------------------------------------------------

struct UpdateChannel::Impl : std::enable_shared_from_this<UpdateChannel::Impl> {
  Impl(PeerLink& l, const PeerConfig& p, std::chrono::milliseconds t)
      : link(l), peer(p), timeout(t) {}

  enum class Capability { kUnknown, kProbing, kBulk, kSingle };

  struct Item {
    LeaseUpdate update;
    Done done;
  };

  PeerLink& link;
  const PeerConfig& peer;  // in the HaConfig, which outlives the channel's sends
  const std::chrono::milliseconds timeout;
  std::atomic<bool> stopped{false};
  std::atomic<uint64_t> requests{0};

  mutable std::mutex mu;  // guards what follows
  Capability capability = Capability::kUnknown;
  uint64_t probe_generation = 0;
  Clock::time_point next_probe{};
  std::optional<bool> logged;  // what was last logged about the peer's capability
  std::vector<Item> pending;   // waiting for a batch slot
  unsigned in_flight = 0;      // batches on their way

  /// Under `mu`: updates from the front of `pending` for one batch: at most kMaxBatch, and
  /// never a lease4-del after a lease4-update of the same address (the peer applies a batch's
  /// deletions first, so that pair goes in two batches, in order).
  std::vector<Item> takePending() {
    std::unordered_set<std::string_view> stored;
    size_t n = 0;
    for (; n < pending.size() && n < kMaxBatch; ++n) {
      const LeaseUpdate& u = pending[n].update;
      if (u.command != "lease4-del") {
        stored.insert(u.address);
      } else if (stored.count(u.address) != 0) {
        break;
      }
    }
    std::vector<Item> batch;
    if (n == pending.size()) {
      batch.swap(pending);
      return batch;
    }
    auto end = pending.begin() + static_cast<std::ptrdiff_t>(n);
    batch.assign(std::make_move_iterator(pending.begin()), std::make_move_iterator(end));
    pending.erase(pending.begin(), end);
    return batch;
  }

  /// A transport failure: the peer may be another server when it comes back.
  void exchangeFailed() {
    std::lock_guard lock(mu);
    if (capability == Capability::kBulk || capability == Capability::kSingle) {
      capability = Capability::kUnknown;
      next_probe = Clock::now() + kProbeBackoff;
    }
  }

  void logCapability(bool bulk) {
    {
      std::lock_guard lock(mu);
      if (logged == bulk) {
        return;
      }
      logged = bulk;
    }
    if (bulk) {
      TAKAHE_LOG(linkLogger(), HA_LEASE_UPDATES_BATCHED, peer.name, peer.url);
    } else {
      TAKAHE_LOG(linkLogger(), HA_LEASE_UPDATES_SINGLE, peer.name, peer.url);
    }
  }

  void probe(uint64_t generation) {
    link.send(peer, "list-commands", std::nullopt, timeout,
              [self = shared_from_this(), generation](PeerAnswer a) {
                if (self->stopped) {
                  return;
                }
                std::optional<bool> learned;
                {
                  std::lock_guard lock(self->mu);
                  if (generation != self->probe_generation ||
                      self->capability != Capability::kProbing) {
                    return;  // forgotten meanwhile: a newer question is coming
                  }
                  if (PeerLink::reachedPeer(a)) {
                    // A refused list-commands (restricted listener, ...) means single updates.
                    learned = a.result == 0 && listsBulkApply(a);
                    self->capability = *learned ? Capability::kBulk : Capability::kSingle;
                  } else {
                    self->capability = Capability::kUnknown;
                    self->next_probe = Clock::now() + kProbeBackoff;
                  }
                }
                if (learned) {
                  self->logCapability(*learned);
                }
              });
  }

  void sendSingle(Item item) {
    ++requests;
    link.sendBody(peer, singleUpdateBody(item.update), timeout,
                  [self = shared_from_this(), done = std::move(item.done)](PeerAnswer a) {
                    if (self->stopped) {
                      return;
                    }
                    if (!a.ok) {
                      self->exchangeFailed();
                    }
                    done(a);
                  });
  }

  void sendBatch(std::vector<Item> batch) {
    ++requests;
    std::vector<const LeaseUpdate*> updates;
    updates.reserve(batch.size());
    for (const Item& i : batch) {
      updates.push_back(&i.update);
    }
    std::string body = bulkUpdateBody(updates);
    link.sendBody(peer, std::move(body), timeout,
                  [self = shared_from_this(), batch = std::move(batch)](PeerAnswer a) mutable {
                    self->batchAnswered(std::move(batch), a);
                  });
  }

  void batchAnswered(std::vector<Item> batch, const PeerAnswer& a) {
    if (stopped) {
      return;
    }
    if (a.ok && a.result == 2) {
      // The peer no longer knows the command (replaced by a Kea server, lease commands
      // unloaded): the same updates go again, singly.
      {
        std::lock_guard lock(mu);
        capability = Capability::kSingle;
      }
      logCapability(false);
      for (Item& i : batch) {
        sendSingle(std::move(i));
      }
    } else {
      if (!a.ok) {
        exchangeFailed();
      }
      for (const Item& i : batch) {
        i.done(bulkItemAnswer(a, i.update));
      }
    }
    releaseSlot();
  }

  /// A batch came back: the updates that waited meanwhile go now.
  void releaseSlot() {
    std::vector<Item> next;
    std::vector<Item> singles;
    {
      std::lock_guard lock(mu);
      --in_flight;
      if (!pending.empty()) {
        if (capability == Capability::kBulk) {
          next = takePending();
          ++in_flight;
        } else {
          singles.swap(pending);
        }
      }
    }
    if (!next.empty()) {
      sendBatch(std::move(next));
    }
    for (Item& i : singles) {
      sendSingle(std::move(i));
    }
  }
};

UpdateChannel::UpdateChannel(PeerLink& link, const PeerConfig& peer,
                             std::chrono::milliseconds timeout)
    : impl_(std::make_shared<Impl>(link, peer, timeout)) {}

UpdateChannel::~UpdateChannel() { impl_->stopped = true; }

void UpdateChannel::send(LeaseUpdate update, Done done) {
  Impl& d = *impl_;
  bool ask = false;
  uint64_t generation = 0;
  bool single = false;
  std::vector<Impl::Item> batch;
  {
    std::lock_guard lock(d.mu);
    if (d.capability == Impl::Capability::kUnknown && Clock::now() >= d.next_probe) {
      d.capability = Impl::Capability::kProbing;
      ask = true;
      generation = d.probe_generation;
    }
    if (d.capability != Impl::Capability::kBulk) {
      single = true;
    } else {
      d.pending.push_back(Impl::Item{std::move(update), std::move(done)});
      if (d.in_flight < kMaxBatchesInFlight) {
        batch = d.takePending();
        ++d.in_flight;
      }
    }
  }
  if (ask) {
    d.probe(generation);
  }
  if (single) {
    d.sendSingle(Impl::Item{std::move(update), std::move(done)});
  } else if (!batch.empty()) {
    d.sendBatch(std::move(batch));
  }
}

void UpdateChannel::forgetCapability() {
  std::lock_guard lock(impl_->mu);
  ++impl_->probe_generation;
  impl_->capability = Impl::Capability::kUnknown;
  impl_->next_probe = {};
}

std::optional<bool> UpdateChannel::bulk() const {
  std::lock_guard lock(impl_->mu);
  switch (impl_->capability) {
    case Impl::Capability::kBulk: return true;
    case Impl::Capability::kSingle: return false;
    default: return std::nullopt;
  }
}

uint64_t UpdateChannel::requests() const { return impl_->requests; }

size_t UpdateChannel::waiting() const {
  std::lock_guard lock(impl_->mu);
  return impl_->pending.size();
}

}  // namespace takahe::hooks::ha
