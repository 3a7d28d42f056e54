#include "takahe/dhcpsrv/sql_lease_store6.h"

#include <soci/soci.h>

#include <mutex>

#include "lease6_sql.h"
#include "store_session.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv {

using sql::Lease6Row;

namespace sql {

/// The prepared statements of one session, bound once to the store's exchange buffers.
struct PreparedLease6 {
  // Parameters and results live in the store's Impl; statements keep pointers to them.
  struct Buffers {
    Lease6Row in;   // lease written by insert/update/update_if
    Lease6Row out;  // row read by the selects
    std::string address, after, duid, hostname, expected_duid;
    int lease_type = 0;
    long long iaid = 0, subnet_id = 0, limit = 0, now = 0, cutoff = 0;
    long long expected_iaid = 0, expected_expire = 0;
    int expected_state = 0;
    long long count = 0, count_subnet = 0;
    int count_type = 0, count_state = 0;
  };

  PreparedLease6(soci::session& s, const Lease6Sql& q, Buffers& b)
      : get(s),
        by_duid_iaid(s),
        by_duid(s),
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
    select(get, b, q.get, soci::use(b.address), soci::use(b.lease_type));
    select(by_duid_iaid, b, q.by_duid_iaid, soci::use(b.duid), soci::use(b.iaid),
           soci::use(b.lease_type));
    select(by_duid, b, q.by_duid, soci::use(b.duid));
    select(by_hostname, b, q.by_hostname, soci::use(b.hostname));
    select(by_subnet, b, q.by_subnet, soci::use(b.subnet_id));
    select(all, b, q.all);
    select(page, b, q.page, soci::use(b.after), soci::use(b.limit));
    select(expired, b, q.expired, soci::use(b.now), soci::use(b.limit));

    Lease6Row& in = b.in;
    insert.exchange(soci::use(in.address));
    insert.exchange(soci::use(in.lease_type));
    bindSet(insert, in);
    prepareStatement(insert, q.insert);

    bindSet(update, in);
    prepareStatement(update, q.update, soci::use(in.address), soci::use(in.lease_type));

    bindSet(update_if, in);
    prepareStatement(update_if, q.update_if, soci::use(in.address), soci::use(in.lease_type),
                     soci::use(b.expected_duid), soci::use(b.expected_iaid),
                     soci::use(b.expected_expire), soci::use(b.expected_state));

    prepareStatement(remove, q.remove, soci::use(b.address), soci::use(b.lease_type));
    prepareStatement(remove_reclaimed, q.remove_reclaimed, soci::use(b.cutoff));
    prepareStatement(wipe, q.wipe, soci::use(b.subnet_id));
    prepareStatement(count, q.count, soci::into(b.count));
    prepareStatement(count_by_subnet, q.count_by_subnet, soci::into(b.count_subnet),
                     soci::into(b.count_type), soci::into(b.count_state), soci::into(b.count));
  }

  soci::statement get, by_duid_iaid, by_duid, by_hostname, by_subnet, all, page, expired;
  soci::statement insert, update, update_if, remove, remove_reclaimed, wipe;
  soci::statement count, count_by_subnet;

 private:
  // The lease columns but address and lease_type, in the order of Lease6Sql's SET list.
  static void bindSet(soci::statement& st, Lease6Row& r) {
    st.exchange(soci::use(r.duid));
    st.exchange(soci::use(r.valid_lifetime));
    st.exchange(soci::use(r.expire));
    st.exchange(soci::use(r.subnet_id));
    st.exchange(soci::use(r.pref_lifetime));
    st.exchange(soci::use(r.iaid));
    st.exchange(soci::use(r.prefix_len));
    st.exchange(soci::use(r.fqdn_fwd));
    st.exchange(soci::use(r.fqdn_rev));
    st.exchange(soci::use(r.hostname));
    st.exchange(soci::use(r.hwaddr));
    st.exchange(soci::use(r.state));
    st.exchange(soci::use(r.user_context));
    st.exchange(soci::use(r.hwtype));
    st.exchange(soci::use(r.hwaddr_source));
    st.exchange(soci::use(r.pool_id));
  }

  // A select of every column into b.out, with `params` bound in order.
  template <typename... Params>
  static void select(soci::statement& st, Buffers& b, const std::string& text, Params&&... params) {
    Lease6Row& r = b.out;
    st.exchange(soci::into(r.address));
    st.exchange(soci::into(r.duid));
    st.exchange(soci::into(r.valid_lifetime));
    st.exchange(soci::into(r.expire));
    st.exchange(soci::into(r.subnet_id));
    st.exchange(soci::into(r.pref_lifetime));
    st.exchange(soci::into(r.lease_type));
    st.exchange(soci::into(r.iaid));
    st.exchange(soci::into(r.prefix_len));
    st.exchange(soci::into(r.fqdn_fwd));
    st.exchange(soci::into(r.fqdn_rev));
    st.exchange(soci::into(r.hostname));
    st.exchange(soci::into(r.hwaddr));
    st.exchange(soci::into(r.state));
    st.exchange(soci::into(r.user_context));
    st.exchange(soci::into(r.hwtype));
    st.exchange(soci::into(r.hwaddr_source));
    st.exchange(soci::into(r.pool_id));
    prepareStatement(st, text, std::forward<Params>(params)...);
  }
};

}  // namespace sql

