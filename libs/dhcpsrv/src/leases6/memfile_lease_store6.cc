#include "takahe/dhcpsrv/memfile_lease_store6.h"

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>
#include <utility>

#include "../leases/address_index.h"
#include "../leases/csv_text.h"
#include "../leases/file_util.h"
#include "../leases/lease_files_load.h"
#include "../leases/lease_journal.h"
#include "../leases/lfc_runner.h"
#include "lease6_checks.h"
#include "takahe/dhcpsrv/csv_lease_file6.h"
#include "takahe/dhcpsrv/lease_file_cleanup.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv {

namespace {

constexpr auto kCleanupWaitAtStartup = std::chrono::seconds(60);
constexpr size_t kRemoveBatch = 4096;

using ExpiryKey = std::pair<int64_t, IPv6Address>;
// Candidates by a 32-bit hash of the key; callers compare the lease itself.
using HashIndex = std::unordered_multimap<uint32_t, IPv6Address>;

uint32_t duidHash(const Bytes& duid) { return detail::hashBytes32(duid.data(), duid.size()); }
uint32_t hostHash(std::string_view h) { return detail::hashHostname32(h.data(), h.size()); }

void indexInsert(HashIndex& index, uint32_t hash, const IPv6Address& a) { index.emplace(hash, a); }

void indexErase(HashIndex& index, uint32_t hash, const IPv6Address& a) {
  auto [first, last] = index.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    if (it->second == a) {
      index.erase(it);
      return;
    }
  }
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

void validate(const Lease6& lease) { detail::checkStorable6(lease, 0xffff, "hostname longer than 65535 bytes"); }

}  // namespace

struct MemfileLeaseStore6::Impl {
  explicit Impl(MemfileConfig c);

  // --- guarded by `mutex` (shared for reads, exclusive for changes and journal writes) ---
  void indexAdd(const Lease6& l);
  void indexRemove(const Lease6& l);
  void rebuildIndexes();
  /// Journals deletion rows for `addresses` and removes them, in batches.
  size_t removeMany(const std::vector<IPv6Address>& addresses);
  /// Leases under `hash` in `index` that satisfy `match`, in address order.
  template <typename Match>
  std::vector<Lease6> lookup(const HashIndex& index, uint32_t hash, Match&& match) const {
    std::vector<IPv6Address> candidates;
    auto [first, last] = index.equal_range(hash);
    for (auto it = first; it != last; ++it) {
      candidates.push_back(it->second);
    }
    std::sort(candidates.begin(), candidates.end());
    std::vector<Lease6> out;
    for (const auto& a : candidates) {
      auto it = leases.find(a);
      if (it != leases.end() && match(it->second)) {
        out.push_back(it->second);
      }
    }
    return out;
  }
  /// The stored lease of (type, address), or null.
  const Lease6* find(Lease6Type type, const IPv6Address& address) const {
    auto it = leases.find(address);
    return it != leases.end() && it->second.type == type ? &it->second : nullptr;
  }
  void load();

  MemfileConfig config;
  LeaseLoadReport report;
  detail::LockFile lock;
  detail::LeaseJournal journal{lease6CsvHeader()};

  mutable std::shared_mutex mutex;
  std::map<IPv6Address, Lease6> leases;
  HashIndex by_duid;
  HashIndex by_hostname;
  std::map<uint32_t, std::set<IPv6Address>> by_subnet;
  std::set<ExpiryKey> expiry_active;     // leases not yet reclaimed (infinite ones excluded)
  std::set<ExpiryKey> expiry_reclaimed;  // reclaimed leases
  std::unordered_map<uint32_t, SubnetLeaseCounts6> counts;

  detail::LfcRunner lfc;
};

MemfileLeaseStore6::Impl::Impl(MemfileConfig c) : config(std::move(c)) {
  if (!config.persist) {
    return;
  }
  if (config.path.empty()) {
    throw Error("memfile lease database: the lease file name is empty");
  }
  lock = detail::LockFile(config.path + ".lock", config.path);
  load();
}

