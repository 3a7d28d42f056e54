#include "takahe/db/schema.h"

#include <soci/soci.h>

#include "schema_scripts.h"

namespace takahe::db {

namespace {

constexpr SchemaVersion kCurrent{3, 0};

bool hasSchemaTable(Connection& c) {
  std::string sql;
  switch (c.backend()) {
    case Backend::kSqlite:
      sql = "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'";
      break;
    case Backend::kPostgresql:
      sql =
          "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() "
          "AND table_name = 'schema_version'";
      break;
    case Backend::kMysql:
      sql =
          "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE() "
          "AND table_name = 'schema_version'";
      break;
  }
  long long n = 0;
  try {
    c.session() << sql, soci::into(n);
  } catch (const std::exception& e) {
    c.rethrow(e, "looking for the schema_version table");
  }
  return n > 0;
}

// Runs a script as one transaction where the backend allows it (MySQL commits each DDL
// statement on its own, so a failure there can leave a partial step: the error says so).
void runScript(Connection& c, std::string_view script, const std::string& what) {
  try {
    soci::transaction tr(c.session());
    c.execute(std::string(script));
    tr.commit();
  } catch (const DbError& e) {
    std::string msg = what + " failed: " + e.what();
    if (c.backend() == Backend::kMysql) {
      msg += "; mysql does not roll back table changes, check the database before retrying";
    }
    throw DbError(msg, e.connectionLost());
  } catch (const std::exception& e) {
    c.rethrow(e, what);
  }
}

}  // namespace

SchemaVersion currentSchemaVersion() { return kCurrent; }

SchemaVersion readSchemaVersion(Connection& c) {
  if (!hasSchemaTable(c)) {
    throw DbError("no Takahe schema in " + describe(c.config()) + ": run takahe-admin db-init",
                  false);
  }
  SchemaVersion v;
  soci::indicator ind = soci::i_null;
  try {
    c.session() << "SELECT version, minor FROM schema_version", soci::into(v.major),
        soci::into(v.minor, ind);
  } catch (const std::exception& e) {
    c.rethrow(e, "reading the schema version");
  }
  if (!c.session().got_data()) {
    throw DbError("the schema_version table of " + describe(c.config()) +
                      " is empty: the schema is damaged or was not made by takahe-admin",
                  false);
  }
  if (ind == soci::i_null) {
    v.minor = 0;
  }
  return v;
}

void initSchema(Connection& c, SchemaVersion version) {
  if (hasSchemaTable(c)) {
    SchemaVersion found = readSchemaVersion(c);
    throw DbError(describe(c.config()) + " already has a schema (version " + found.toString() +
                      "): use takahe-admin db-upgrade, or drop the tables first",
                  false);
  }
  std::string_view script = version.minor == 0 ? createScript(c.backend(), version.major) : "";
  if (script.empty()) {
    throw DbError("cannot create schema version " + version.toString() +
                      ": this build knows 1.0 to " + kCurrent.toString(),
                  false);
  }
  runScript(c, script, "creating schema " + version.toString() + " in " + describe(c.config()));
}

SchemaVersion upgradeSchema(Connection& c) {
  const SchemaVersion found = readSchemaVersion(c);
  if (found.major > kCurrent.major) {
    throw DbError("schema version " + found.toString() + " in " + describe(c.config()) +
                      " is newer than this build's " + kCurrent.toString() +
                      " (or not a Takahe schema): cannot upgrade",
                  false);
  }
  SchemaVersion v = found;
  while (v.major < kCurrent.major) {
    std::string_view step = upgradeScript(c.backend(), v.major);
    if (step.empty()) {
      throw DbError("no upgrade from schema version " + v.toString(), false);
    }
    runScript(c, step, "upgrading schema " + v.toString() + " of " + describe(c.config()));
    v = readSchemaVersion(c);
  }
  return found;
}

void checkSchema(Connection& c) {
  const SchemaVersion found = readSchemaVersion(c);
  if (found.major == kCurrent.major) {
    return;
  }
  std::string need = std::to_string(kCurrent.major) + ".x";
  if (found.major < kCurrent.major) {
    throw DbError("schema version " + found.toString() + " found in " + describe(c.config()) +
                      ", this server needs " + need + ": run takahe-admin db-upgrade",
                  false);
  }
  throw DbError("schema version " + found.toString() + " found in " + describe(c.config()) +
                    ", this server needs " + need +
                    ": the database was made by a newer Takahe (or is not a Takahe database)",
                false);
}

}  // namespace takahe::db
