#include "takahe/dhcpsrv/sql_lease_store.h"

#include <soci/soci.h>

#include <mutex>

#include "store_session.h"
#include "lease4_sql.h"
#include "takahe/db/schema.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv {

using sql::LeaseRow;

namespace {

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
    select(get, b, q.get, soci::use(b.address));
    select(by_hwaddr, b, q.by_hwaddr, soci::use(b.hwaddr));
    select(by_client_id, b, q.by_client_id, soci::use(b.client_id));
    select(by_hostname, b, q.by_hostname, soci::use(b.hostname));
    select(by_subnet, b, q.by_subnet, soci::use(b.subnet_id));
    select(all, b, q.all);
    select(page, b, q.page, soci::use(b.after), soci::use(b.limit));
    select(expired, b, q.expired, soci::use(b.now), soci::use(b.limit));

    LeaseRow& in = b.in;
    insert.exchange(soci::use(in.address));
    bindSet(insert, in);
    prepareStatement(insert, q.insert);

    bindSet(update, in);
    prepareStatement(update, q.update, soci::use(in.address));

    bindSet(update_if, in);
    prepareStatement(update_if, q.update_if, soci::use(in.address),
                     soci::use(b.expected_hwaddr), soci::use(b.expected_client_id),
                     soci::use(b.expected_expire), soci::use(b.expected_state));

    prepareStatement(remove, q.remove, soci::use(b.address));
    prepareStatement(remove_reclaimed, q.remove_reclaimed, soci::use(b.cutoff));
    prepareStatement(wipe, q.wipe, soci::use(b.subnet_id));
    prepareStatement(count, q.count, soci::into(b.count));
    prepareStatement(count_by_subnet, q.count_by_subnet, soci::into(b.count_subnet),
                     soci::into(b.count_state), soci::into(b.count));
  }

  soci::statement get, by_hwaddr, by_client_id, by_hostname, by_subnet, all, page, expired;
  soci::statement insert, update, update_if, remove, remove_reclaimed, wipe;
  soci::statement count, count_by_subnet;

 private:
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

  // A select of every column into b.out, with `params` bound in order.
  template <typename... Params>
  static void select(soci::statement& st, Buffers& b, const std::string& text,
                     Params&&... params) {
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
    prepareStatement(st, text, std::forward<Params>(params)...);
  }
};

}  // namespace sql

using sql::PreparedLease4;

struct SqlLeaseStore4::Impl : sql::StoreSession<PreparedLease4> {
  explicit Impl(std::unique_ptr<db::Connection> c) : StoreSession(c->config()) {
    open(std::move(c));
  }
  // Not connected yet: every call fails as after a lost connection until reconnect().
  explicit Impl(const db::DbConfig& c) : StoreSession(c, false) {}

  // Takes `c` over, checks the schema and prepares the statements; throws db::DbError.
  void open(std::unique_ptr<db::Connection> c) {
    sql::openSession<PreparedLease4>(*this, std::move(c), sql::lease4Sql(config.backend),
                                     "lease4");
  }

  // Runs `f` (statements on `prepared`): see sql::runOnSession.
  template <typename F>
  auto run(const char* doing, uint32_t address, F&& f) -> decltype(f()) {
    auto what = [&] {
      return address == 0 ? std::string(doing)
                          : std::string(doing) + " " + IPv4Address(address).toString();
    };
    return sql::runOnSession(*this, "lease", what, std::forward<F>(f));
  }

  // Executes a select bound to buf.out and collects its leases.
  std::vector<Lease4> rows(soci::statement& st) {
    return sql::fetchAll(st, buf.out, [](const LeaseRow& r) { return sql::fromResult(r); });
  }

  bool one(soci::statement& st) { return sql::fetchOne(st); }
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
                [&](const Lease4& l) { return !sql::equalsIgnoreAsciiCase(l.hostname, hostname); });
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
  impl_->buf.limit = sql::limitOf(limit);
  return impl_->run("reading a page of leases after", after.toUint(),
                    [&] { return impl_->rows(impl_->prepared->page); });
}

std::vector<Lease4> SqlLeaseStore4::getExpired(int64_t now, size_t max) const {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.now = now;
  impl_->buf.limit = sql::limitOf(max);
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
