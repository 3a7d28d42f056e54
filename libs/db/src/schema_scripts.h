#pragma once

// The SQL text of each schema version and upgrade step, per backend (compiled in).

#include <string_view>

#include "takahe/db/db_config.h"

namespace takahe::db {

/// Creates the whole schema at `major`.0 (1, 2 or 3) on an empty database; empty if unknown.
std::string_view createScript(Backend b, int major);

/// Upgrades from `from_major`.x to the next major version; empty if there is no such step.
std::string_view upgradeScript(Backend b, int from_major);

}  // namespace takahe::db
