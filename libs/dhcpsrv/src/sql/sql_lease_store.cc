#include "takahe/dhcpsrv/sql_lease_store.h"

#include <soci/soci.h>

#include <limits>
#include <mutex>

#include "store_session.h"
#include "lease4_sql.h"
#include "takahe/db/schema.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv {

using sql::LeaseRow;

namespace {

// LIMIT standing for "no limit" (accepted by every backend's LIMIT).
constexpr long long kNoLimit = std::numeric_limits<long long>::max() / 2;

long long limitOf(size_t n) {
  return n == 0 || n > static_cast<size_t>(kNoLimit) ? kNoLimit : static_cast<long long>(n);
}

// Refused as memfile refuses them (valid lifetime 0 is fine here: it only marks deletions in
// lease files).
void validate(const Lease4& lease) {
  if (lease.address.isZero()) {
    throw Error("lease address 0.0.0.0 is not valid");
  }
  if (static_cast<uint32_t>(lease.state) > kMaxLeaseState) {
    throw Error("lease " + lease.address.toString() + ": unknown state " +
                std::to_string(static_cast<uint32_t>(lease.state)));
  }
}

}  // namespace

namespace sql {

/// The prepared statements of one session, bound once to the store's exchange buffers.
struct PreparedLease4 {
  // Parameters and results live in the store's Impl; statements keep pointers to them.
  struct Buffers {
    LeaseRow in;   // lease written by insert/update/update_if
    LeaseRow out;  // row read by the selects
    long long address = 0, subnet_id = 0, after = 0, limit = 0, now = 0, cutoff = 0;
    std::string hwaddr, client_id, hostname;
    std::string expected_hwaddr, expected_client_id;
    long long expected_expire = 0;
    int expected_state = 0;
    long long count = 0, count_subnet = 0;
    int count_state = 0;
  };

  PreparedLease4(soci::session& s, const sql::Lease4Sql& q, Buffers& b)
      : get(s),
        by_hwaddr(s),
        by_client_id(s),
        by_hostname(s),
        by_subnet(s),
        all(s),
        page(s),
        expired(s),
        insert(s),
        update(s),
        update_if(s),
        remove(s),
        remove_reclaimed(s),
        wipe(s),
        count(s),
        count_by_subnet(s) {
    select(
        get, b, [&] { get.exchange(soci::use(b.address)); }, q.get);
    select(
        by_hwaddr, b, [&] { by_hwaddr.exchange(soci::use(b.hwaddr)); }, q.by_hwaddr);
    select(
        by_client_id, b, [&] { by_client_id.exchange(soci::use(b.client_id)); }, q.by_client_id);
    select(
        by_hostname, b, [&] { by_hostname.exchange(soci::use(b.hostname)); }, q.by_hostname);
    select(
        by_subnet, b, [&] { by_subnet.exchange(soci::use(b.subnet_id)); }, q.by_subnet);
    select(
        all, b, [] {}, q.all);
    select(
        page, b,
        [&] {
          page.exchange(soci::use(b.after));
          page.exchange(soci::use(b.limit));
        },
        q.page);
    select(
        expired, b,
        [&] {
          expired.exchange(soci::use(b.now));
          expired.exchange(soci::use(b.limit));
        },
        q.expired);

    LeaseRow& in = b.in;
    insert.exchange(soci::use(in.address));
    bindSet(insert, in);
    finish(insert, q.insert);

    bindSet(update, in);
    update.exchange(soci::use(in.address));
    finish(update, q.update);

    bindSet(update_if, in);
    update_if.exchange(soci::use(in.address));
    update_if.exchange(soci::use(b.expected_hwaddr));
    update_if.exchange(soci::use(b.expected_client_id));
    update_if.exchange(soci::use(b.expected_expire));
    update_if.exchange(soci::use(b.expected_state));
    finish(update_if, q.update_if);

    remove.exchange(soci::use(b.address));
    finish(remove, q.remove);
    remove_reclaimed.exchange(soci::use(b.cutoff));
    finish(remove_reclaimed, q.remove_reclaimed);
    wipe.exchange(soci::use(b.subnet_id));
    finish(wipe, q.wipe);

    count.exchange(soci::into(b.count));
    finish(count, q.count);
    count_by_subnet.exchange(soci::into(b.count_subnet));
    count_by_subnet.exchange(soci::into(b.count_state));
    count_by_subnet.exchange(soci::into(b.count));
    finish(count_by_subnet, q.count_by_subnet);
  }