namespace {

// The counter of SubnetLeaseCounts6 a lease adds to, or null when it counts nowhere.
uint64_t SubnetLeaseCounts6::*countMember(const Lease6& l) {
  bool assigned = l.state == LeaseState::kDefault;
  bool declined = l.state == LeaseState::kDeclined;
  if (l.type == Lease6Type::kNa && (assigned || declined)) {
    return assigned ? &SubnetLeaseCounts6::assigned_nas : &SubnetLeaseCounts6::declined_nas;
  }
  if (l.type == Lease6Type::kPd && (assigned || declined)) {
    return &SubnetLeaseCounts6::assigned_pds;
  }
  return nullptr;
}

}  // namespace

void MemfileLeaseStore6::Impl::indexAdd(const Lease6& l) {
  indexInsert(by_duid, duidHash(l.duid.bytes), l.address);
  if (!l.hostname.empty()) {
    indexInsert(by_hostname, hostHash(l.hostname), l.address);
  }
  by_subnet[l.subnet_id.value].insert(l.address);
  if (l.state == LeaseState::kExpiredReclaimed) {
    expiry_reclaimed.emplace(l.expire(), l.address);
  } else if (!l.infinite()) {
    expiry_active.emplace(l.expire(), l.address);
  }
  if (auto member = countMember(l)) {
    ++(counts[l.subnet_id.value].*member);
  }
}

void MemfileLeaseStore6::Impl::indexRemove(const Lease6& l) {
  indexErase(by_duid, duidHash(l.duid.bytes), l.address);
  if (!l.hostname.empty()) {
    indexErase(by_hostname, hostHash(l.hostname), l.address);
  }
  if (auto it = by_subnet.find(l.subnet_id.value); it != by_subnet.end()) {
    it->second.erase(l.address);
    if (it->second.empty()) {
      by_subnet.erase(it);
    }
  }
  if (l.state == LeaseState::kExpiredReclaimed) {
    expiry_reclaimed.erase({l.expire(), l.address});
  } else if (!l.infinite()) {
    expiry_active.erase({l.expire(), l.address});
  }
  auto member = countMember(l);
  if (auto it = counts.find(l.subnet_id.value); member && it != counts.end()) {
    if (it->second.*member > 0) {
      --(it->second.*member);
    }
    if (it->second == SubnetLeaseCounts6{}) {
      counts.erase(it);
    }
  }
}

void MemfileLeaseStore6::Impl::rebuildIndexes() {
  by_duid.clear();
  by_hostname.clear();
  by_subnet.clear();
  expiry_active.clear();
  expiry_reclaimed.clear();
  counts.clear();
  by_duid.reserve(leases.size());
  for (const auto& [a, l] : leases) {
    indexAdd(l);
  }
}

void MemfileLeaseStore6::Impl::load() {
  detail::loadLeaseFiles(
      config.path, report, kCleanupWaitAtStartup,
      [&](const std::string& file) {
        return readLease6CsvFile(
            file,
            [&](Lease6&& lease, size_t) {
              if (lease.valid_lifetime == 0) {
                leases.erase(lease.address);
              } else {
                IPv6Address a = lease.address;
                leases.insert_or_assign(a, std::move(lease));
              }
            },
            config.max_row_errors);
      },
      [&] { rebuildIndexes(); });
  journal.open(config.path);
}

size_t MemfileLeaseStore6::Impl::removeMany(const std::vector<IPv6Address>& addresses) {
  size_t removed = 0;
  std::string rows;
  for (size_t start = 0; start < addresses.size(); start += kRemoveBatch) {
    size_t end = std::min(addresses.size(), start + kRemoveBatch);
    if (config.persist) {
      rows.clear();
      for (size_t i = start; i < end; ++i) {
        if (auto it = leases.find(addresses[i]); it != leases.end()) {
          rows += formatLease6CsvDeletionRow(it->second);
        }
      }
      journal.append(rows);
    }
    for (size_t i = start; i < end; ++i) {
      if (auto it = leases.find(addresses[i]); it != leases.end()) {
        indexRemove(it->second);
        leases.erase(it);
        ++removed;
      }
    }
  }
  return removed;
}

