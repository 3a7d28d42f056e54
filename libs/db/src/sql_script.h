#pragma once

// Splits a SQL script into single statements: none of the three client libraries runs several
// statements in one call without extra flags, and schema scripts are lists of statements.

#include <string>
#include <string_view>
#include <vector>

namespace takahe::db {

/// Statements of `script` without their ';', trimmed, empty ones dropped. `--` line comments
/// are removed; ';' inside quoted strings or identifiers does not split.
std::vector<std::string> splitSqlScript(std::string_view script);

/// The message of a client library on one line: whitespace runs collapsed, trimmed.
std::string oneLine(std::string_view text);

}  // namespace takahe::db
