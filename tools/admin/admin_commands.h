#pragma once

// The work of each takahe-admin command, on libs/db (schema) and dhcpsrv::SqlLeaseStore4
// (leases) with the memfile's CSV code for the files.

#include <iosfwd>

#include "admin_options.h"

namespace takahe::admin {

/// Runs the command. Progress and results go to `out`, warnings (skipped CSV rows) to `err`.
/// Throws takahe::Error (db::DbError for the database) with one line an operator can act on.
void runCommand(const AdminOptions& options, std::ostream& out, std::ostream& err);

}  // namespace takahe::admin