using sql::PreparedLease6;

struct SqlLeaseStore6::Impl : sql::StoreSession<PreparedLease6> {
  explicit Impl(std::unique_ptr<db::Connection> c) : StoreSession(c->config()) {
    open(std::move(c));
  }
  // Not connected yet: every call fails as after a lost connection until reconnect().
  explicit Impl(const db::DbConfig& c) : StoreSession(c, false) {}

  // Takes `c` over, checks the schema and prepares the statements; throws db::DbError.
  void open(std::unique_ptr<db::Connection> c) {
    sql::openSession<PreparedLease6>(*this, std::move(c), sql::lease6Sql(config.backend), "lease6");
  }

  // Runs `f` (statements on `prepared`): see sql::runOnSession. `address` (when given) is
  // named in the error.
  template <typename F>
  auto run(const char* doing, const IPv6Address* address, F&& f) -> decltype(f()) {
    auto what = [&] {
      return address ? std::string(doing) + " " + address->toString() : std::string(doing);
    };
    return sql::runOnSession(*this, "lease", what, std::forward<F>(f));
  }

  // Executes a select bound to buf.out and collects its leases.
  std::vector<Lease6> rows(soci::statement& st) {
    return sql::fetchAll(st, buf.out, [](const Lease6Row& r) { return sql::fromResult(r); });
  }

  // Executes a statement changing rows; returns how many it changed.
  size_t change(soci::statement& st) {
    st.execute(true);
    return static_cast<size_t>(st.get_affected_rows());
  }

  void setKey(Lease6Type type, const IPv6Address& address) {
    buf.address = sql::addressParam(config.backend, address);
    buf.lease_type = static_cast<int>(type);
  }
};

SqlLeaseStore6::SqlLeaseStore6(const db::DbConfig& config)
    : SqlLeaseStore6(std::make_unique<db::Connection>(config)) {}

SqlLeaseStore6::SqlLeaseStore6(std::unique_ptr<db::Connection> connection)
    : impl_(std::make_unique<Impl>(std::move(connection))) {}

SqlLeaseStore6::SqlLeaseStore6(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<SqlLeaseStore6> SqlLeaseStore6::unconnected(const db::DbConfig& config) {
  return std::unique_ptr<SqlLeaseStore6>(new SqlLeaseStore6(std::make_unique<Impl>(config)));
}

SqlLeaseStore6::~SqlLeaseStore6() = default;

bool SqlLeaseStore6::reconnect(std::string* error) { return sql::reconnectSession(*impl_, error); }

bool SqlLeaseStore6::connected() const { return sql::sessionConnected(*impl_); }

const db::DbConfig& SqlLeaseStore6::config() const { return impl_->config; }

bool SqlLeaseStore6::add(const Lease6& lease) {
  sql::validateLease6(lease);
  std::lock_guard lock(impl_->mutex);
  sql::toParams(impl_->config.backend, lease, impl_->buf.in);
  try {
    return impl_->run("inserting the lease for", &lease.address,
                      [&] { return impl_->change(impl_->prepared->insert) == 1; });
  } catch (const db::DuplicateKey&) {
    return false;  // the address is leased already (maybe by another server just now)
  }
}

bool SqlLeaseStore6::update(const Lease6& lease) {
  sql::validateLease6(lease);
  std::lock_guard lock(impl_->mutex);
  sql::toParams(impl_->config.backend, lease, impl_->buf.in);
  return impl_->run("updating the lease for", &lease.address,
                    [&] { return impl_->change(impl_->prepared->update) > 0; });
}

bool SqlLeaseStore6::updateIf(const Lease6& lease, const Lease6& expected) {
  sql::validateLease6(lease);
  if (lease.address != expected.address || lease.type != expected.type) {
    return false;  // as memfile: only a lease of the same address and type replaces `expected`
  }
  std::lock_guard lock(impl_->mutex);
  auto& b = impl_->buf;
  db::Backend backend = impl_->config.backend;
  sql::toParams(backend, lease, b.in);
  b.expected_duid = sql::blobParam(backend, expected.duid.bytes);
  b.expected_iaid = expected.iaid;
  b.expected_expire = expected.expire();
  b.expected_state = static_cast<int>(expected.state);
  return impl_->run("updating (if unchanged) the lease for", &lease.address,
                    [&] { return impl_->change(impl_->prepared->update_if) > 0; });
}

bool SqlLeaseStore6::remove(Lease6Type type, const IPv6Address& address) {
  std::lock_guard lock(impl_->mutex);
  impl_->setKey(type, address);
  return impl_->run("deleting the lease for", &address,
                    [&] { return impl_->change(impl_->prepared->remove) > 0; });
}

std::optional<Lease6> SqlLeaseStore6::get(Lease6Type type, const IPv6Address& address) const {
  std::lock_guard lock(impl_->mutex);
  impl_->setKey(type, address);
  return impl_->run("reading the lease for", &address, [&]() -> std::optional<Lease6> {
    if (!sql::fetchOne(impl_->prepared->get)) {
      return std::nullopt;
    }
    return sql::fromResult(impl_->buf.out);
  });
}

std::vector<Lease6> SqlLeaseStore6::getByDuidIaid(const Duid& duid, uint32_t iaid,
                                                  Lease6Type type) const {
  if (duid.empty()) {
    return {};
  }
  std::lock_guard lock(impl_->mutex);
  impl_->buf.duid = sql::blobParam(impl_->config.backend, duid.bytes);
  impl_->buf.iaid = iaid;
  impl_->buf.lease_type = static_cast<int>(type);
  return impl_->run("reading the leases of an IA", nullptr,
                    [&] { return impl_->rows(impl_->prepared->by_duid_iaid); });
}

std::vector<Lease6> SqlLeaseStore6::getByDuid(const Duid& duid) const {
  if (duid.empty()) {
    return {};
  }
  std::lock_guard lock(impl_->mutex);
  impl_->buf.duid = sql::blobParam(impl_->config.backend, duid.bytes);
  return impl_->run("reading leases by DUID", nullptr,
                    [&] { return impl_->rows(impl_->prepared->by_duid); });
}

std::vector<Lease6> SqlLeaseStore6::getByHostname(std::string_view hostname) const {
  if (hostname.empty()) {
    return {};
  }
  std::lock_guard lock(impl_->mutex);
  impl_->buf.hostname = std::string(hostname);
  auto candidates = impl_->run("reading leases by hostname", nullptr,
                               [&] { return impl_->rows(impl_->prepared->by_hostname); });
  // The database folds case more widely than ASCII: keep exactly what memfile returns.
  std::erase_if(candidates,
                [&](const Lease6& l) { return !sql::equalsIgnoreAsciiCase(l.hostname, hostname); });
  return candidates;
}

std::vector<Lease6> SqlLeaseStore6::getBySubnet(SubnetId subnet_id) const {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.subnet_id = subnet_id.value;
  return impl_->run("reading the leases of a subnet", nullptr,
                    [&] { return impl_->rows(impl_->prepared->by_subnet); });
}

std::vector<Lease6> SqlLeaseStore6::getAll() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->run("reading all leases", nullptr,
                    [&] { return impl_->rows(impl_->prepared->all); });
}

