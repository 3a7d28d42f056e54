#include "takahe/dhcpsrv/memfile_host_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <mutex>
#include <sstream>

#include "../leases/file_util.h"
#include "reservation_reader.h"
#include "takahe/dhcpsrv/host_json.h"
#include "takahe/util/error.h"
#include "takahe/util/strings.h"

namespace takahe::dhcpsrv {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    char y = b[i] >= 'A' && b[i] <= 'Z' ? static_cast<char>(b[i] - 'A' + 'a') : b[i];
    if (x != y) {
      return false;
    }
  }
  return true;
}

std::string makeKey(uint32_t subnet, HostIdType type, const Bytes& id) {
  std::string k;
  k.reserve(5 + id.size());
  for (int shift = 24; shift >= 0; shift -= 8) {
    k.push_back(static_cast<char>((subnet >> shift) & 0xff));
  }
  k.push_back(static_cast<char>(type));
  k.append(id.begin(), id.end());
  return k;
}

/// The first key of a subnet, and whether `key` belongs to `subnet`.
std::string subnetKey(uint32_t subnet) { return makeKey(subnet, HostIdType{}, Bytes{}).substr(0, 4); }
bool inSubnet(const std::string& key, const std::string& prefix) { return key.compare(0, 4, prefix) == 0; }

std::string describe(const Host4& h) {
  return std::string(hostIdTypeName(h.id_type)) + " " + toHex(h.identifier) + " in subnet " +
         std::to_string(h.subnet_id.value);
}

void writeFileAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error("cannot write host reservation file " + path + ": cannot create " + tmp + ": " +
                detail::errnoText(errno));
  }
  auto fail = [&](const std::string& what) {
    int err = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error("cannot write host reservation file " + path + ": " + what + ": " +
                detail::errnoText(err));
  };
  std::string_view rest = content;
  while (!rest.empty()) {
    ssize_t n = ::write(fd, rest.data(), rest.size());
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      fail("write to " + tmp);
    }
    rest.remove_prefix(static_cast<size_t>(n));
  }
  if (::fsync(fd) != 0) {
    fail("fsync of " + tmp);
  }
  if (::close(fd) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error("cannot write host reservation file " + path + ": close of " + tmp + ": " +
                detail::errnoText(err));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Error("cannot write host reservation file " + path + ": rename from " + tmp + ": " +
                detail::errnoText(err));
  }
  detail::syncDirectoryOf(path);
}

}  // namespace

MemfileHostStore4::MemfileHostStore4(std::string path) : path_(std::move(path)) {
  if (!path_.empty()) {
    load();
  }
  count_.store(hosts_.size(), std::memory_order_relaxed);
}

void MemfileHostStore4::load() {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    if (!detail::fileExists(path_)) {
      return;  // first start: no reservations yet
    }
    throw Error("cannot read host reservation file " + path_ + ": " + detail::errnoText(errno));
  }
  std::stringstream buf;
  buf << in.rdbuf();
  std::string text = buf.str();
  if (trim(text).empty()) {
    return;  // an empty file (e.g. created by an operator with touch) holds no reservations
  }
  try {
    cc::Value root = cc::parseJson(text, path_);
    if (!root.isMap()) {
      throw Error("expected a map {\"reservations\": [...]}, found " + std::string(root.typeName()));
    }
    const cc::Value* list = root.find("reservations");
    if (!list || !list->isList()) {
      throw Error("expected a list under \"reservations\"");
    }
    detail::ReservationReader reader(detail::hostFileDefinitions());
    for (size_t i = 0; i < list->asList().size(); ++i) {
      const cc::Value& entry = list->asList()[i];
      std::string where = "reservations[" + std::to_string(i) + "]";
      if (!entry.isMap()) {
        throw Error(where + ": a reservation must be a map");
      }
      const cc::Value* sid = entry.find("subnet-id");
      if (!sid || !sid->isInt() || sid->asInt() < 0 || sid->asInt() > 0xfffffffeLL) {
        throw Error(where + ": 'subnet-id' is missing or not an integer in 0..4294967294");
      }
      Host4 h = reader.read(entry, SubnetId(static_cast<uint32_t>(sid->asInt())), where, nullptr);
      Key key = makeKey(h.subnet_id.value, h.id_type, h.identifier);
      if (hosts_.count(key)) {
        throw Error(where + ": duplicate reservation for " + describe(h));
      }
      if (h.address && by_address_.count({h.subnet_id.value, *h.address})) {
        throw Error(where + ": address " + h.address->toString() + " is reserved twice in subnet " +
                    std::to_string(h.subnet_id.value));
      }
      if (h.address) {
        by_address_.emplace(AddressKey{h.subnet_id.value, *h.address}, key);
      }
      hosts_.emplace(std::move(key), std::move(h));
    }
  } catch (const std::exception& e) {
    hosts_.clear();
    by_address_.clear();
    throw Error("host reservation file " + path_ + " is not valid: " + e.what());
  }
}

void MemfileHostStore4::persist() const {
  if (path_.empty()) {
    return;
  }
  cc::Value list = cc::Value::makeList();
  for (const auto& [key, host] : hosts_) {
    list.push(hostToJson(host, detail::hostFileDefinitions(), HostJsonForm::kConfig));
  }
  cc::Value root = cc::Value::makeMap();
  root.set("reservations", std::move(list));
  writeFileAtomically(path_, root.toJson(true) + "\n");
}

