#include "takahe/dhcpsrv/sql_host_store.h"

#include <soci/soci.h>

#include <atomic>
#include <chrono>
#include <limits>
#include <mutex>

#include "store_session.h"
#include "host4_sql.h"
#include "lease4_sql.h"
#include "takahe/db/schema.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv {

using sql::HostRow;

namespace {

// LIMIT / OFFSET standing for "no limit" (accepted by every backend).
constexpr long long kNoLimit = std::numeric_limits<long long>::max() / 2;

long long clampToSql(size_t n) {
  return n > static_cast<size_t>(kNoLimit) ? kNoLimit : static_cast<long long>(n);
}

// How often size() may count the table (other servers' writes show within this time).
constexpr std::chrono::milliseconds kCountInterval{1000};

int64_t steadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The same words as MemfileHostStore4's messages.
std::string describeId(HostIdType type, const Bytes& identifier) {
  return std::string(hostIdTypeName(type)) + " " + toHex(identifier);
}

std::string describe(const Host4& h) {
  return describeId(h.id_type, h.identifier) + " in subnet " + std::to_string(h.subnet_id.value);
}

bool equalsIgnoreAsciiCase(std::string_view a, std::string_view b) {
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

void checkLength(const Host4& h, const char* what, size_t size, size_t max) {
  if (size > max) {
    throw Error("the reservation for " + describe(h) + " has a " + what + " of " +
                std::to_string(size) + " bytes: the host database holds at most " +
                std::to_string(max));
  }
}

// Refused as memfile refuses them, plus what the columns cannot hold (checked here so that
// every backend refuses the same way: SQLite would store it, the servers would refuse).
void validate(const Host4& h) {
  if (h.identifier.empty()) {
    throw Error("a reservation needs a non-empty " + std::string(hostIdTypeName(h.id_type)));
  }
  if (static_cast<int>(h.id_type) > static_cast<int>(HostIdType::kFlexId)) {
    throw Error("unknown reservation identifier type " + std::to_string(static_cast<int>(h.id_type)));
  }
  checkLength(h, "identifier", h.identifier.size(), 255);
  checkLength(h, "hostname", h.hostname.size(), 255);
  checkLength(h, "server-hostname", h.server_hostname.size(), 64);
  checkLength(h, "boot-file-name", h.boot_file_name.size(), 128);
}

}  // namespace

namespace sql {

/// The prepared statements of one session, bound once to the store's exchange buffers.
struct PreparedHost4 {
  struct Buffers {
    HostRow in;   // reservation written by insert
    HostRow out;  // row read by the selects
    // Key parameters of the lookups and deletions.
    int id_type = 0;
    std::string identifier;
    long long subnet_id = 0, address = 0, limit = 0, offset = 0;
    std::string hostname;
    long long count = 0;
  };

  PreparedHost4(soci::session& s, const Host4Sql& q, Buffers& b)
      : insert(s),
        get(s),
        by_address(s),
        by_id(s),
        by_hostname(s),
        by_hostname_subnet(s),
        by_subnet(s),
        page(s),
        all(s),
        remove(s),
        remove_by_address(s),
        count(s),
        count_subnet(s) {
    HostRow& in = b.in;
    insert.exchange(soci::use(in.identifier));
    insert.exchange(soci::use(in.id_type));
    insert.exchange(soci::use(in.subnet_id));
    insert.exchange(soci::use(in.address));
    insert.exchange(soci::use(in.hostname));
    insert.exchange(soci::use(in.next_server));
    insert.exchange(soci::use(in.server_hostname));
    insert.exchange(soci::use(in.boot_file_name));
    insert.exchange(soci::use(in.option_data));
    prepareStatement(insert, q.insert);

    auto key = [&](soci::statement& st) {
      st.exchange(soci::use(b.id_type));
      st.exchange(soci::use(b.identifier));
      st.exchange(soci::use(b.subnet_id));
    };
    auto address_key = [&](soci::statement& st) {
      st.exchange(soci::use(b.address));
      st.exchange(soci::use(b.subnet_id));
    };
    select(get, b, [&] { key(get); }, q.get);
    select(by_address, b, [&] { address_key(by_address); }, q.by_address);
    select(
        by_id, b,
        [&] {
          by_id.exchange(soci::use(b.id_type));
          by_id.exchange(soci::use(b.identifier));
        },
        q.by_id);
    select(by_hostname, b, [&] { by_hostname.exchange(soci::use(b.hostname)); }, q.by_hostname);
    select(
        by_hostname_subnet, b,
        [&] {
          by_hostname_subnet.exchange(soci::use(b.hostname));
          by_hostname_subnet.exchange(soci::use(b.subnet_id));
        },
        q.by_hostname_subnet);
    select(by_subnet, b, [&] { by_subnet.exchange(soci::use(b.subnet_id)); }, q.by_subnet);
    select(
        page, b,
        [&] {
          page.exchange(soci::use(b.subnet_id));
          page.exchange(soci::use(b.limit));
          page.exchange(soci::use(b.offset));
        },
        q.page);
    select(all, b, [] {}, q.all);

    key(remove);
    prepareStatement(remove, q.remove);
    address_key(remove_by_address);
    prepareStatement(remove_by_address, q.remove_by_address);

    count.exchange(soci::into(b.count));
    prepareStatement(count, q.count);
    count_subnet.exchange(soci::into(b.count));
    count_subnet.exchange(soci::use(b.subnet_id));
    prepareStatement(count_subnet, q.count_subnet);
  }

