#include "lease_sync.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <utility>

#include "peer_messages.h"
#include "takahe/dhcpsrv/lease_stats.h"
#include "takahe/dhcpsrv/server_services4.h"
#include "takahe/http/event_thread.h"
#include "takahe/util/address.h"
#include "takahe/util/error.h"
#include "takahe/util/hex.h"

namespace takahe::hooks::ha {

using dhcpsrv::Lease4;

namespace {

const cc::Value* member(const cc::Value& m, std::string_view name, cc::Value::Type type,
                        std::string_view what) {
  const cc::Value* v = m.find(name);
  if (v == nullptr || v->isNull()) {
    return nullptr;
  }
  if (v->type() != type) {
    throw Error("'" + std::string(name) + "' must be " + std::string(what) + ", not " +
                v->toJson());
  }
  return v;
}

int64_t intMember(const cc::Value& m, std::string_view name, int64_t min, int64_t max,
                  std::optional<int64_t> fallback = std::nullopt) {
  const cc::Value* v = member(m, name, cc::Value::Type::Int, "an integer");
  if (v == nullptr) {
    if (fallback) {
      return *fallback;
    }
    throw Error("'" + std::string(name) + "' is missing");
  }
  int64_t i = v->asInt();
  if (i < min || i > max) {
    throw Error("'" + std::string(name) + "' " + std::to_string(i) + " is out of range");
  }
  return i;
}

/// A lease of a lease4-get-page answer, checked against this server's configuration.
Lease4 leaseFromPage(const cc::Value& j, const dhcpsrv::SrvConfig4& cfg) {
  if (!j.isMap()) {
    throw Error("a lease must be a map");
  }
  Lease4 l;
  const cc::Value* addr = member(j, "ip-address", cc::Value::Type::String, "a string");
  if (addr == nullptr) {
    throw Error("'ip-address' is missing");
  }
  auto a = IPv4Address::parse(addr->asString());
  if (!a || a->isZero()) {
    throw Error("'ip-address' '" + addr->asString() + "' is not a usable IPv4 address");
  }
  l.address = *a;

  auto subnet_id = static_cast<uint32_t>(intMember(j, "subnet-id", 0, UINT32_MAX, 0));
  const dhcpsrv::Subnet4* subnet = nullptr;
  if (subnet_id == 0) {
    for (const auto& s : cfg.subnets) {
      if (s.prefix.contains(l.address)) {
        subnet = &s;
        break;
      }
    }
    if (subnet == nullptr) {
      throw Error("no subnet configured here contains " + l.address.toString());
    }
  } else {
    subnet = cfg.subnetById(SubnetId(subnet_id));
    if (subnet == nullptr) {
      throw Error("subnet-id " + std::to_string(subnet_id) +
                  " is not configured on this server: the two servers' subnet4 lists differ");
    }
    if (!subnet->prefix.contains(l.address)) {
      throw Error(l.address.toString() + " is not in subnet " + subnet->prefix.toString() +
                  " (subnet-id " + std::to_string(subnet_id) + ") here");
    }
  }
  l.subnet_id = subnet->id;
  if (const dhcpsrv::Pool4* pool = subnet->poolFor(l.address)) {
    l.pool_id = pool->pool_id;
  }

  if (const cc::Value* hw = member(j, "hw-address", cc::Value::Type::String, "a string")) {
    if (!hw->asString().empty()) {
      auto bytes = parseHex(hw->asString());
      if (!bytes || bytes->size() > 20) {
        throw Error("'hw-address' '" + hw->asString() + "' is not a hardware address");
      }
      l.hwaddr = HwAddr(1, std::move(*bytes));
    }
  }
  if (const cc::Value* cid = member(j, "client-id", cc::Value::Type::String, "a string")) {
    if (!cid->asString().empty()) {
      auto bytes = parseHex(cid->asString());
      if (!bytes || bytes->size() < 2 || bytes->size() > 255) {
        throw Error("'client-id' '" + cid->asString() + "' is not a client identifier");
      }
      l.client_id = ClientId(std::move(*bytes));
    }
  }
  l.valid_lifetime = static_cast<uint32_t>(intMember(j, "valid-lft", 0, UINT32_MAX));
  if (j.contains("cltt")) {
    l.cltt = intMember(j, "cltt", 0, INT64_MAX / 2);
  } else {
    int64_t expire = intMember(j, "expire", 0, INT64_MAX / 2);
    l.cltt = expire - l.valid_lifetime;
  }
  if (const cc::Value* v = member(j, "fqdn-fwd", cc::Value::Type::Bool, "true or false")) {
    l.fqdn_fwd = v->asBool();
  }
  if (const cc::Value* v = member(j, "fqdn-rev", cc::Value::Type::Bool, "true or false")) {
    l.fqdn_rev = v->asBool();
  }
  if (const cc::Value* v = member(j, "hostname", cc::Value::Type::String, "a string")) {
    l.hostname = v->asString();
  }
  l.state = static_cast<dhcpsrv::LeaseState>(intMember(j, "state", 0, 3, 0));
  if (const cc::Value* ctx = member(j, "user-context", cc::Value::Type::Map, "a map")) {
    l.user_context = ctx->toJson();
  }
  return l;
}

std::string answerProblem(std::string_view command, const PeerAnswer& a) {
  if (!a.ok) {
    return std::string(command) + ": " + a.error;
  }
  return std::string(command) + " answered " + std::to_string(a.result) + ": " + a.text;
}

}  // namespace

uint64_t LeaseSync::storePage(const cc::Value& leases) {
  dhcpsrv::ServerServices4* services = dhcpsrv::serverServices4();
  if (services == nullptr || services->leases == nullptr) {
    throw Error("no DHCPv4 lease store to store the peer's leases in");
  }
  dhcpsrv::SrvConfig4Ptr cfg = services->config ? services->config() : nullptr;
  if (!cfg) {
    throw Error("the DHCPv4 server has no configuration in force yet");
  }
  if (!leases.isList()) {
    throw Error("'leases' must be a list");
  }
  dhcpsrv::LeaseStore4& store = *services->leases;
  uint64_t stored = 0;
  for (const cc::Value& j : leases.asList()) {
    try {
      Lease4 l = leaseFromPage(j, *cfg);
      std::optional<Lease4> existing = store.get(l.address);
      if (existing && existing->expire() >= l.expire()) {
        TAKAHE_LOG_DEBUG(linkLogger(), kDbgLinkData, HA_SYNC_LEASE_KEPT, l.address.toString(),
                         existing->expire(), l.expire());
        continue;
      }
      bool done = existing ? store.update(l) : store.add(l);
      if (!done) {
        // Changed meanwhile (a lease command, expiry processing): take what is there now.
        existing = store.get(l.address);
        if (existing && existing->expire() >= l.expire()) {
          continue;
        }
        done = existing ? store.update(l) : store.add(l);
        if (!done) {
          throw Error("the lease store refused it twice (changed while being written)");
        }
      }
      if (services->stats != nullptr) {
        dhcpsrv::updateLeaseStats4(*services->stats, existing ? &*existing : nullptr, &l);
      }
      ++stored;
    } catch (const std::exception& e) {
      TAKAHE_LOG(linkLogger(), HA_SYNC_LEASE_SKIPPED, e.what(), j.toJson());
    }
  }
  return stored;
}

struct LeaseSync::Impl : std::enable_shared_from_this<LeaseSync::Impl> {
  using Clock = std::chrono::steady_clock;

