#pragma once

// The stores the LeaseStore6 contract tests run on: memfile (a lease file in a temporary
// directory) and SqlLeaseStore6 on each SQL backend. Test names end in " - Memfile",
// " - Sqlite", " - Postgresql" or " - Mysql" (meson picks the 'unit' and 'db' runs by them).

#include <memory>

#include "../leases6/lease6_test_util.h"
#include "sql_test_db.h"
#include "takahe/dhcpsrv/memfile_lease_store6.h"

namespace takahe::dhcpsrv::test {

struct Memfile {};

/// Makes the store under test; one per test case.
template <typename B>
struct Store6Factory {
  std::unique_ptr<LeaseStore6> make() const { return db.store6(); }
  TestDb<B> db;
};

template <>
struct Store6Factory<Memfile> {
  std::unique_ptr<LeaseStore6> make() const {
    MemfileConfig c;
    c.path = dir.file("leases6.csv");
    return std::make_unique<MemfileLeaseStore6>(c);
  }
  TempDir dir;
};

}  // namespace takahe::dhcpsrv::test
