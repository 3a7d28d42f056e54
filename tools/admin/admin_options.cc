#include "admin_options.h"

#include <charconv>
#include <regex>

namespace takahe::admin {

namespace {

struct CommandWord {
  const char* word;
  Command command;
};
constexpr CommandWord kCommands[] = {
    {"db-init", Command::kDbInit},           {"db-version", Command::kDbVersion},
    {"db-upgrade", Command::kDbUpgrade},     {"lease-dump", Command::kLeaseDump},
    {"lease-upload", Command::kLeaseUpload}, {"stats-recount", Command::kStatsRecount},
};

std::optional<db::Backend> backendOf(const std::string& word) {
  if (word == "sqlite" || word == "sqlite3") {
    return db::Backend::kSqlite;
  }
  if (word == "pgsql" || word == "postgresql") {
    return db::Backend::kPostgresql;
  }
  if (word == "mysql") {
    return db::Backend::kMysql;
  }
  return std::nullopt;
}

uint16_t parsePort(const std::string& text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value == 0 ||
      value > 65535) {
    throw UsageError("-P or --port: '" + text + "' is not a port number (1-65535)");
  }
  return static_cast<uint16_t>(value);
}

db::SchemaVersion parseVersion(const std::string& text) {
  static const std::regex kForm(R"(([0-9]{1,4})\.([0-9]{1,4}))");
  std::smatch m;
  if (!std::regex_match(text, m, kForm)) {
    throw UsageError("--schema-version: '" + text + "' is not a version such as 1.0");
  }
  return db::SchemaVersion{std::stoi(m[1].str()), std::stoi(m[2].str())};
}

}  // namespace

const char* commandName(Command c) {
  for (const auto& entry : kCommands) {
    if (entry.command == c) {
      return entry.word;
    }
  }
  return "?";
}

db::DbConfig AdminOptions::dbConfig() const {
  db::DbConfig c;
  c.backend = backend;
  c.name = name;
  c.host = host;
  c.port = port;
  c.user = user;
  c.password = password;
  return c;
}

AdminOptions parseAdminOptions(const std::vector<std::string>& args,
                               const std::optional<std::string>& env_password) {
  AdminOptions o;
  if (args.empty()) {
    throw UsageError("missing command");
  }
  const std::string& first = args[0];
  if (first == "-v" || first == "--version" || first == "-V") {
    o.show_version = true;
    return o;
  }
  if (first == "--help" || first == "help") {
    o.show_help = true;
    return o;
  }
  bool known = false;
  for (const auto& entry : kCommands) {
    if (first == entry.word) {
      o.command = entry.command;
      known = true;
    }
  }
  if (!known) {
    throw UsageError("invalid command: '" + first +
                     "' (db-init, db-version, db-upgrade, lease-dump, lease-upload or "
                     "stats-recount)");
  }
  if (args.size() < 2) {
    throw UsageError("missing backend after " + first + " (sqlite, pgsql or mysql)");
  }
  o.backend_word = args[1];
  if (o.backend_word == "memfile") {
    throw UsageError("the memfile backend has no database to administer: " + first +
                     " works with sqlite, pgsql and mysql");
  }
  auto backend = backendOf(o.backend_word);
  if (!backend) {
    throw UsageError("invalid backend: '" + o.backend_word + "' (sqlite, pgsql or mysql)");
  }
  o.backend = *backend;

  bool password_given = false;
  for (size_t i = 2; i < args.size(); ++i) {
    const std::string& opt = args[i];
    // The value of an option taking one: the next argument, which must exist and be non-empty.
    auto value = [&](const char* names) -> std::string {
      if (i + 1 >= args.size() || args[i + 1].empty()) {
        throw UsageError(std::string(names) + " requires a parameter");
      }
      return args[++i];
    };
    if (opt == "-h" || opt == "--host") {
      o.host = value("-h or --host");
    } else if (opt == "-P" || opt == "--port") {
      if (i + 1 >= args.size()) {
        throw UsageError("-P or --port requires a parameter");
      }
      o.port = parsePort(args[++i]);
    } else if (opt == "-u" || opt == "--user") {
      o.user = value("-u or --user");
    } else if (opt == "-p" || opt == "--password") {
      // As kea-admin: the next argument is the password whatever it looks like (it may start
      // with '-'); when -p is last, the password is asked for.
      password_given = true;
      if (i + 1 < args.size()) {
        o.password = args[++i];
        o.password_prompt = false;
      } else {
        o.password.clear();
        o.password_prompt = true;
      }
    } else if (opt == "-n" || opt == "--name") {
      o.name = value("-n or --name");
      o.name_given = true;
    } else if (opt == "-d" || opt == "--directory") {
      o.scripts_dir = value("-d or --directory");
    } else if (opt == "-x" || opt == "--extra") {
      o.extra.push_back(value("-x or --extra"));
    } else if (opt == "-4" || opt == "-6") {
      int family = opt == "-4" ? 4 : 6;
      if (o.family != 0 && o.family != family) {
        throw UsageError("-4 and -6 may not be given together");
      }
      o.family = family;
    } else if (opt == "-i" || opt == "--input") {
      o.input = value("-i or --input");
    } else if (opt == "-o" || opt == "--output") {
      o.output = value("-o or --output");
    } else if (opt == "-y" || opt == "--yes") {
      o.assume_yes = true;
    } else if (opt == "--schema-version") {
      o.schema_version = parseVersion(value("--schema-version"));
    } else {
      throw UsageError("invalid option: '" + opt + "'");
    }
  }
  if (!password_given && env_password) {
    o.password = *env_password;
    o.password_from_env = true;
  }
  if (o.backend == db::Backend::kSqlite && !o.name_given) {
    throw UsageError("the sqlite backend needs -n FILE (the database file)");
  }
  if (o.schema_version && o.command != Command::kDbInit) {
    throw UsageError("--schema-version is only for db-init");
  }
  return o;
}