  soci::statement get, by_hwaddr, by_client_id, by_hostname, by_subnet, all, page, expired;
  soci::statement insert, update, update_if, remove, remove_reclaimed, wipe;
  soci::statement count, count_by_subnet;

 private:
  static void finish(soci::statement& st, const std::string& text) {
    st.alloc();
    st.prepare(text);
    st.define_and_bind();
  }

  // The lease columns after the address, in the order of Lease4Sql's SET lists and VALUES.
  static void bindSet(soci::statement& st, LeaseRow& r) {
    st.exchange(soci::use(r.hwaddr));
    st.exchange(soci::use(r.client_id));
    st.exchange(soci::use(r.valid_lifetime));
    st.exchange(soci::use(r.expire));
    st.exchange(soci::use(r.subnet_id));
    st.exchange(soci::use(r.fqdn_fwd));
    st.exchange(soci::use(r.fqdn_rev));
    st.exchange(soci::use(r.hostname));
    st.exchange(soci::use(r.state));
    st.exchange(soci::use(r.user_context));
    st.exchange(soci::use(r.pool_id));
  }

  template <typename BindParams>
  static void select(soci::statement& st, Buffers& b, BindParams&& bind_params,
                     const std::string& text) {
    LeaseRow& r = b.out;
    st.exchange(soci::into(r.address));
    st.exchange(soci::into(r.hwaddr));
    st.exchange(soci::into(r.client_id));
    st.exchange(soci::into(r.valid_lifetime));
    st.exchange(soci::into(r.expire));
    st.exchange(soci::into(r.subnet_id));
    st.exchange(soci::into(r.fqdn_fwd));
    st.exchange(soci::into(r.fqdn_rev));
    st.exchange(soci::into(r.hostname));
    st.exchange(soci::into(r.state));
    st.exchange(soci::into(r.user_context));
    st.exchange(soci::into(r.pool_id));
    bind_params();
    finish(st, text);
  }
};

}  // namespace sql

using sql::PreparedLease4;

struct SqlLeaseStore4::Impl {
  explicit Impl(std::unique_ptr<db::Connection> c) : config(c->config()) { open(std::move(c)); }
  // Not connected yet: every call fails as after a lost connection until reconnect().
  explicit Impl(const db::DbConfig& c) : config(c), lost(true) {}

  // Takes `c` over, checks the schema and prepares the statements; throws db::DbError.
  void open(std::unique_ptr<db::Connection> c) {
    prepared.reset();
    conn = std::move(c);
    lost = false;
    db::checkSchema(*conn);
    try {
      prepared =
          std::make_unique<PreparedLease4>(conn->session(), sql::lease4Sql(config.backend), buf);
    } catch (const db::DbError&) {
      throw;
    } catch (const std::exception& e) {
      conn->rethrow(e, "preparing the lease4 statements");
    }
  }

  // Runs `f` (statements on `prepared`) turning every failure into db::DbError; a lost
  // connection makes the store refuse further calls until reconnect().
  template <typename F>
  auto run(const char* doing, uint32_t address, F&& f) -> decltype(f()) {
    if (!prepared || lost) {
      throw db::DbError("the lease database (" + db::describe(config) +
                            ") is not connected: the connection was lost",
                        true);
    }
    try {
      return f();
    } catch (const db::DbError& e) {
      lost = lost || e.connectionLost();
      throw;
    } catch (const std::exception& e) {
      std::string what = doing;
      if (address != 0) {
        what += " " + IPv4Address(address).toString();
      }
      try {
        conn->rethrow(e, what);
      } catch (const db::DbError& d) {
        lost = lost || d.connectionLost();
        throw;
      }
    }
  }

  // Executes a select bound to buf.out and collects its rows. The statement is always run to
  // its end: a SQLite statement left on a row keeps its read transaction open, so the session
  // would go on reading an old snapshot and fail to write (SQLITE_BUSY) once another
  // connection has written.
  std::vector<Lease4> rows(soci::statement& st) {
    std::vector<LeaseRow> raw;
    st.execute();
    while (st.fetch()) {
      raw.push_back(buf.out);
    }
    std::vector<Lease4> out;
    out.reserve(raw.size());
    for (const LeaseRow& r : raw) {
      out.push_back(sql::fromResult(r));
    }
    return out;
  }

