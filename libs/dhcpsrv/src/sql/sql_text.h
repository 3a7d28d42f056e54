#pragma once

// SQL text shared by the lease and host statements: binary columns travel as hex text, which
// each backend converts its own way.

#include <string>

#include "takahe/db/db_config.h"

namespace takahe::dhcpsrv::sql {

/// Hex text of a binary column in a result.
std::string hexOf(db::Backend b, const std::string& column);
/// A binary parameter bound as hex text.
std::string binParam(db::Backend b, const std::string& name);

}  // namespace takahe::dhcpsrv::sql