MemfileLeaseStore6::MemfileLeaseStore6(MemfileConfig config)
    : impl_(std::make_unique<Impl>(std::move(config))) {}

MemfileLeaseStore6::~MemfileLeaseStore6() = default;

bool MemfileLeaseStore6::add(const Lease6& lease) {
  validate(lease);
  std::string row;
  if (impl_->config.persist) {
    appendLease6CsvRow(row, lease);
  }
  std::unique_lock lock(impl_->mutex);
  auto hint = impl_->leases.lower_bound(lease.address);
  if (hint != impl_->leases.end() && hint->first == lease.address) {
    return false;  // leased already, whatever the type
  }
  if (impl_->config.persist) {
    impl_->journal.append(row);
  }
  auto it = impl_->leases.emplace_hint(hint, lease.address, lease);
  impl_->indexAdd(it->second);
  return true;
}

bool MemfileLeaseStore6::update(const Lease6& lease) { return replace(lease, nullptr); }

bool MemfileLeaseStore6::updateIf(const Lease6& lease, const Lease6& expected) {
  if (expected.address != lease.address || expected.type != lease.type) {
    return false;
  }
  return replace(lease, &expected);
}

bool MemfileLeaseStore6::replace(const Lease6& lease, const Lease6* expected) {
  validate(lease);
  std::string row;
  if (impl_->config.persist) {
    appendLease6CsvRow(row, lease);
  }
  std::unique_lock lock(impl_->mutex);
  auto it = impl_->leases.find(lease.address);
  if (it == impl_->leases.end() || it->second.type != lease.type) {
    return false;
  }
  if (expected && !sameHolder(it->second, *expected)) {
    return false;
  }
  if (impl_->config.persist) {
    impl_->journal.append(row);
  }
  impl_->indexRemove(it->second);
  it->second = lease;
  impl_->indexAdd(it->second);
  return true;
}

bool MemfileLeaseStore6::remove(Lease6Type type, const IPv6Address& address) {
  std::unique_lock lock(impl_->mutex);
  auto it = impl_->leases.find(address);
  if (it == impl_->leases.end() || it->second.type != type) {
    return false;
  }
  if (impl_->config.persist) {
    impl_->journal.append(formatLease6CsvDeletionRow(it->second));
  }
  impl_->indexRemove(it->second);
  impl_->leases.erase(it);
  return true;
}

std::optional<Lease6> MemfileLeaseStore6::get(Lease6Type type, const IPv6Address& address) const {
  std::shared_lock lock(impl_->mutex);
  if (const Lease6* l = impl_->find(type, address)) {
    return *l;
  }
  return std::nullopt;
}

std::vector<Lease6> MemfileLeaseStore6::getByDuidIaid(const Duid& duid, uint32_t iaid,
                                                      Lease6Type type) const {
  if (duid.empty()) {
    return {};
  }
  std::shared_lock lock(impl_->mutex);
  return impl_->lookup(impl_->by_duid, duidHash(duid.bytes), [&](const Lease6& l) {
    return l.iaid == iaid && l.type == type && l.duid == duid;
  });
}

std::vector<Lease6> MemfileLeaseStore6::getByDuid(const Duid& duid) const {
  if (duid.empty()) {
    return {};
  }
  std::shared_lock lock(impl_->mutex);
  return impl_->lookup(impl_->by_duid, duidHash(duid.bytes),
                       [&](const Lease6& l) { return l.duid == duid; });
}

std::vector<Lease6> MemfileLeaseStore6::getByHostname(std::string_view hostname) const {
  if (hostname.empty()) {
    return {};
  }
  std::shared_lock lock(impl_->mutex);
  return impl_->lookup(impl_->by_hostname, hostHash(hostname),
                       [&](const Lease6& l) { return equalsIgnoreCase(l.hostname, hostname); });
}

