#pragma once

// Takahe's SQL schema, versioned in the database (`schema_version(version, minor)`, as Kea).
// The scripts for each backend are compiled in; takahe-admin and the servers share them.

#include <string>

#include "takahe/db/connection.h"

namespace takahe::db {

struct SchemaVersion {
  int major = 0;
  int minor = 0;
  bool operator==(const SchemaVersion&) const = default;
  std::string toString() const { return std::to_string(major) + "." + std::to_string(minor); }
};

/// The version this build creates and needs.
SchemaVersion currentSchemaVersion();

/// The version in the database; throws DbError when there is no schema ("run takahe-admin
/// db-init").
SchemaVersion readSchemaVersion(Connection& c);

/// Creates the schema at `version` (default: current). Throws DbError if a schema exists.
/// Older versions exist so that upgrades can be tested.
void initSchema(Connection& c, SchemaVersion version = currentSchemaVersion());

/// Upgrades step by step to the current version; returns the version found before.
SchemaVersion upgradeSchema(Connection& c);

/// Throws DbError unless the database's major version equals this build's ("schema version 1.0
/// found, this server needs 3.x: run takahe-admin db-upgrade").
void checkSchema(Connection& c);

}  // namespace takahe::db