std::vector<Lease6> SqlLeaseStore6::getPage(const IPv6Address& after, size_t limit) const {
  if (limit == 0) {
    return {};
  }
  std::lock_guard lock(impl_->mutex);
  impl_->buf.after = sql::addressParam(impl_->config.backend, after);
  impl_->buf.limit = sql::limitOf(limit);
  return impl_->run("reading a page of leases after", &after,
                    [&] { return impl_->rows(impl_->prepared->page); });
}

std::vector<Lease6> SqlLeaseStore6::getExpired(int64_t now, size_t max) const {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.now = now;
  impl_->buf.limit = sql::limitOf(max);
  return impl_->run("reading expired leases", nullptr,
                    [&] { return impl_->rows(impl_->prepared->expired); });
}

size_t SqlLeaseStore6::removeReclaimedBefore(int64_t cutoff) {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.cutoff = cutoff;
  return impl_->run("deleting reclaimed leases", nullptr,
                    [&] { return impl_->change(impl_->prepared->remove_reclaimed); });
}

size_t SqlLeaseStore6::wipe(SubnetId subnet_id) {
  std::lock_guard lock(impl_->mutex);
  impl_->buf.subnet_id = subnet_id.value;
  return impl_->run("deleting the leases of a subnet", nullptr,
                    [&] { return impl_->change(impl_->prepared->wipe); });
}

size_t SqlLeaseStore6::size() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->run("counting leases", nullptr, [&] {
    impl_->buf.count = 0;
    sql::fetchOne(impl_->prepared->count);
    return static_cast<size_t>(impl_->buf.count);
  });
}

std::map<SubnetId, SubnetLeaseCounts6> SqlLeaseStore6::countBySubnet() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->run("counting leases per subnet", nullptr, [&] {
    std::map<SubnetId, SubnetLeaseCounts6> out;
    auto& b = impl_->buf;
    auto& st = impl_->prepared->count_by_subnet;
    st.execute();
    while (st.fetch()) {
      auto& c = out[SubnetId(static_cast<uint32_t>(b.count_subnet))];
      auto n = static_cast<uint64_t>(b.count);
      if (b.count_type == static_cast<int>(Lease6Type::kPd)) {
        c.assigned_pds += n;  // declined prefixes count as assigned, as memfile counts them
      } else if (b.count_state == static_cast<int>(LeaseState::kDefault)) {
        c.assigned_nas += n;
      } else {
        c.declined_nas += n;
      }
    }
    return out;
  });
}

}  // namespace takahe::dhcpsrv
