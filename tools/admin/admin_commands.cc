#include "admin_commands.h"

#include <soci/soci.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <ostream>

#include "takahe/db/connection.h"
#include "takahe/db/schema.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/dhcpsrv/sql_lease_store.h"

namespace takahe::admin {

namespace {

using dhcpsrv::Lease4;

// Connection errors carry libs/db's hint in configuration words ("check host and port"); the
// operator of takahe-admin needs the options instead ("check -h and -P").
std::unique_ptr<db::Connection> connect(const AdminOptions& o) {
  try {
    return std::make_unique<db::Connection>(o.dbConfig());
  } catch (const db::DbError& e) {
    throw db::DbError(hintForAdmin(e.what()), e.connectionLost());
  }
}

void requireV4(const AdminOptions& o) {
  if (o.family == 0) {
    throw UsageError(std::string(commandName(o.command)) +
                     ": the lease type is missing: add -4 (DHCPv4 leases)");
  }
  if (o.family == 6) {
    throw Error(std::string(commandName(o.command)) +
                ": DHCPv6 leases (-6) are not supported yet; use -4");
  }
}

void dbInit(const AdminOptions& o, std::ostream& out) {
  auto c = connect(o);
  db::SchemaVersion version = o.schema_version.value_or(db::currentSchemaVersion());
  db::initSchema(*c, version);
  out << "schema version " << db::readSchemaVersion(*c).toString() << " created in "
      << db::describe(c->config()) << "\n";
}

void dbVersion(const AdminOptions& o, std::ostream& out) {
  auto c = connect(o);
  out << db::readSchemaVersion(*c).toString() << "\n";
}

void dbUpgrade(const AdminOptions& o, std::ostream& out) {
  auto c = connect(o);
  db::SchemaVersion before = db::upgradeSchema(*c);
  db::SchemaVersion after = db::readSchemaVersion(*c);
  if (before == after) {
    out << "schema version " << after.toString() << " is current: nothing to upgrade\n";
  } else {
    out << "schema upgraded from " << before.toString() << " to " << after.toString() << " in "
        << db::describe(c->config()) << "\n";
  }
}

// Writes to a temporary file beside the target and renames it at the end, so a failed dump
// never leaves a half-written file under the name the operator gave.
class OutputFile {
 public:
  OutputFile(const std::string& path, bool overwrite) : path_(path) {
    if (!overwrite && std::filesystem::exists(path)) {
      throw Error("lease-dump: output file " + path + " exists: add -y to overwrite it");
    }
    tmp_ = path + ".tmp" + std::to_string(::getpid());
    f_ = std::fopen(tmp_.c_str(), "w");
    if (f_ == nullptr) {
      throw Error("lease-dump: cannot create " + path + " (temporary " + tmp_ +
                  "): " + std::strerror(errno) + " (check -o)");
    }
  }
  ~OutputFile() {
    if (f_ != nullptr) {
      std::fclose(f_);
      std::remove(tmp_.c_str());
    }
  }
  void write(const std::string& text) {
    if (std::fwrite(text.data(), 1, text.size(), f_) != text.size()) {
      throw Error("lease-dump: writing " + tmp_ + " failed: " + std::strerror(errno));
    }
  }
  void commit() {
    bool ok = std::fflush(f_) == 0 && ::fsync(::fileno(f_)) == 0;
    int err = errno;
    ok = std::fclose(f_) == 0 && ok;
    f_ = nullptr;
    if (!ok || std::rename(tmp_.c_str(), path_.c_str()) != 0) {
      err = ok ? errno : err;
      std::remove(tmp_.c_str());
      throw Error("lease-dump: cannot write " + path_ + ": " + std::strerror(err));
    }
  }