  struct Run {
    PeerConfig peer;
    uint32_t max_period_s = 0;
    bool disable_peer = false;
    std::function<void(SyncResult)> done;
    Clock::time_point started;
    std::string from = "start";
    bool disabled = false;  // the peer answered our dhcp-disable
    uint64_t fetched = 0, stored = 0;
  };

  Impl(const HaConfig& c, PeerLink& l) : config(c), link(l) {}

  const HaConfig& config;
  PeerLink& link;
  mutable std::mutex mu;
  std::shared_ptr<Run> run;  // the current sync, or null
  std::atomic<bool> store_inline{false};
  std::atomic<bool> stopped{false};

  std::chrono::milliseconds timeout() const {
    return std::chrono::milliseconds(config.sync_timeout_ms);
  }

  bool current(const std::shared_ptr<Run>& r) const {
    std::lock_guard lock(mu);
    return !stopped && run == r;
  }

  /// Makes `r` no longer current; false when it was not (cancelled, replaced).
  bool take(const std::shared_ptr<Run>& r) {
    std::lock_guard lock(mu);
    if (run != r) {
      return false;
    }
    run.reset();
    return true;
  }

  /// Sends `command`; `next` runs on the HA thread with the answer while `r` is current.
  void ask(const std::shared_ptr<Run>& r, std::string_view command,
           std::optional<cc::Value> args, std::function<void(PeerAnswer)> next) {
    link.send(r->peer, command, std::move(args), timeout(),
              [self = shared_from_this(), r, next = std::move(next)](PeerAnswer a) {
                if (self->current(r)) {
                  next(std::move(a));
                }
              });
  }

