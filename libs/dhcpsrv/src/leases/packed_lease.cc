#include "packed_lease.h"

#include <cstring>

#include "takahe/util/error.h"

namespace takahe::dhcpsrv::detail {

PackedLease PackedLease::pack(const Lease4& lease) {
  if (lease.hwaddr.bytes.size() > 255) {
    throw Error("lease " + lease.address.toString() + ": hardware address longer than 255 bytes");
  }
  if (lease.client_id.bytes.size() > 255) {
    throw Error("lease " + lease.address.toString() + ": client-id longer than 255 bytes");
  }
  if (lease.hostname.size() > 0xffff) {
    throw Error("lease " + lease.address.toString() + ": hostname longer than 65535 bytes");
  }
  if (lease.user_context.size() > 0xffffffffu) {
    throw Error("lease " + lease.address.toString() + ": user context too long");
  }
  PackedLease p;
  p.cltt = lease.cltt;
  p.valid_lifetime = lease.valid_lifetime;
  p.subnet_id = lease.subnet_id.value;
  p.pool_id = lease.pool_id;
  p.hwaddr_len = static_cast<uint8_t>(lease.hwaddr.bytes.size());
  p.client_id_len = static_cast<uint8_t>(lease.client_id.bytes.size());
  p.hostname_len = static_cast<uint16_t>(lease.hostname.size());
  p.context_len = static_cast<uint32_t>(lease.user_context.size());
  p.htype = lease.hwaddr.htype;
  p.state = static_cast<uint8_t>(lease.state);
  p.flags = static_cast<uint8_t>((lease.fqdn_fwd ? kFqdnFwd : 0) | (lease.fqdn_rev ? kFqdnRev : 0));
  size_t total = p.blobSize();
  if (total > 0) {
    p.blob = std::make_unique_for_overwrite<uint8_t[]>(total);
    uint8_t* out = p.blob.get();
    auto put = [&out](const void* data, size_t len) {
      if (len) {
        std::memcpy(out, data, len);
        out += len;
      }
    };
    put(lease.hwaddr.bytes.data(), p.hwaddr_len);
    put(lease.client_id.bytes.data(), p.client_id_len);
    put(lease.hostname.data(), p.hostname_len);
    put(lease.user_context.data(), p.context_len);
  }
  return p;
}

Lease4 PackedLease::unpack(uint32_t address) const {
  Lease4 l;
  l.address = IPv4Address(address);
  auto hw = hwaddr();
  l.hwaddr = HwAddr(htype, Bytes(hw.begin(), hw.end()));
  auto cid = clientId();
  l.client_id = ClientId(Bytes(cid.begin(), cid.end()));
  l.valid_lifetime = valid_lifetime;
  l.cltt = cltt;
  l.subnet_id = SubnetId(subnet_id);
  l.fqdn_fwd = flags & kFqdnFwd;
  l.fqdn_rev = flags & kFqdnRev;
  l.hostname = std::string(hostname());
  l.state = leaseState();
  l.user_context = std::string(userContext());
  l.pool_id = pool_id;
  return l;
}

Lease4RowView PackedLease::rowView(uint32_t address) const {
  Lease4RowView r;
  r.address = address;
  r.hwaddr = hwaddr();
  r.client_id = clientId();
  r.valid_lifetime = valid_lifetime;
  r.cltt = cltt;
  r.subnet_id = subnet_id;
  r.fqdn_fwd = flags & kFqdnFwd;
  r.fqdn_rev = flags & kFqdnRev;
  r.hostname = hostname();
  r.state = state;
  r.user_context = userContext();
  r.pool_id = pool_id;
  return r;
}

}  // namespace takahe::dhcpsrv::detail
