#include "takahe/dhcpsrv/memfile_lease_store.h"

#include <algorithm>
#include <chrono>

#include "lease_files_load.h"
#include "memfile_impl.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv {

using detail::PackedLease;

namespace {

constexpr auto kLfcWaitAtStartup = std::chrono::seconds(60);
constexpr size_t kRemoveBatch = 4096;

uint32_t hwHash(const PackedLease& p) {
  return detail::hashBytes32(p.hwaddr().data(), p.hwaddr().size());
}
uint32_t cidHash(const PackedLease& p) {
  return detail::hashBytes32(p.clientId().data(), p.clientId().size());
}
uint32_t hostHash(const PackedLease& p) {
  return detail::hashHostname32(p.hostname().data(), p.hostname().size());
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y - 'A' + 'a');
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

bool sameBytes(std::span<const uint8_t> a, const Bytes& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// Leases the store refuses: they could not be told apart from deletions in the lease file.
void validate(const Lease4& lease) {
  if (lease.address.isZero()) {
    throw Error("lease address 0.0.0.0 is not valid");
  }
  if (lease.valid_lifetime == 0) {
    throw Error("lease " + lease.address.toString() +
                ": valid lifetime 0 is not allowed (it marks a deleted lease in lease files)");
  }
  if (static_cast<uint32_t>(lease.state) > kMaxLeaseState) {
    throw Error("lease " + lease.address.toString() + ": unknown state " +
                std::to_string(static_cast<uint32_t>(lease.state)));
  }
}

void appendDeletionRow(std::string& out, uint32_t address, const PackedLease& p) {
  auto row = p.rowView(address);
  row.valid_lifetime = 0;  // expire = cltt, as Kea writes it
  detail::appendLease4Row(out, row);
}

}  // namespace

MemfileLeaseStore4::Impl::Impl(MemfileConfig c) : config(std::move(c)) {
  if (!config.persist) {
    return;
  }
  if (config.path.empty()) {
    throw Error("memfile lease database: the lease file name is empty");
  }
  lock = detail::LockFile(config.path + ".lock", config.path);
  load();
}

void MemfileLeaseStore4::Impl::indexAdd(uint32_t address, const PackedLease& p) {
  if (p.hwaddr_len) {
    by_hwaddr.insert(hwHash(p), address);
  }
  if (p.client_id_len) {
    by_client_id.insert(cidHash(p), address);
  }
  if (p.hostname_len) {
    by_hostname.insert(hostHash(p), address);
  }
  by_subnet.insert(detail::hashU32(p.subnet_id), address);
  if (p.leaseState() == LeaseState::kExpiredReclaimed) {
    expiry_reclaimed.insert(expiryKey(p.expire(), address));
  } else if (!p.infinite()) {
    expiry_active.insert(expiryKey(p.expire(), address));
  }
  if (p.leaseState() == LeaseState::kDefault) {
    ++counts[p.subnet_id].assigned;
  } else if (p.leaseState() == LeaseState::kDeclined) {
    ++counts[p.subnet_id].declined;
  }
}

void MemfileLeaseStore4::Impl::indexRemove(uint32_t address, const PackedLease& p) {
  if (p.hwaddr_len) {
    by_hwaddr.erase(hwHash(p), address);
  }
  if (p.client_id_len) {
    by_client_id.erase(cidHash(p), address);
  }
  if (p.hostname_len) {
    by_hostname.erase(hostHash(p), address);
  }
  by_subnet.erase(detail::hashU32(p.subnet_id), address);
  if (p.leaseState() == LeaseState::kExpiredReclaimed) {
    expiry_reclaimed.erase(expiryKey(p.expire(), address));
  } else if (!p.infinite()) {
    expiry_active.erase(expiryKey(p.expire(), address));
  }
  if (p.leaseState() == LeaseState::kDefault || p.leaseState() == LeaseState::kDeclined) {
    auto it = counts.find(p.subnet_id);
    if (it != counts.end()) {
      auto& c = p.leaseState() == LeaseState::kDefault ? it->second.assigned : it->second.declined;
      if (c > 0) {
        --c;
      }
      if (it->second.assigned == 0 && it->second.declined == 0) {
        counts.erase(it);
      }
    }
  }
}

void MemfileLeaseStore4::Impl::rebuildIndexes() {
  by_hwaddr = {};
  by_client_id = {};
  by_hostname = {};
  by_subnet = {};
  expiry_active.clear();
  expiry_reclaimed.clear();
  counts.clear();
  size_t hw = 0, cid = 0, host = 0;
  for (const auto& [a, p] : leases) {
    hw += p.hwaddr_len ? 1 : 0;
    cid += p.client_id_len ? 1 : 0;
    host += p.hostname_len ? 1 : 0;
  }
  by_hwaddr.reserve(hw);
  by_client_id.reserve(cid);
  by_hostname.reserve(host);
  for (const auto& [a, p] : leases) {
    indexAdd(a, p);
  }
}

void MemfileLeaseStore4::Impl::load() {
  detail::loadLeaseFiles(
      config.path, report, kLfcWaitAtStartup,
      [&](const std::string& file) {
        return readLease4CsvFile(
            file,
            [&](Lease4&& lease, size_t) {
              uint32_t a = lease.address.toUint();
              if (lease.valid_lifetime == 0) {
                leases.erase(a);
              } else {
                leases.insert_or_assign(a, PackedLease::pack(lease));
              }
            },
            config.max_row_errors);
      },
      [&] { rebuildIndexes(); });
  journal.open(config.path);
}

size_t MemfileLeaseStore4::Impl::removeMany(const std::vector<uint32_t>& addresses) {
  size_t removed = 0;
  std::string rows;
  for (size_t start = 0; start < addresses.size(); start += kRemoveBatch) {
    size_t end = std::min(addresses.size(), start + kRemoveBatch);
    if (config.persist) {
      rows.clear();
      for (size_t i = start; i < end; ++i) {
        auto it = leases.find(addresses[i]);
        if (it != leases.end()) {
          appendDeletionRow(rows, it->first, it->second);
        }
      }
      journal.append(rows);
    }
    for (size_t i = start; i < end; ++i) {
      auto it = leases.find(addresses[i]);
      if (it != leases.end()) {
        indexRemove(it->first, it->second);
        leases.erase(it);
        ++removed;
      }
    }
  }
  return removed;
}

MemfileLeaseStore4::MemfileLeaseStore4(MemfileConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}

bool MemfileLeaseStore4::add(const Lease4& lease) {
  validate(lease);
  PackedLease packed = PackedLease::pack(lease);
  std::string row;
  if (impl_->config.persist) {
    appendLease4CsvRow(row, lease);
  }
  uint32_t a = lease.address.toUint();
  std::unique_lock lock(impl_->mutex);
  auto hint = impl_->leases.lower_bound(a);
  if (hint != impl_->leases.end() && hint->first == a) {
    return false;
  }
  if (impl_->config.persist) {
    impl_->journal.append(row);
  }
  auto it = impl_->leases.emplace_hint(hint, a, std::move(packed));
  impl_->indexAdd(a, it->second);
  return true;
}

bool MemfileLeaseStore4::update(const Lease4& lease) { return replace(lease, nullptr); }

bool MemfileLeaseStore4::updateIf(const Lease4& lease, const Lease4& expected) {
  if (expected.address != lease.address) return false;
  return replace(lease, &expected);
}

bool MemfileLeaseStore4::replace(const Lease4& lease, const Lease4* expected) {
  validate(lease);
  PackedLease packed = PackedLease::pack(lease);
  std::string row;
  if (impl_->config.persist) {
    appendLease4CsvRow(row, lease);
  }
  uint32_t a = lease.address.toUint();
  std::unique_lock lock(impl_->mutex);
  auto it = impl_->leases.find(a);
  if (it == impl_->leases.end()) {
    return false;
  }
  if (expected && !sameHolder(it->second.unpack(a), *expected)) {
    return false;
  }
  if (impl_->config.persist) {
    impl_->journal.append(row);
  }
  impl_->indexRemove(a, it->second);
  it->second = std::move(packed);
  impl_->indexAdd(a, it->second);
  return true;
}

bool MemfileLeaseStore4::remove(IPv4Address address) {
  uint32_t a = address.toUint();
  std::unique_lock lock(impl_->mutex);
  auto it = impl_->leases.find(a);
  if (it == impl_->leases.end()) {
    return false;
  }
  if (impl_->config.persist) {
    std::string row;
    appendDeletionRow(row, a, it->second);
    impl_->journal.append(row);
  }
  impl_->indexRemove(a, it->second);
  impl_->leases.erase(it);
  return true;
}

std::optional<Lease4> MemfileLeaseStore4::get(IPv4Address address) const {
  std::shared_lock lock(impl_->mutex);
  auto it = impl_->leases.find(address.toUint());
  if (it == impl_->leases.end()) {
    return std::nullopt;
  }
  return it->second.unpack(it->first);
}

std::vector<Lease4> MemfileLeaseStore4::getByHwAddr(const HwAddr& hwaddr) const {
  if (hwaddr.bytes.empty()) {
    return {};
  }
  uint32_t h = detail::hashBytes32(hwaddr.bytes.data(), hwaddr.bytes.size());
  std::shared_lock lock(impl_->mutex);
  return impl_->lookup(impl_->by_hwaddr, h,
                       [&](const PackedLease& p) { return sameBytes(p.hwaddr(), hwaddr.bytes); });
}

std::vector<Lease4> MemfileLeaseStore4::getByClientId(const ClientId& client_id) const {
  if (client_id.bytes.empty()) {
    return {};
  }
  uint32_t h = detail::hashBytes32(client_id.bytes.data(), client_id.bytes.size());
  std::shared_lock lock(impl_->mutex);
  return impl_->lookup(impl_->by_client_id, h, [&](const PackedLease& p) {
    return sameBytes(p.clientId(), client_id.bytes);
  });
}

std::vector<Lease4> MemfileLeaseStore4::getByHostname(std::string_view hostname) const {
  if (hostname.empty()) {
    return {};
  }
  uint32_t h = detail::hashHostname32(hostname.data(), hostname.size());
  std::shared_lock lock(impl_->mutex);
  return impl_->lookup(impl_->by_hostname, h, [&](const PackedLease& p) {
    return equalsIgnoreCase(p.hostname(), hostname);
  });
}

std::vector<Lease4> MemfileLeaseStore4::getBySubnet(SubnetId subnet_id) const {
  std::shared_lock lock(impl_->mutex);
  return impl_->lookup(impl_->by_subnet, detail::hashU32(subnet_id.value),
                       [&](const PackedLease& p) { return p.subnet_id == subnet_id.value; });
}

std::vector<Lease4> MemfileLeaseStore4::getAll() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<Lease4> out;
  out.reserve(impl_->leases.size());
  for (const auto& [a, p] : impl_->leases) {
    out.push_back(p.unpack(a));
  }
  return out;
}

