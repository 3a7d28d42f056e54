// RELEASE, DECLINE and INFORM (RFC 2131 4.3.3-4.3.5).

#include "dhcp4_messages.h"
#include "processor.h"
#include "takahe/util/time.h"

namespace takahe::dhcp4 {

using dhcp::MessageType;
using dhcp::Pkt4;
using dhcpsrv::Lease4;
using dhcpsrv::LeaseState;
using dhcpsrv::SrvConfig4;

namespace {

/// Whether `lease` is an active lease of the client that sent `q`.
bool heldBySender(const Lease4& lease, const Pkt4& q, const SrvConfig4& cfg) {
  dhcpsrv::ClientContext4 ctx;
  ctx.cfg = &cfg;
  ctx.subnet = cfg.subnetById(lease.subnet_id);
  ctx.hwaddr = q.hwAddr();
  ctx.client_id = q.clientId();
  return lease.state == LeaseState::kDefault && dhcpsrv::AllocEngine4::ownedBy(lease, ctx);
}

}  // namespace

void Processor::onRelease(const Pkt4& q, const SrvConfig4& cfg) {
  IPv4Address addr = q.ciaddr;
  auto lease = store_.get(addr);
  if (!lease) {
    TAKAHE_LOG_DEBUG(lease_log_, 40, DHCP4_RELEASE_FAIL, q.label(), addr.toString(), "no such lease");
    return;
  }
  if (!heldBySender(*lease, q, cfg)) {
    TAKAHE_LOG_DEBUG(lease_log_, 40, DHCP4_RELEASE_FAIL, q.label(), addr.toString(), "the lease belongs to another client");
    return;
  }
  auto lp = std::make_shared<Lease4>(*lease);
  if (auto step = callHook(hooks_ ? hooks_->lease4_release : -1, [&](hooks::CalloutHandle& h) { h.setArgument("lease4", lp); });
      step != hooks::NextStep::kContinue) {
    TAKAHE_LOG_DEBUG(lease_log_, 40, DHCP4_RELEASE_FAIL, q.label(), addr.toString(),
                     std::string("a hook library at lease4_release answered ") + hooks::nextStepName(step));
    return;
  }
  if (!store_.remove(addr)) return;
  if (PacketHooks* ph = packetHooks()) {
    ph->commits = true;
    ph->deleted.push_back(lp);
  }
  if (auto* c = counters(lease->subnet_id)) c->assigned.add(-1);
  TAKAHE_LOG(lease_log_, DHCP4_RELEASE, q.label(), addr.toString());
}

void Processor::onDecline(const Pkt4& q, const SrvConfig4& cfg) {
  auto addr = q.requestedAddress();
  if (!addr) {
    TAKAHE_LOG_DEBUG(lease_log_, 40, DHCP4_DECLINE_FAIL, q.label(), "-", "no requested address option");
    return;
  }
  auto lease = store_.get(*addr);
  if (!lease) {
    TAKAHE_LOG_DEBUG(lease_log_, 40, DHCP4_DECLINE_FAIL, q.label(), addr->toString(), "no such lease");
    return;
  }
  if (!heldBySender(*lease, q, cfg)) {
    TAKAHE_LOG_DEBUG(lease_log_, 40, DHCP4_DECLINE_FAIL, q.label(), addr->toString(), "the lease belongs to another client");
    return;
  }
  if (auto step = callHook(hooks_ ? hooks_->lease4_decline : -1,
                           [&](hooks::CalloutHandle& h) { h.setArgument("lease4", std::make_shared<Lease4>(*lease)); });
      step != hooks::NextStep::kContinue) {
    TAKAHE_LOG_DEBUG(lease_log_, 40, DHCP4_DECLINE_FAIL, q.label(), addr->toString(),
                     std::string("a hook library at lease4_decline answered ") + hooks::nextStepName(step));
    return;
  }
  // The address is in use by someone unknown: hold it for the probation period, owned by no one.
  lease->hwaddr = {};
  lease->client_id = {};
  lease->hostname.clear();
  lease->fqdn_fwd = lease->fqdn_rev = false;
  lease->state = LeaseState::kDeclined;
  lease->cltt = nowUnixSeconds();
  lease->valid_lifetime = cfg.decline_probation_period;
  if (!store_.update(*lease)) return;
  if (PacketHooks* ph = packetHooks()) {
    ph->commits = true;
    ph->committed.push_back(std::make_shared<Lease4>(*lease));
  }
  if (auto* c = counters(lease->subnet_id)) c->declined.inc();
  g_declined_.inc();
  TAKAHE_LOG(lease_log_, DHCP4_DECLINE_LEASE, q.label(), addr->toString(), cfg.decline_probation_period);
}

std::optional<Pkt4> Processor::onInform(const Pkt4& q, const SrvConfig4& cfg, const LinkInfo& link) {
  const dhcpsrv::Subnet4* subnet = selectSubnetOrCount(q, cfg, link);
  if (!subnet) return std::nullopt;
  TAKAHE_LOG_DEBUG(pkt_log_, 40, DHCP4_INFORM, q.label());
  Pkt4 reply = makeReply(q, MessageType::kAck, link, cfg);
  reply.ciaddr = q.ciaddr;
  // No lease, no lease times (RFC 2131 4.3.5): configuration options only.
  auto ctx = makeContext(q, cfg, subnet);
  addConfiguredOptions(reply, q, subnet, subnet->poolFor(q.ciaddr), ctx.host, cfg);
  return reply;
}

}  // namespace takahe::dhcp4