std::vector<Lease6> MemfileLeaseStore6::getBySubnet(SubnetId subnet_id) const {
  std::shared_lock lock(impl_->mutex);
  std::vector<Lease6> out;
  auto it = impl_->by_subnet.find(subnet_id.value);
  if (it == impl_->by_subnet.end()) {
    return out;
  }
  out.reserve(it->second.size());
  for (const auto& a : it->second) {
    out.push_back(impl_->leases.at(a));
  }
  return out;
}

std::vector<Lease6> MemfileLeaseStore6::getAll() const {
  std::shared_lock lock(impl_->mutex);
  std::vector<Lease6> out;
  out.reserve(impl_->leases.size());
  for (const auto& [a, l] : impl_->leases) {
    out.push_back(l);
  }
  return out;
}

std::vector<Lease6> MemfileLeaseStore6::getPage(const IPv6Address& after, size_t limit) const {
  std::vector<Lease6> out;
  if (limit == 0) {
    return out;
  }
  std::shared_lock lock(impl_->mutex);
  for (auto it = impl_->leases.upper_bound(after); it != impl_->leases.end() && out.size() < limit;
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::vector<Lease6> MemfileLeaseStore6::getExpired(int64_t now, size_t max) const {
  std::vector<Lease6> out;
  std::shared_lock lock(impl_->mutex);
  for (const auto& [expire, a] : impl_->expiry_active) {
    if (expire >= now || (max && out.size() >= max)) {
      break;
    }
    out.push_back(impl_->leases.at(a));
  }
  return out;
}

size_t MemfileLeaseStore6::removeReclaimedBefore(int64_t cutoff) {
  std::unique_lock lock(impl_->mutex);
  std::vector<IPv6Address> victims;
  for (const auto& [expire, a] : impl_->expiry_reclaimed) {
    if (expire >= cutoff) {
      break;
    }
    victims.push_back(a);
  }
  return impl_->removeMany(victims);
}

size_t MemfileLeaseStore6::wipe(SubnetId subnet_id) {
  std::unique_lock lock(impl_->mutex);
  auto it = impl_->by_subnet.find(subnet_id.value);
  if (it == impl_->by_subnet.end()) {
    return 0;
  }
  std::vector<IPv6Address> victims(it->second.begin(), it->second.end());
  return impl_->removeMany(victims);
}

size_t MemfileLeaseStore6::size() const {
  std::shared_lock lock(impl_->mutex);
  return impl_->leases.size();
}

std::map<SubnetId, SubnetLeaseCounts6> MemfileLeaseStore6::countBySubnet() const {
  std::shared_lock lock(impl_->mutex);
  std::map<SubnetId, SubnetLeaseCounts6> out;
  for (const auto& [id, c] : impl_->counts) {
    out.emplace(SubnetId(id), c);
  }
  return out;
}

const MemfileConfig& MemfileLeaseStore6::config() const { return impl_->config; }

const LeaseLoadReport& MemfileLeaseStore6::loadReport() const { return impl_->report; }

std::vector<std::string> MemfileLeaseStore6::lfcCommand() const {
  return detail::lfcCommandLine(impl_->config, "-6");
}

LfcStart MemfileLeaseStore6::startLfc() {
  if (!impl_->config.persist) {
    return LfcStart::kNotPersisted;
  }
  return impl_->lfc.start(impl_->config.path, lfcCommand(), [this] {
    std::unique_lock w(impl_->mutex);
    detail::rotateLeaseFile(impl_->config.path, impl_->journal);
  });
}

std::optional<int> MemfileLeaseStore6::pollLfc() { return impl_->lfc.poll(); }

bool MemfileLeaseStore6::lfcRunning() const { return impl_->lfc.running(); }

std::optional<int> MemfileLeaseStore6::waitForLfc(std::chrono::milliseconds timeout) {
  return impl_->lfc.wait(timeout);
}

}  // namespace takahe::dhcpsrv