  soci::statement insert, get, by_address, by_id, by_hostname, by_hostname_subnet, by_subnet,
      page, all, remove, remove_by_address, count, count_subnet;

 private:
  template <typename BindParams>
  static void select(soci::statement& st, Buffers& b, BindParams&& bind_params,
                     const std::string& text) {
    HostRow& r = b.out;
    st.exchange(soci::into(r.identifier));
    st.exchange(soci::into(r.id_type));
    st.exchange(soci::into(r.subnet_id));
    st.exchange(soci::into(r.address, r.address_ind));
    st.exchange(soci::into(r.hostname));
    st.exchange(soci::into(r.next_server, r.next_server_ind));
    st.exchange(soci::into(r.server_hostname));
    st.exchange(soci::into(r.boot_file_name));
    st.exchange(soci::into(r.option_data));
    bind_params();
    prepareStatement(st, text);
  }
};

}  // namespace sql

using sql::PreparedHost4;

struct SqlHostStore4::Impl : sql::StoreSession<PreparedHost4> {
  explicit Impl(std::unique_ptr<db::Connection> c) : StoreSession(c->config()) {
    open(std::move(c));
  }

  // Takes `c` over, checks the schema, prepares the statements and counts the rows; throws
  // db::DbError.
  void open(std::unique_ptr<db::Connection> c) {
    sql::openSession<PreparedHost4>(*this, std::move(c), sql::host4Sql(config.backend), "hosts4");
    recount();
  }

  // Runs `f` (statements on `prepared`): see sql::runOnSession.
  template <typename F>
  auto run(const std::string& doing, F&& f) -> decltype(f()) {
    return sql::runOnSession(*this, "host", [&] { return doing; }, std::forward<F>(f));
  }

  // Executes a select bound to buf.out and collects its reservations.
  std::vector<Host4> rows(soci::statement& st) {
    return sql::fetchAll(st, buf.out, [](const HostRow& r) { return sql::fromResult(r); });
  }

  std::optional<Host4> one(soci::statement& st) {
    auto found = rows(st);
    if (found.empty()) {
      return std::nullopt;
    }
    return std::move(found.front());
  }

  void setKey(SubnetId subnet, HostIdType type, const Bytes& identifier) {
    buf.subnet_id = subnet.value;
    buf.id_type = static_cast<int>(type);
    buf.identifier = sql::blobParam(config.backend, identifier);
  }

  std::optional<Host4> getLocked(SubnetId subnet, HostIdType type, const Bytes& identifier) {
    setKey(subnet, type, identifier);
    return run("reading the reservation for " + describeId(type, identifier) + " in subnet " +
                   std::to_string(subnet.value),
               [&] { return one(prepared->get); });
  }

  std::optional<Host4> getByAddressLocked(SubnetId subnet, IPv4Address address) {
    buf.subnet_id = subnet.value;
    buf.address = address.toUint();
    return run("reading the reservation of " + address.toString() + " in subnet " +
                   std::to_string(subnet.value),
               [&] { return one(prepared->by_address); });
  }