  // Executes a select of at most one row; false when there is none. Runs it to its end too.
  bool one(soci::statement& st) {
    if (!st.execute(true)) {
      return false;
    }
    while (st.fetch()) {
    }
    return true;
  }

  db::DbConfig config;
  std::mutex mutex;  // one session: calls are serialised (a pool of sessions could lift this)
  std::unique_ptr<db::Connection> conn;
  PreparedLease4::Buffers buf;
  std::unique_ptr<PreparedLease4> prepared;  // destroyed before `conn`
  bool lost = false;

  ~Impl() { prepared.reset(); }
};

SqlLeaseStore4::SqlLeaseStore4(const db::DbConfig& config)
    : SqlLeaseStore4(std::make_unique<db::Connection>(config)) {}

SqlLeaseStore4::SqlLeaseStore4(std::unique_ptr<db::Connection> connection)
    : impl_(std::make_unique<Impl>(std::move(connection))) {}

SqlLeaseStore4::SqlLeaseStore4(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<SqlLeaseStore4> SqlLeaseStore4::unconnected(const db::DbConfig& config) {
  return std::unique_ptr<SqlLeaseStore4>(new SqlLeaseStore4(std::make_unique<Impl>(config)));
}

SqlLeaseStore4::~SqlLeaseStore4() = default;

bool SqlLeaseStore4::reconnect(std::string* error) { return sql::reconnectSession(*impl_, error); }

bool SqlLeaseStore4::connected() const { return sql::sessionConnected(*impl_); }

const db::DbConfig& SqlLeaseStore4::config() const { return impl_->config; }

bool SqlLeaseStore4::add(const Lease4& lease) {
  validate(lease);
  std::lock_guard lock(impl_->mutex);
  sql::toParams(impl_->config.backend, lease, impl_->buf.in);
  try {
    return impl_->run("inserting the lease for", lease.address.toUint(), [&] {
      impl_->prepared->insert.execute(true);
      return impl_->prepared->insert.get_affected_rows() == 1;
    });
  } catch (const db::DuplicateKey&) {
    return false;  // the address is leased already (maybe by another server just now)
  }
}

bool SqlLeaseStore4::update(const Lease4& lease) {
  validate(lease);
  std::lock_guard lock(impl_->mutex);
  sql::toParams(impl_->config.backend, lease, impl_->buf.in);
  return impl_->run("updating the lease for", lease.address.toUint(), [&] {
    impl_->prepared->update.execute(true);
    return impl_->prepared->update.get_affected_rows() > 0;
  });
}

bool SqlLeaseStore4::updateIf(const Lease4& lease, const Lease4& expected) {
  validate(lease);
  if (lease.address != expected.address) {
    return false;  // as memfile: only a lease of the same address can replace `expected`
  }
  std::lock_guard lock(impl_->mutex);
  auto& b = impl_->buf;
  db::Backend backend = impl_->config.backend;
  sql::toParams(backend, lease, b.in);
  b.expected_hwaddr = sql::blobParam(backend, expected.hwaddr.bytes);
  b.expected_client_id = sql::blobParam(backend, expected.client_id.bytes);
  b.expected_expire = expected.expire();
  b.expected_state = static_cast<int>(expected.state);
  return impl_->run("updating (if unchanged) the lease for", lease.address.toUint(), [&] {
    impl_->prepared->update_if.execute(true);
    return impl_->prepared->update_if.get_affected_rows() > 0;
  });
}

bool SqlLeaseStore4::remove(IPv4Address address) {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.address = address.toUint();
  return impl_->run("deleting the lease for", address.toUint(), [&] {
    impl_->prepared->remove.execute(true);
    return impl_->prepared->remove.get_affected_rows() > 0;
  });
}

std::optional<Lease4> SqlLeaseStore4::get(IPv4Address address) const {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.address = address.toUint();
  return impl_->run("reading the lease for", address.toUint(), [&]() -> std::optional<Lease4> {
    if (!impl_->one(impl_->prepared->get)) {
      return std::nullopt;
    }
    return sql::fromResult(impl_->buf.out);
  });
}

std::vector<Lease4> SqlLeaseStore4::getByHwAddr(const HwAddr& hwaddr) const {
  if (hwaddr.bytes.empty()) {
    return {};
  }
  std::lock_guard lock(impl_->mutex);
  impl_->buf.hwaddr = sql::blobParam(impl_->config.backend, hwaddr.bytes);
  return impl_->run("reading leases by hardware address", 0,
                    [&] { return impl_->rows(impl_->prepared->by_hwaddr); });
}

std::vector<Lease4> SqlLeaseStore4::getByClientId(const ClientId& client_id) const {
  if (client_id.bytes.empty()) {
    return {};
  }
  std::lock_guard lock(impl_->mutex);
  impl_->buf.client_id = sql::blobParam(impl_->config.backend, client_id.bytes);
  return impl_->run("reading leases by client-id", 0,
                    [&] { return impl_->rows(impl_->prepared->by_client_id); });
}

namespace {
bool equalsIgnoreAsciiCase(std::string_view a, std::string_view b) {
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
}  // namespace

std::vector<Lease4> SqlLeaseStore4::getByHostname(std::string_view hostname) const {
  if (hostname.empty()) {
    return {};
  }
  std::lock_guard lock(impl_->mutex);
  impl_->buf.hostname = std::string(hostname);
  auto candidates = impl_->run("reading leases by hostname", 0,
                               [&] { return impl_->rows(impl_->prepared->by_hostname); });
  // The database folds case more widely than ASCII (lower() of a UTF-8 text): keep exactly
  // what memfile returns.
  std::erase_if(candidates,
                [&](const Lease4& l) { return !equalsIgnoreAsciiCase(l.hostname, hostname); });
  return candidates;
}

std::vector<Lease4> SqlLeaseStore4::getBySubnet(SubnetId subnet_id) const {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.subnet_id = subnet_id.value;
  return impl_->run("reading the leases of a subnet", 0,
                    [&] { return impl_->rows(impl_->prepared->by_subnet); });
}

std::vector<Lease4> SqlLeaseStore4::getAll() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->run("reading all leases", 0, [&] { return impl_->rows(impl_->prepared->all); });
}

std::vector<Lease4> SqlLeaseStore4::getPage(IPv4Address after, size_t limit) const {
  if (limit == 0) {
    return {};
  }
  std::lock_guard lock(impl_->mutex);
  impl_->buf.after = after.toUint();
  impl_->buf.limit = limitOf(limit);
  return impl_->run("reading a page of leases after", after.toUint(),
                    [&] { return impl_->rows(impl_->prepared->page); });
}

std::vector<Lease4> SqlLeaseStore4::getExpired(int64_t now, size_t max) const {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.now = now;
  impl_->buf.limit = limitOf(max);
  return impl_->run("reading expired leases", 0,
                    [&] { return impl_->rows(impl_->prepared->expired); });
}

size_t SqlLeaseStore4::removeReclaimedBefore(int64_t cutoff) {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.cutoff = cutoff;
  return impl_->run("deleting reclaimed leases", 0, [&] {
    impl_->prepared->remove_reclaimed.execute(true);
    return static_cast<size_t>(impl_->prepared->remove_reclaimed.get_affected_rows());
  });
}

size_t SqlLeaseStore4::wipe(SubnetId subnet_id) {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.subnet_id = subnet_id.value;
  return impl_->run("deleting the leases of a subnet", 0, [&] {
    impl_->prepared->wipe.execute(true);
    return static_cast<size_t>(impl_->prepared->wipe.get_affected_rows());
  });
}

size_t SqlLeaseStore4::size() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->run("counting leases", 0, [&] {
    impl_->buf.count = 0;
    impl_->one(impl_->prepared->count);
    return static_cast<size_t>(impl_->buf.count);
  });
}

std::map<SubnetId, SubnetLeaseCounts> SqlLeaseStore4::countBySubnet() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->run("counting leases per subnet", 0, [&] {
    std::map<SubnetId, SubnetLeaseCounts> out;
    auto& b = impl_->buf;
    auto& st = impl_->prepared->count_by_subnet;
    st.execute();
    while (st.fetch()) {
      auto& c = out[SubnetId(static_cast<uint32_t>(b.count_subnet))];
      (b.count_state == 0 ? c.assigned : c.declined) = static_cast<uint64_t>(b.count);
    }
    return out;
  });
}

}  // namespace takahe::dhcpsrv