  void nextPage(const std::shared_ptr<Run>& r) {
    if (!r->disable_peer) {
      fetchPage(r);
      return;
    }
    cc::Value args = cc::Value::makeMap();
    args.set("max-period", int64_t{r->max_period_s});
    args.set("origin", "ha-partner");
    ask(r, "dhcp-disable", std::move(args), [self = shared_from_this(), r](PeerAnswer a) {
      if (!a.ok || a.result != 0) {
        self->fail(r, answerProblem("dhcp-disable", a));
        return;
      }
      r->disabled = true;
      self->fetchPage(r);
    });
  }

  void fetchPage(const std::shared_ptr<Run>& r) {
    cc::Value args = cc::Value::makeMap();
    args.set("from", r->from);
    args.set("limit", int64_t{config.sync_page_limit});
    ask(r, "lease4-get-page", std::move(args), [self = shared_from_this(), r](PeerAnswer a) {
      self->pageArrived(r, std::move(a));
    });
  }

  void pageArrived(const std::shared_ptr<Run>& r, PeerAnswer a) {
    if (a.ok && a.result == 3) {
      complete(r);  // no more leases
      return;
    }
    if (!a.ok || a.result != 0) {
      fail(r, answerProblem("lease4-get-page", a));
      return;
    }
    const cc::Value* leases = a.arguments && a.arguments->isMap() ? a.arguments->find("leases")
                                                                  : nullptr;
    if (leases == nullptr || !leases->isList()) {
      fail(r, "lease4-get-page answer has no 'leases' list");
      return;
    }
    const size_t n = leases->size();
    r->fetched += n;
    TAKAHE_LOG_DEBUG(linkLogger(), kDbgLinkDetail, HA_SYNC_PAGE_RECEIVED, n, r->peer.name);
    if (n == 0) {
      complete(r);
      return;
    }
    const cc::Value& last = leases->asList().back();
    const cc::Value* last_addr = last.isMap() ? last.find("ip-address") : nullptr;
    if (last_addr == nullptr || !last_addr->isString()) {
      fail(r, "lease4-get-page answer: the last lease has no 'ip-address'");
      return;
    }
    std::string from = last_addr->asString();
    const bool more = n >= config.sync_page_limit;
    auto continue_with = [self = shared_from_this(), r, from, more](uint64_t stored,
                                                                     std::string error) {
      if (!self->current(r)) {
        return;
      }
      if (!error.empty()) {
        self->fail(r, "storing the leases failed: " + error);
        return;
      }
      r->stored += stored;
      if (!more) {
        self->complete(r);
        return;
      }
      r->from = from;
      self->nextPage(r);
    };
    if (store_inline) {
      auto [stored, error] = storeGuarded(*leases);
      continue_with(stored, std::move(error));
      return;
    }
    dhcpsrv::ServerServices4* services = dhcpsrv::serverServices4();
    if (services == nullptr || !services->post) {
      fail(r, "no DHCPv4 server to store the leases in");
      return;
    }
    services->post([self = shared_from_this(), page = std::move(*a.arguments),
                    continue_with = std::move(continue_with)]() mutable {
      if (self->stopped) {
        return;  // the LeaseSync (and maybe the link) is gone
      }
      auto [stored, error] = storeGuarded(*page.find("leases"));
      self->link.thread().post(
          [continue_with = std::move(continue_with), stored = stored, error = error]() mutable {
            continue_with(stored, std::move(error));
          });
    });
  }

  static std::pair<uint64_t, std::string> storeGuarded(const cc::Value& leases) {
    try {
      return {LeaseSync::storePage(leases), std::string()};
    } catch (const std::exception& e) {
      return {0, e.what()};
    }
  }