 private:
  std::string path_, tmp_;
  std::FILE* f_ = nullptr;
};

void leaseDump(const AdminOptions& o, std::ostream& out) {
  requireV4(o);
  if (o.output.empty()) {
    throw UsageError("lease-dump: the output file is missing: add -o FILE");
  }
  auto c = connect(o);
  dhcpsrv::SqlLeaseStore4 store(std::move(c));
  OutputFile file(o.output, o.assume_yes);
  file.write(dhcpsrv::lease4CsvHeader());
  // Pages in address order: bounded memory, and the file lists leases by address.
  constexpr size_t kPage = 1000;
  size_t count = 0;
  IPv4Address after(0);
  std::string chunk;
  for (;;) {
    std::vector<Lease4> page = store.getPage(after, kPage);
    chunk.clear();
    for (const Lease4& lease : page) {
      dhcpsrv::appendLease4CsvRow(chunk, lease);
    }
    file.write(chunk);
    count += page.size();
    if (page.size() < kPage) {
      break;
    }
    after = page.back().address;
  }
  file.commit();
  out << "dumped " << count << " lease4 rows to " << o.output << "\n";
}

void leaseUpload(const AdminOptions& o, std::ostream& out, std::ostream& err) {
  requireV4(o);
  if (o.input.empty()) {
    throw UsageError("lease-upload: the input file is missing: add -i FILE");
  }
  // The file is a journal: the last row for an address wins and a row with valid_lifetime 0
  // deletes the lease (as the memfile and lease file cleanup read it).
  std::map<uint32_t, Lease4> leases;
  dhcpsrv::Lease4CsvReadStats stats;
  try {
    stats = dhcpsrv::readLease4CsvFile(o.input, [&](Lease4&& lease, size_t) {
      uint32_t key = lease.address.toUint();
      if (lease.valid_lifetime == 0) {
        leases.erase(key);
      } else {
        leases.insert_or_assign(key, std::move(lease));
      }
    });
  } catch (const Error& e) {
    throw Error(std::string("lease-upload: ") + e.what() + " (check -i)");
  }
  for (const auto& issue : stats.issues) {
    err << "takahe-admin: " << o.input << ":" << issue.line << ": row skipped: " << issue.reason
        << "\n";
  }
  if (stats.row_errors > stats.issues.size()) {
    err << "takahe-admin: " << o.input << ": " << (stats.row_errors - stats.issues.size())
        << " more malformed rows skipped\n";
  }
  if (stats.rows == 0) {
    throw Error("lease-upload: " + o.input + " has no leases (check -i)");
  }

  auto c = connect(o);
  db::Connection& conn = *c;
  dhcpsrv::SqlLeaseStore4 store(std::move(c));
  size_t added = 0, replaced = 0;
  // One transaction: the upload applies whole or not at all. Looking the address up first
  // (instead of inserting and catching the duplicate key) keeps PostgreSQL's transaction usable.
  try {
    soci::transaction tr(conn.session());
    for (const auto& [key, lease] : leases) {
      if (store.get(lease.address)) {
        if (!store.update(lease)) {
          throw Error("lease-upload: the lease for " + lease.address.toString() +
                      " vanished while it was being replaced; nothing was uploaded");
        }
        ++replaced;
      } else {
        if (!store.add(lease)) {
          throw Error("lease-upload: another writer added a lease for " + lease.address.toString() +
                      " during the upload; nothing was uploaded");
        }
        ++added;
      }
    }
    tr.commit();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    conn.rethrow(e, "lease-upload: committing the leases");
  }
  out << "uploaded " << leases.size() << " lease4 rows from " << o.input << " (" << added
      << " added, " << replaced << " replaced";
  if (stats.row_errors > 0) {
    out << ", " << stats.row_errors << " malformed rows skipped";
  }
  out << ")\n";
}

}  // namespace

void runCommand(const AdminOptions& o, std::ostream& out, std::ostream& err) {
  switch (o.command) {
    case Command::kDbInit:
      dbInit(o, out);
      break;
    case Command::kDbVersion:
      dbVersion(o, out);
      break;
    case Command::kDbUpgrade:
      dbUpgrade(o, out);
      break;
    case Command::kLeaseDump:
      leaseDump(o, out);
      break;
    case Command::kLeaseUpload:
      leaseUpload(o, out, err);
      break;
    case Command::kStatsRecount:
      out << "stats-recount: nothing to do: Takahe counts lease statistics from the lease4 "
             "table when asked\n";
      break;
  }
}

}  // namespace takahe::admin