  size_t countSubnetLocked(SubnetId subnet) {
    buf.subnet_id = subnet.value;
    return run("counting the reservations of subnet " + std::to_string(subnet.value), [&] {
      buf.count = 0;
      rowsOfCount(prepared->count_subnet);
      return static_cast<size_t>(buf.count);
    });
  }

  // Counts the table into `count` (the caller holds the mutex); throws db::DbError.
  void recount() {
    count_checked_ms.store(steadyMs(), std::memory_order_relaxed);
    size_t n = run("counting the reservations", [&] {
      buf.count = 0;
      rowsOfCount(prepared->count);
      return static_cast<size_t>(buf.count);
    });
    count.store(n, std::memory_order_relaxed);
  }

  void rowsOfCount(soci::statement& st) {
    st.execute();
    while (st.fetch()) {
    }
  }

  // Our own write changed the table by `delta` rows.
  void adjustCount(long delta) {
    size_t n = count.load(std::memory_order_relaxed);
    count.store(delta < 0 && n == 0 ? 0 : n + static_cast<size_t>(delta),
                std::memory_order_relaxed);
  }

  void checkWritable() const {
    if (config.readonly) {
      throw Error("the host database is read-only (readonly: true)");
    }
  }

  // size(): the last count (own writes applied) and when the table was last counted.
  std::atomic<size_t> count{0};
  std::atomic<int64_t> count_checked_ms{0};
};

SqlHostStore4::SqlHostStore4(const db::DbConfig& config)
    : SqlHostStore4(std::make_unique<db::Connection>(config)) {}

SqlHostStore4::SqlHostStore4(std::unique_ptr<db::Connection> connection)
    : impl_(std::make_unique<Impl>(std::move(connection))) {}

SqlHostStore4::~SqlHostStore4() = default;

bool SqlHostStore4::reconnect(std::string* error) { return sql::reconnectSession(*impl_, error); }

bool SqlHostStore4::connected() const { return sql::sessionConnected(*impl_); }

const db::DbConfig& SqlHostStore4::config() const { return impl_->config; }

void SqlHostStore4::add(const Host4& host) {
  impl_->checkWritable();
  validate(host);
  std::lock_guard lock(impl_->mutex);
  // A refused INSERT names the conflicting reservation, read right after. When that one is
  // gone by then (another server removed it), the INSERT is simply tried again.
  constexpr int kAttempts = 3;
  for (int attempt = 1;; ++attempt) {
    sql::toParams(impl_->config.backend, host, impl_->buf.in);
    try {
      impl_->run("adding the reservation for " + describe(host), [&] {
        impl_->prepared->insert.execute(true);
      });
      impl_->adjustCount(1);
      return;
    } catch (const db::DuplicateKey& e) {
      if (impl_->getLocked(host.subnet_id, host.id_type, host.identifier)) {
        throw Error("a reservation for " + describe(host) + " already exists");
      }
      if (host.address) {
        if (auto other = impl_->getByAddressLocked(host.subnet_id, *host.address)) {
          throw Error("address " + host.address->toString() + " is already reserved in subnet " +
                      std::to_string(host.subnet_id.value) + " for " +
                      describeId(other->id_type, other->identifier));
        }
      }
      if (attempt == kAttempts) {
        throw Error(std::string("cannot add the reservation for ") + describe(host) + ": " +
                    e.what());
      }
    }
  }
}

bool SqlHostStore4::remove(SubnetId subnet, HostIdType type, const Bytes& identifier) {
  impl_->checkWritable();
  std::lock_guard lock(impl_->mutex);
  impl_->setKey(subnet, type, identifier);
  bool removed = impl_->run("deleting the reservation for " + describeId(type, identifier) +
                                " in subnet " + std::to_string(subnet.value),
                            [&] {
                              impl_->prepared->remove.execute(true);
                              return impl_->prepared->remove.get_affected_rows() > 0;
                            });
  if (removed) {
    impl_->adjustCount(-1);
  }
  return removed;
}

bool SqlHostStore4::removeByAddress(SubnetId subnet, IPv4Address address) {
  impl_->checkWritable();
  std::lock_guard lock(impl_->mutex);
  impl_->buf.subnet_id = subnet.value;
  impl_->buf.address = address.toUint();
  bool removed = impl_->run("deleting the reservation of " + address.toString() +
                                " in subnet " + std::to_string(subnet.value),
                            [&] {
                              impl_->prepared->remove_by_address.execute(true);
                              return impl_->prepared->remove_by_address.get_affected_rows() > 0;
                            });
  if (removed) {
    impl_->adjustCount(-1);
  }
  return removed;
}

std::optional<Host4> SqlHostStore4::get(SubnetId subnet, HostIdType type,
                                        const Bytes& identifier) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->getLocked(subnet, type, identifier);
}