std::vector<Lease4> MemfileLeaseStore4::getPage(IPv4Address after, size_t limit) const {
  std::vector<Lease4> out;
  if (limit == 0) {
    return out;
  }
  std::shared_lock lock(impl_->mutex);
  for (auto it = impl_->leases.upper_bound(after.toUint());
       it != impl_->leases.end() && out.size() < limit; ++it) {
    out.push_back(it->second.unpack(it->first));
  }
  return out;
}

std::vector<Lease4> MemfileLeaseStore4::getExpired(int64_t now, size_t max) const {
  std::vector<Lease4> out;
  std::shared_lock lock(impl_->mutex);
  for (uint64_t key : impl_->expiry_active) {
    if (static_cast<int64_t>(key >> 32) >= now || (max && out.size() >= max)) {
      break;
    }
    uint32_t a = static_cast<uint32_t>(key);
    auto it = impl_->leases.find(a);
    if (it != impl_->leases.end() && it->second.expire() < now) {
      out.push_back(it->second.unpack(a));
    }
  }
  return out;
}

size_t MemfileLeaseStore4::removeReclaimedBefore(int64_t cutoff) {
  std::unique_lock lock(impl_->mutex);
  std::vector<uint32_t> victims;
  for (uint64_t key : impl_->expiry_reclaimed) {
    if (static_cast<int64_t>(key >> 32) >= cutoff) {
      break;
    }
    uint32_t a = static_cast<uint32_t>(key);
    auto it = impl_->leases.find(a);
    if (it != impl_->leases.end() && it->second.expire() < cutoff) {
      victims.push_back(a);
    }
  }
  return impl_->removeMany(victims);
}

size_t MemfileLeaseStore4::wipe(SubnetId subnet_id) {
  std::unique_lock lock(impl_->mutex);
  std::vector<uint32_t> victims;
  impl_->by_subnet.forEach(detail::hashU32(subnet_id.value), [&](uint32_t a) {
    auto it = impl_->leases.find(a);
    if (it != impl_->leases.end() && it->second.subnet_id == subnet_id.value) {
      victims.push_back(a);
    }
  });
  std::sort(victims.begin(), victims.end());
  return impl_->removeMany(victims);
}

size_t MemfileLeaseStore4::size() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->leases.size();
}

std::map<SubnetId, SubnetLeaseCounts> MemfileLeaseStore4::countBySubnet() const {
  std::shared_lock lock(impl_->mutex);
  std::map<SubnetId, SubnetLeaseCounts> out;
  for (const auto& [id, c] : impl_->counts) {
    out.emplace(SubnetId(id), c);
  }
  return out;
}

const MemfileConfig& MemfileLeaseStore4::config() const { return impl_->config; }

const LeaseLoadReport& MemfileLeaseStore4::loadReport() const { return impl_->report; }

}  // namespace takahe::dhcpsrv