void MemfileHostStore4::add(const Host4& host) {
  if (host.identifier.empty()) {
    throw Error("a reservation needs a non-empty " + std::string(hostIdTypeName(host.id_type)));
  }
  std::unique_lock lock(mutex_);
  Key key = makeKey(host.subnet_id.value, host.id_type, host.identifier);
  if (hosts_.count(key)) {
    throw Error("a reservation for " + describe(host) + " already exists");
  }
  if (host.address) {
    auto it = by_address_.find({host.subnet_id.value, *host.address});
    if (it != by_address_.end()) {
      const Host4& other = hosts_.at(it->second);
      throw Error("address " + host.address->toString() + " is already reserved in subnet " +
                  std::to_string(host.subnet_id.value) + " for " +
                  std::string(hostIdTypeName(other.id_type)) + " " + toHex(other.identifier));
    }
  }
  auto [pos, inserted] = hosts_.emplace(key, host);
  try {
    persist();
  } catch (...) {
    hosts_.erase(pos);
    throw;
  }
  if (host.address) {
    by_address_.emplace(AddressKey{host.subnet_id.value, *host.address}, std::move(key));
  }
  count_.store(hosts_.size(), std::memory_order_relaxed);
}

bool MemfileHostStore4::eraseLocked(const Key& key) {
  auto node = hosts_.extract(key);
  if (node.empty()) {
    return false;
  }
  try {
    persist();
  } catch (...) {
    hosts_.insert(std::move(node));
    throw;
  }
  if (node.mapped().address) {
    by_address_.erase({node.mapped().subnet_id.value, *node.mapped().address});
  }
  count_.store(hosts_.size(), std::memory_order_relaxed);
  return true;
}

bool MemfileHostStore4::remove(SubnetId subnet, HostIdType type, const Bytes& identifier) {
  std::unique_lock lock(mutex_);
  return eraseLocked(makeKey(subnet.value, type, identifier));
}

bool MemfileHostStore4::removeByAddress(SubnetId subnet, IPv4Address address) {
  std::unique_lock lock(mutex_);
  auto it = by_address_.find({subnet.value, address});
  if (it == by_address_.end()) {
    return false;
  }
  Key key = it->second;  // eraseLocked invalidates `it`
  return eraseLocked(key);
}

std::optional<Host4> MemfileHostStore4::get(SubnetId subnet, HostIdType type, const Bytes& identifier) const {
  std::shared_lock lock(mutex_);
  auto it = hosts_.find(makeKey(subnet.value, type, identifier));
  if (it == hosts_.end()) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<Host4> MemfileHostStore4::getByAddress(SubnetId subnet, IPv4Address address) const {
  std::shared_lock lock(mutex_);
  auto it = by_address_.find({subnet.value, address});
  if (it == by_address_.end()) {
    return std::nullopt;
  }
  return hosts_.at(it->second);
}

std::vector<Host4> MemfileHostStore4::getById(HostIdType type, const Bytes& identifier) const {
  std::shared_lock lock(mutex_);
  std::vector<Host4> out;
  for (const auto& [key, host] : hosts_) {
    if (host.id_type == type && host.identifier == identifier) {
      out.push_back(host);
    }
  }
  return out;
}

std::vector<Host4> MemfileHostStore4::getByHostname(std::string_view hostname,
                                                    std::optional<SubnetId> subnet) const {
  std::shared_lock lock(mutex_);
  std::vector<Host4> out;
  for (const auto& [key, host] : hosts_) {
    if ((!subnet || host.subnet_id == *subnet) && equalsIgnoreCase(host.hostname, hostname)) {
      out.push_back(host);
    }
  }
  return out;
}

std::vector<Host4> MemfileHostStore4::getAll(SubnetId subnet) const {
  std::shared_lock lock(mutex_);
  std::vector<Host4> out;
  std::string prefix = subnetKey(subnet.value);
  for (auto it = hosts_.lower_bound(prefix); it != hosts_.end() && inSubnet(it->first, prefix); ++it) {
    out.push_back(it->second);
  }
  return out;
}

std::vector<Host4> MemfileHostStore4::getPage(SubnetId subnet, size_t from, size_t limit,
                                              size_t& next) const {
  std::shared_lock lock(mutex_);
  std::vector<Host4> out;
  std::string prefix = subnetKey(subnet.value);
  auto it = hosts_.lower_bound(prefix);
  size_t skipped = 0;
  while (skipped < from && it != hosts_.end() && inSubnet(it->first, prefix)) {
    ++it;
    ++skipped;
  }
  for (; out.size() < limit && it != hosts_.end() && inSubnet(it->first, prefix); ++it) {
    out.push_back(it->second);
  }
  next = skipped + out.size();
  return out;
}

std::vector<Host4> MemfileHostStore4::getAll() const {
  std::shared_lock lock(mutex_);
  std::vector<Host4> out;
  out.reserve(hosts_.size());
  for (const auto& [key, host] : hosts_) {
    out.push_back(host);
  }
  return out;
}

size_t MemfileHostStore4::size() const { return count_.load(std::memory_order_relaxed); }

}  // namespace takahe::dhcpsrv