  void complete(const std::shared_ptr<Run>& r) {
    if (!r->disable_peer) {
      succeed(r);
      return;
    }
    ask(r, "ha-sync-complete-notify", std::nullopt, [self = shared_from_this(), r](PeerAnswer a) {
      if (a.ok && a.result == 0) {
        self->succeed(r);
        return;
      }
      if (!(a.ok && a.result == 2)) {
        self->fail(r, answerProblem("ha-sync-complete-notify", a));
        return;
      }
      // A peer that does not know the command: enable its service the old way.
      cc::Value args = cc::Value::makeMap();
      args.set("origin", "ha-partner");
      self->ask(r, "dhcp-enable", std::move(args), [self, r](PeerAnswer e) {
        if (e.ok && e.result == 0) {
          r->disabled = false;
          self->succeed(r);
        } else {
          self->fail(r, answerProblem("dhcp-enable", e));
        }
      });
    });
  }

  void succeed(const std::shared_ptr<Run>& r) {
    if (!take(r)) {
      return;
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - r->started);
    TAKAHE_LOG(linkLogger(), HA_SYNC_COMPLETE, r->peer.name, r->fetched, r->stored, ms.count());
    SyncResult res;
    res.ok = true;
    res.fetched = r->fetched;
    res.stored = r->stored;
    r->done(std::move(res));
  }

  void fail(const std::shared_ptr<Run>& r, const std::string& reason) {
    if (!take(r)) {
      return;
    }
    TAKAHE_LOG(linkLogger(), HA_SYNC_FAILED, r->peer.name, r->peer.url, reason);
    finishFailed(r, reason);
  }

  void finishFailed(const std::shared_ptr<Run>& r, const std::string& reason) {
    if (r->disabled) {
      reenable(r->peer);
    }
    SyncResult res;
    res.error = reason;
    res.fetched = r->fetched;
    res.stored = r->stored;
    r->done(std::move(res));
  }

  /// Best effort: the peer's service comes back at max-period anyway.
  void reenable(const PeerConfig& peer) {
    cc::Value args = cc::Value::makeMap();
    args.set("origin", "ha-partner");
    link.send(peer, "dhcp-enable", std::move(args), timeout(), [](PeerAnswer) {});
  }
};

LeaseSync::LeaseSync(const HaConfig& config, PeerLink& link)
    : impl_(std::make_shared<Impl>(config, link)) {}

LeaseSync::~LeaseSync() {
  std::lock_guard lock(impl_->mu);
  impl_->stopped = true;
  impl_->run.reset();
}

void LeaseSync::setStoreInline(bool store_inline) { impl_->store_inline = store_inline; }

void LeaseSync::start(const PeerConfig& peer, uint32_t max_period_s, bool disable_peer,
                      std::function<void(SyncResult)> done) {
  cancel();
  auto r = std::make_shared<Impl::Run>();
  r->peer = peer;
  r->max_period_s = max_period_s;
  r->disable_peer = disable_peer;
  r->done = std::move(done);
  r->started = Impl::Clock::now();
  {
    std::lock_guard lock(impl_->mu);
    impl_->run = r;
  }
  TAKAHE_LOG(linkLogger(), HA_SYNC_START, peer.name, peer.url, impl_->config.sync_page_limit,
             disable_peer ? ", its DHCP service disabled for at most " +
                                std::to_string(max_period_s) + " s"
                          : std::string());
  impl_->nextPage(r);
}

void LeaseSync::cancel() {
  std::shared_ptr<Impl::Run> r;
  {
    std::lock_guard lock(impl_->mu);
    r = std::move(impl_->run);
    impl_->run.reset();
  }
  if (!r) {
    return;
  }
  TAKAHE_LOG(linkLogger(), HA_SYNC_FAILED, r->peer.name, r->peer.url, "cancelled");
  if (impl_->link.thread().onThread()) {
    impl_->finishFailed(r, "cancelled");
  } else {
    impl_->link.thread().post([impl = impl_, r] { impl->finishFailed(r, "cancelled"); });
  }
}

bool LeaseSync::running() const {
  std::lock_guard lock(impl_->mu);
  return impl_->run != nullptr;
}

}  // namespace takahe::hooks::ha