std::string usageText() {
  return "Usage: takahe-admin COMMAND BACKEND [options]\n"
         "       takahe-admin -v | --version | --help\n"
         "\n"
         "COMMAND:\n"
         "  db-init        create the schema in an empty database\n"
         "  db-version     print the schema version of the database (e.g. 2.0)\n"
         "  db-upgrade     upgrade the schema to the version this build uses\n"
         "  lease-dump     write the leases to a CSV file in the memfile format (-4 -o FILE)\n"
         "  lease-upload   load leases from a memfile CSV file into the database (-4 -i FILE);\n"
         "                 leases for addresses already in the database are replaced\n"
         "  stats-recount  accepted for kea-admin scripts; nothing to do (statistics are\n"
         "                 counted from the lease table)\n"
         "\n"
         "BACKEND: sqlite | pgsql (or postgresql) | mysql\n"
         "\n"
         "Options:\n"
         "  -h, --host HOST       database server host (default localhost)\n"
         "  -P, --port PORT       database server TCP port (default: the backend's)\n"
         "  -u, --user USER       database user (default keatest)\n"
         "  -p, --password [PW]   password (default keatest, or $KEA_ADMIN_DB_PASSWORD);\n"
         "                        without a value, asked for on the terminal\n"
         "  -n, --name NAME       database name (default keatest); for sqlite the file path\n"
         "  -4                    DHCPv4 leases (lease-dump, lease-upload)\n"
         "  -6                    DHCPv6 leases (not supported yet)\n"
         "  -i, --input FILE      CSV file to upload (lease-upload)\n"
         "  -o, --output FILE     CSV file to write (lease-dump)\n"
         "  -y, --yes             overwrite the output file if it exists\n"
         "  -d, --directory DIR   accepted for kea-admin scripts; the schema is built in\n"
         "  -x, --extra ARG       accepted for kea-admin scripts; ignored\n"
         "  -v, --version         print the version\n"
         "Errors print one line on stderr and exit with status 1.\n";
}

std::string hintForAdmin(const std::string& message) {
  const std::string marker = "(check ";
  size_t start = message.rfind(marker);
  if (start == std::string::npos) {
    return message;
  }
  size_t end = message.find(')', start);
  if (end == std::string::npos) {
    return message;
  }
  std::string hint = message.substr(start, end - start);
  // takahe-admin has no option for the connect timeout: point at what the operator can change.
  static const std::regex kTimeout(", and connect-timeout");
  hint = std::regex_replace(hint, kTimeout, "");
  static const std::pair<std::regex, const char*> kWords[] = {
      {std::regex(R"(\bhost\b)"), "-h"},
      {std::regex(R"(\bport\b)"), "-P"},
      {std::regex(R"(\buser\b(?!'))"), "-u"},
      {std::regex(R"(\bpassword\b)"), "-p"},
      {std::regex(R"((^|[^-'])\bname\b)"), "$1-n"},
  };
  for (const auto& [re, option] : kWords) {
    hint = std::regex_replace(hint, re, option);
  }
  return message.substr(0, start) + hint + message.substr(end);
}

}  // namespace takahe::admin
