#pragma once

// Command line of takahe-admin: kea-admin's (COMMAND BACKEND [options]) so that operators'
// scripts keep working, plus the sqlite backend. No I/O here, so it is unit-tested directly.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "takahe/db/db_config.h"
#include "takahe/db/schema.h"
#include "takahe/util/error.h"

namespace takahe::admin {

enum class Command { kDbInit, kDbVersion, kDbUpgrade, kLeaseDump, kLeaseUpload, kStatsRecount };

/// "db-init", "db-version", ...
const char* commandName(Command c);

/// A bad command line: main prints the message, then the usage text, and exits 1.
class UsageError : public Error {
 public:
  using Error::Error;
};

/// What the command line asks for.
struct AdminOptions {
  /// Only the version or the help was asked for (no command, no backend).
  bool show_version = false;
  bool show_help = false;

  Command command = Command::kDbVersion;
  db::Backend backend = db::Backend::kSqlite;
  std::string backend_word;  ///< as given: "pgsql", "postgresql", "mysql", "sqlite"

  // kea-admin's defaults for the connection.
  std::string host = "localhost";
  uint16_t port = 0;  ///< 0 = the backend's default
  std::string user = "keatest";
  std::string password = "keatest";
  std::string name = "keatest";
  bool name_given = false;
  /// -p was the last argument: ask on the terminal (main does; empty when there is none).
  bool password_prompt = false;
  /// The password came from KEA_ADMIN_DB_PASSWORD (not from -p).
  bool password_from_env = false;

  int family = 0;           ///< 4 or 6 (-4 / -6), 0 = not given
  std::string input;        ///< -i / --input (lease-upload)
  std::string output;       ///< -o / --output (lease-dump)
  bool assume_yes = false;  ///< -y / --yes: overwrite the output file

  std::string scripts_dir;         ///< -d / --directory: accepted, unused (scripts built in)
  std::vector<std::string> extra;  ///< -x / --extra: accepted, unused

  /// Hidden (tests): db-init --schema-version 1.0 creates an older schema.
  std::optional<db::SchemaVersion> schema_version;

  /// Connection parameters for libs/db.
  db::DbConfig dbConfig() const;
};

/// Parses the arguments after the program name. `env_password` is KEA_ADMIN_DB_PASSWORD when set
/// (used when -p is not given, as kea-admin does). Throws UsageError naming the bad argument.
AdminOptions parseAdminOptions(const std::vector<std::string>& args,
                               const std::optional<std::string>& env_password = std::nullopt);

/// The help text (ends with '\n').
std::string usageText();

/// Rewrites the "(check host and port)" hint of a db::Connection error into takahe-admin's
/// options ("(check -h and -P)"); other text is kept.
std::string hintForAdmin(const std::string& message);

}  // namespace takahe::admin