std::optional<Host4> SqlHostStore4::getByAddress(SubnetId subnet, IPv4Address address) const {
  std::lock_guard lock(impl_->mutex);
  return impl_->getByAddressLocked(subnet, address);
}

std::vector<Host4> SqlHostStore4::getById(HostIdType type, const Bytes& identifier) const {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.id_type = static_cast<int>(type);
  impl_->buf.identifier = sql::blobParam(impl_->config.backend, identifier);
  return impl_->run("reading the reservations of " + describeId(type, identifier),
                    [&] { return impl_->rows(impl_->prepared->by_id); });
}

std::vector<Host4> SqlHostStore4::getByHostname(std::string_view hostname,
                                                std::optional<SubnetId> subnet) const {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.hostname = std::string(hostname);
  std::vector<Host4> candidates;
  if (subnet) {
    impl_->buf.subnet_id = subnet->value;
    candidates = impl_->run("reading reservations by hostname in subnet " +
                                std::to_string(subnet->value),
                            [&] { return impl_->rows(impl_->prepared->by_hostname_subnet); });
  } else {
    candidates = impl_->run("reading reservations by hostname",
                            [&] { return impl_->rows(impl_->prepared->by_hostname); });
  }
  // The databases fold case beyond ASCII (and MySQL ignores trailing spaces): keep exactly
  // what memfile returns.
  std::erase_if(candidates,
                [&](const Host4& h) { return !equalsIgnoreAsciiCase(h.hostname, hostname); });
  return candidates;
}

std::vector<Host4> SqlHostStore4::getAll(SubnetId subnet) const {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.subnet_id = subnet.value;
  return impl_->run("reading the reservations of subnet " + std::to_string(subnet.value),
                    [&] { return impl_->rows(impl_->prepared->by_subnet); });
}

std::vector<Host4> SqlHostStore4::getPage(SubnetId subnet, size_t from, size_t limit,
                                          size_t& next) const {
  std::lock_guard lock(impl_->mutex);
  std::vector<Host4> out;
  if (limit > 0) {
    impl_->buf.subnet_id = subnet.value;
    impl_->buf.limit = clampToSql(limit);
    impl_->buf.offset = clampToSql(from);
    out = impl_->run("reading a page of the reservations of subnet " + std::to_string(subnet.value),
                     [&] { return impl_->rows(impl_->prepared->page); });
  }
  if (!out.empty()) {
    next = from + out.size();
  } else {
    // Nothing read: the position stays, but never beyond the end of the subnet (memfile's
    // positions count the reservations actually passed).
    next = from == 0 ? 0 : std::min(from, impl_->countSubnetLocked(subnet));
  }
  return out;
}

std::vector<Host4> SqlHostStore4::getAll() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->run("reading all reservations",
                    [&] { return impl_->rows(impl_->prepared->all); });
}

size_t SqlHostStore4::size() const {
  Impl& i = *impl_;
  int64_t now = steadyMs();
  if (now - i.count_checked_ms.load(std::memory_order_relaxed) >= kCountInterval.count()) {
    // Never wait for a busy store: the packet path asks on every packet.
    std::unique_lock lock(i.mutex, std::try_to_lock);
    if (lock.owns_lock() &&
        now - i.count_checked_ms.load(std::memory_order_relaxed) >= kCountInterval.count()) {
      try {
        i.recount();
      } catch (const std::exception&) {
        // Keep the last count; the next try is a second later (recount() stamped the time).
      }
    }
  }
  return i.count.load(std::memory_order_relaxed);
}

}  // namespace takahe::dhcpsrv
