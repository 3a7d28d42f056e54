// parseHaConfig(): reads and checks Kea's `high-availability` library parameter.

#include "core/ha_config.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "takahe/util/address.h"
#include "takahe/util/error.h"
#include "takahe/util/strings.h"

namespace takahe::hooks::ha {

namespace {

constexpr std::string_view kSection = "high-availability";

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) {
      out += ", ";
    }
    out += item;
  }
  return out;
}

[[noreturn]] void fail(std::string_view message, const cc::Position& where) {
  cc::throwConfigError(kSection, message, where);
}

/// One JSON map of the HA configuration. Every key read is marked used; finish() refuses the
/// rest, so a misspelt key never passes silently. `context` prefixes messages ("peer 'x': ").
class Section {
 public:
  Section(const cc::Value& map, std::string context, std::string_view what)
      : map_(map), context_(std::move(context)) {
    if (!map_.isMap()) {
      fail(context_ + std::string(what) + " must be a map, got " +
               std::string(map_.typeName()),
           map_.position());
    }
    used_.insert("comment");
    used_.insert("user-context");
  }

  const cc::Value& map() const { return map_; }
  const std::string& context() const { return context_; }

  const cc::Value* get(std::string_view key) {
    const cc::Value* v = map_.find(key);
    if (v) {
      used_.emplace(key);
    }
    return v;
  }

  [[noreturn]] void failAt(const cc::Value* at, std::string_view message) const {
    fail(context_ + std::string(message), at ? at->position() : map_.position());
  }

  [[noreturn]] void missing(std::string_view key) const {
    failAt(nullptr, "missing mandatory parameter '" + std::string(key) + "'");
  }

  std::optional<bool> boolean(std::string_view key) {
    const cc::Value* v = get(key);
    if (!v) {
      return std::nullopt;
    }
    if (!v->isBool()) {
      failAt(v, "'" + std::string(key) + "' must be true or false, got " +
                    std::string(v->typeName()));
    }
    return v->asBool();
  }

  /// An integer in [min, max]; `unit` ("milliseconds") helps the operator.
  std::optional<uint32_t> integer(std::string_view key, int64_t min, int64_t max,
                                  std::string_view unit = {}) {
    const cc::Value* v = get(key);
    if (!v) {
      return std::nullopt;
    }
    std::string what = "'" + std::string(key) + "' must be ";
    what += min > 0 ? "a positive integer" : "a non-negative integer";
    if (!unit.empty()) {
      what += " (" + std::string(unit) + ")";
    }
    if (!v->isInt()) {
      failAt(v, what + ", got " + std::string(v->typeName()));
    }
    int64_t x = v->asInt();
    if (x < min || x > max) {
      failAt(v, what + " not above " + std::to_string(max) + ", got " + std::to_string(x));
    }
    return static_cast<uint32_t>(x);
  }

  std::optional<std::string> string(std::string_view key) {
    const cc::Value* v = get(key);
    if (!v) {
      return std::nullopt;
    }
    if (!v->isString()) {
      failAt(v, "'" + std::string(key) + "' must be a string, got " + std::string(v->typeName()));
    }
    return v->asString();
  }

  std::string requiredString(std::string_view key) {
    auto s = string(key);
    if (!s) {
      missing(key);
    }
    return *s;
  }

  void finish() const {
    for (const auto& [key, value] : map_.asMap()) {
      if (!used_.count(key)) {
        failAt(&value, "unknown parameter '" + key + "'");
      }
    }
  }

 private:
  const cc::Value& map_;
  std::string context_;
  std::set<std::string, std::less<>> used_;
};

std::optional<HaMode> modeFromName(std::string_view name) {
  for (HaMode m : {HaMode::kLoadBalancing, HaMode::kHotStandby, HaMode::kPassiveBackup}) {
    if (modeName(m) == name) {
      return m;
    }
  }
  return std::nullopt;
}

std::optional<PeerRole> roleFromName(std::string_view name) {
  for (PeerRole r : {PeerRole::kPrimary, PeerRole::kSecondary, PeerRole::kStandby,
                     PeerRole::kBackup}) {
    if (roleName(r) == name) {
      return r;
    }
  }
  return std::nullopt;
}

bool isHostNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_';
}

/// Splits an http(s) URL into its parts; returns why it is not usable, or "" when it is.
std::string parseUrl(const std::string& url, PeerConfig& peer) {
  auto sep = url.find("://");
  if (sep == std::string::npos) {
    return "no http:// or https:// scheme";
  }
  std::string scheme = toLower(url.substr(0, sep));
  if (scheme == "http") {
    peer.https = false;
  } else if (scheme == "https") {
    peer.https = true;
  } else {
    return "scheme '" + url.substr(0, sep) + "' is not supported";
  }
  std::string rest = url.substr(sep + 3);
  size_t end = rest.find_first_of("/?#");
  std::string authority = rest.substr(0, end);
  std::string path = end == std::string::npos ? "" : rest.substr(end);
  if (authority.find('@') != std::string::npos) {
    return "user names in the URL are not supported (use 'basic-auth-user')";
  }
  if (authority.empty()) {
    return "no host";
  }
  std::string host;
  std::string port_text;
  bool has_port = false;
  if (authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) {
      return "missing ']' after the IPv6 address";
    }
    host = authority.substr(1, close - 1);
    if (!IPv6Address::parse(host)) {
      return "'" + host + "' is not a valid IPv6 address";
    }
    std::string after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') {
        return "unexpected '" + after + "' after the IPv6 address";
      }
      has_port = true;
      port_text = after.substr(1);
    }
  } else {
    auto colon = authority.find(':');
    host = authority.substr(0, colon);
    if (colon != std::string::npos) {
      if (authority.find(':', colon + 1) != std::string::npos) {
        return "an IPv6 address must be written in brackets, e.g. http://[2001:db8::1]:8000/";
      }
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    if (host.empty()) {
      return "no host";
    }
    if (!std::all_of(host.begin(), host.end(), isHostNameChar)) {
      return "'" + host + "' is not a valid host name or address";
    }
    bool numeric = std::all_of(host.begin(), host.end(),
                               [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    if (numeric && !IPv4Address::parse(host)) {
      return "'" + host + "' is not a valid IPv4 address";
    }
  }
  uint32_t port = peer.https ? 443 : 80;
  if (has_port) {
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(),
                     [](char c) { return c >= '0' && c <= '9'; })) {
      return "invalid port '" + port_text + "'";
    }
    port = static_cast<uint32_t>(std::stoul(port_text));
    if (port == 0 || port > 65535) {
      return "port " + port_text + " is out of range [1, 65535]";
    }
  }
  if (path.empty()) {
    path = "/";
  } else if (path[0] != '/') {
    path = "/" + path;
  }
  peer.host = host;
  peer.port = static_cast<uint16_t>(port);
  peer.path = path;
  return {};
}

/// Why `path` cannot be read ("" when it can). A trust anchor may be a CA directory.
std::string unreadable(const std::string& path, bool directory_ok) {
  std::error_code ec;
  errno = 0;
  if (std::filesystem::is_directory(path, ec)) {
    if (!directory_ok) {
      return "it is a directory, not a file";
    }
    if (::access(path.c_str(), R_OK | X_OK) != 0) {
      return std::strerror(errno);
    }
    return {};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return std::strerror(errno != 0 ? errno : ENOENT);
  }
  return {};
}

/// The content of a credential file without its final line end (editors add one); the same
/// rule as the control sockets' `password-file`.
std::string readCredentialFile(Section& s, const cc::Value* at, const std::string& path) {
  errno = 0;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    s.failAt(at, "cannot read 'basic-auth-password-file' '" + path + "': " +
                     std::strerror(errno != 0 ? errno : ENOENT));
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string content = text.str();
  if (!content.empty() && content.back() == '\n') {
    content.pop_back();
    if (!content.empty() && content.back() == '\r') {
      content.pop_back();
    }
  }
  return content;
}

/// Relationship-wide TLS files and where they were written.
struct GlobalTls {
  std::string trust_anchor, cert_file, key_file;
  const cc::Value* trust_anchor_at = nullptr;
  const cc::Value* cert_file_at = nullptr;
  const cc::Value* key_file_at = nullptr;
};

struct ParsedPeer {
  PeerConfig peer;
  cc::Position position;
  const cc::Value* role_at = nullptr;
};

void parseTlsFile(Section& s, std::string_view key, std::string& out, const cc::Value*& at) {
  if (auto v = s.string(key)) {
    out = *v;
    at = s.map().find(key);
  }
}

/// Fills peer.tls for an https peer from its own files, else the relationship's, and checks
/// they make sense and can be read now (not at the first heartbeat).
void resolvePeerTls(Section& s, ParsedPeer& pp, const GlobalTls& global, bool is_this_server,
                    bool listener_needs_cert, bool require_client_certs) {
  GlobalTls own;
  parseTlsFile(s, "trust-anchor", own.trust_anchor, own.trust_anchor_at);
  parseTlsFile(s, "cert-file", own.cert_file, own.cert_file_at);
  parseTlsFile(s, "key-file", own.key_file, own.key_file_at);
  PeerConfig& peer = pp.peer;
  if (!peer.https) {
    return;
  }
  auto pick = [&](const std::string& mine, const cc::Value* mine_at, const std::string& theirs,
                  const cc::Value* theirs_at, std::string_view key) {
    struct Choice {
      std::string value;
      const cc::Value* at;
      bool own;
      std::string_view key;
    };
    if (mine_at) {
      return Choice{mine, mine_at, true, key};
    }
    return Choice{theirs, theirs_at, false, key};
  };
  auto ca = pick(own.trust_anchor, own.trust_anchor_at, global.trust_anchor,
                 global.trust_anchor_at, "trust-anchor");
  auto cert = pick(own.cert_file, own.cert_file_at, global.cert_file, global.cert_file_at,
                   "cert-file");
  auto key = pick(own.key_file, own.key_file_at, global.key_file, global.key_file_at,
                  "key-file");
  if (ca.value.empty()) {
    s.failAt(nullptr, "the https URL '" + peer.url +
                          "' needs a 'trust-anchor' (CA file or directory) for this peer or "
                          "for the relationship, or use an http:// URL");
  }
  if (cert.value.empty() != key.value.empty()) {
    const auto& given = cert.value.empty() ? key : cert;
    s.failAt(given.at, "'cert-file' and 'key-file' go together: set both or neither");
  }
  if (is_this_server && listener_needs_cert && cert.value.empty()) {
    s.failAt(nullptr, "this server's https URL is served by the dedicated HA listener, which "
                      "needs 'cert-file' and 'key-file'");
  }
  for (const auto* choice : {&ca, &cert, &key}) {
    if (choice->value.empty()) {
      continue;
    }
    std::string why = unreadable(choice->value, choice == &ca);
    if (!why.empty()) {
      std::string msg = "cannot read '" + std::string(choice->key) + "' '" + choice->value +
                        "': " + why;
      if (choice->own) {
        s.failAt(choice->at, msg);
      }
      fail(msg, choice->at ? choice->at->position() : cc::Position{});
    }
  }
  http::TlsConfig tls;
  tls.trust_anchor = ca.value;
  tls.cert_file = cert.value;
  tls.key_file = key.value;
  tls.cert_required = require_client_certs;
  peer.tls = tls;
}

ParsedPeer parsePeer(const cc::Value& v, size_t index, const GlobalTls& global,
                     const std::string& this_server_name, bool listener_needs_cert,
                     bool require_client_certs) {
  ParsedPeer pp;
  pp.position = v.position();
  std::string where = "peers[" + std::to_string(index) + "]: ";
  Section s(v, where, "a peer");
  const cc::Value* name_at = s.get("name");
  if (!name_at) {
    s.missing("name");
  }
  if (!name_at->isString()) {
    s.failAt(name_at, "'name' must be a string, got " + std::string(name_at->typeName()));
  }
  PeerConfig& peer = pp.peer;
  peer.name = std::string(trim(name_at->asString()));
  if (peer.name.empty()) {
    s.failAt(name_at, "'name' must not be empty");
  }
  // From here on, messages name the peer rather than its index.
  Section p(v, "peer '" + peer.name + "': ", "a peer");
  p.get("name");

  peer.url = p.requiredString("url");
  std::string why = parseUrl(peer.url, peer);
  if (!why.empty()) {
    p.failAt(p.map().find("url"), "'url' must be http://host:port/ or https://host:port/ (got '" +
                                      peer.url + "': " + why + ")");
  }

  std::string role = p.requiredString("role");
  pp.role_at = p.map().find("role");
  auto r = roleFromName(role);
  if (!r) {
    p.failAt(pp.role_at,
             "'role' must be primary, secondary, standby or backup (got '" + role + "')");
  }
  peer.role = *r;
  peer.auto_failover = p.boolean("auto-failover").value_or(true);

  auto user = p.string("basic-auth-user");
  auto password = p.string("basic-auth-password");
  auto password_file = p.string("basic-auth-password-file");
  if (password && password_file) {
    p.failAt(p.map().find("basic-auth-password-file"),
             "'basic-auth-password' and 'basic-auth-password-file' are mutually exclusive");
  }
  if (user) {
    if (user->find(':') != std::string::npos) {
      p.failAt(p.map().find("basic-auth-user"), "'basic-auth-user' must not contain a ':'");
    }
    peer.basic_auth_user = *user;
  }
  if (password) {
    peer.basic_auth_password = *password;
  } else if (password_file) {
    peer.basic_auth_password =
        readCredentialFile(p, p.map().find("basic-auth-password-file"), *password_file);
  }

  resolvePeerTls(p, pp, global, peer.name == this_server_name, listener_needs_cert,
                 require_client_certs);
  p.finish();
  return pp;
}

void checkRoles(HaConfig& cfg, const std::vector<ParsedPeer>& parsed,
                const cc::Position& relationship) {
  std::map<PeerRole, std::vector<const ParsedPeer*>> by_role;
  for (const auto& pp : parsed) {
    by_role[pp.peer.role].push_back(&pp);
  }
  std::string mode(modeName(cfg.mode));
  auto allowed = [&](PeerRole role) {
    switch (cfg.mode) {
      case HaMode::kLoadBalancing:
        return role != PeerRole::kStandby;
      case HaMode::kHotStandby:
        return role != PeerRole::kSecondary;
      case HaMode::kPassiveBackup:
        return role == PeerRole::kPrimary || role == PeerRole::kBackup;
    }
    return false;
  };
  std::string roles = cfg.mode == HaMode::kLoadBalancing ? "primary, secondary or backup"
                       : cfg.mode == HaMode::kHotStandby ? "primary, standby or backup"
                                                         : "primary or backup";
  for (const auto& pp : parsed) {
    if (!allowed(pp.peer.role)) {
      fail("peer '" + pp.peer.name + "': role '" + std::string(roleName(pp.peer.role)) +
               "' is not valid in " + mode + " mode (use " + roles + ")",
           pp.role_at ? pp.role_at->position() : pp.position);
    }
  }
  std::string needs = cfg.mode == HaMode::kLoadBalancing ? "load-balancing needs one primary and "
                                                           "one secondary"
                      : cfg.mode == HaMode::kHotStandby ? "hot-standby needs one primary and "
                                                          "one standby"
                                                        : "passive-backup needs one primary";
  needs += " (plus any number of backup servers)";
  for (PeerRole role : {PeerRole::kPrimary, PeerRole::kSecondary, PeerRole::kStandby}) {
    const auto& list = by_role[role];
    if (list.size() > 1) {
      std::vector<std::string> names;
      for (const auto* pp : list) {
        names.push_back("'" + pp->peer.name + "'");
      }
      fail(needs + ": peers " + joined(names) + " all have role '" +
               std::string(roleName(role)) + "'",
           list[1]->role_at ? list[1]->role_at->position() : list[1]->position);
    }
  }
  auto require = [&](PeerRole role) {
    if (by_role[role].empty()) {
      fail(needs + ": no peer has role '" + std::string(roleName(role)) + "'", relationship);
    }
  };
  require(PeerRole::kPrimary);
  if (cfg.mode == HaMode::kLoadBalancing) {
    require(PeerRole::kSecondary);
  } else if (cfg.mode == HaMode::kHotStandby) {
    require(PeerRole::kStandby);
  } else if (by_role[PeerRole::kBackup].empty()) {
    cfg.warnings.push_back(
        "passive-backup with no backup server: leases are kept on the primary only");
  }
}

void parseStateMachine(HaConfig& cfg, const cc::Value& v) {
  if (!v.isMap()) {
    fail("'state-machine' must be a map, got " + std::string(v.typeName()), v.position());
  }
  Section sm(v, "'state-machine': ", "'state-machine'");
  const cc::Value* states = sm.get("states");
  if (states) {
    if (!states->isList()) {
      sm.failAt(states, "'states' must be a list, got " + std::string(states->typeName()));
    }
    size_t i = 0;
    for (const auto& entry : states->asList()) {
      Section st(entry, "'state-machine' states[" + std::to_string(i) + "]: ", "a state");
      std::string name = st.requiredString("state");
      auto state = stateFromName(name);
      if (!state) {
        std::vector<std::string> names;
        for (int i = 0; i <= static_cast<int>(HaState::kUnavailable); ++i) {
          names.emplace_back(stateName(static_cast<HaState>(i)));
        }
        st.failAt(st.map().find("state"),
                  "unknown state '" + name + "' (states: " + joined(names) + ")");
      }
      StatePause pause = StatePause::kNever;
      if (auto p = st.string("pause")) {
        if (*p == "always") {
          pause = StatePause::kAlways;
        } else if (*p == "never") {
          pause = StatePause::kNever;
        } else if (*p == "once") {
          pause = StatePause::kOnce;
        } else {
          st.failAt(st.map().find("pause"),
                    "'pause' must be always, never or once (got '" + *p + "')");
        }
      }
      for (const auto& [s, _] : cfg.state_pauses) {
        if (s == *state) {
          st.failAt(st.map().find("state"), "state '" + name + "' is configured twice");
        }
      }
      cfg.state_pauses.emplace_back(*state, pause);
      st.finish();
      ++i;
    }
  }
  sm.finish();
}

void parseMultiThreading(HaConfig& cfg, const cc::Value& v) {
  if (!v.isMap()) {
    fail("'multi-threading' must be a map, got " + std::string(v.typeName()), v.position());
  }
  Section mt(v, "'multi-threading': ", "'multi-threading'");
  cfg.enable_multi_threading = mt.boolean("enable-multi-threading").value_or(false);
  cfg.http_dedicated_listener = mt.boolean("http-dedicated-listener").value_or(false);
  cfg.http_listener_threads =
      mt.integer("http-listener-threads", 0, 0xffffffffLL, "0 = number of cores").value_or(0);
  cfg.http_client_threads =
      mt.integer("http-client-threads", 0, 0xffffffffLL, "0 = number of cores").value_or(0);
  mt.finish();
}

void addWarnings(HaConfig& cfg) {
  if (cfg.max_response_delay_ms <= cfg.heartbeat_delay_ms) {
    cfg.warnings.push_back(
        "'max-response-delay' (" + std::to_string(cfg.max_response_delay_ms) +
        " ms) is not greater than 'heartbeat-delay' (" + std::to_string(cfg.heartbeat_delay_ms) +
        " ms): communication will look interrupted between two heartbeats; make it several "
        "heartbeats long");
  }
  if (!cfg.send_lease_updates) {
    cfg.warnings.push_back(
        "'send-lease-updates' is false: the partner learns no lease from this server "
        "(only right with a shared lease database)");
  }
  if (!cfg.sync_leases) {
    cfg.warnings.push_back(
        "'sync-leases' is false: this server will not fetch the partner's leases at start-up "
        "(only right with a shared lease database)");
  }
  if (!cfg.thisServer().auto_failover) {
    cfg.warnings.push_back("'auto-failover' is false for this server ('" + cfg.this_server_name +
                           "'): it will not take over the partner's clients by itself; use "
                           "the ha-scopes command");
  }
}

}  // namespace

HaConfig parseHaConfig(const cc::Value& parameters) {
  if (!parameters.isMap()) {
    fail("the library needs \"parameters\": {\"high-availability\": [ {...} ]}, got " +
             std::string(parameters.typeName()),
         parameters.position());
  }
  const cc::Value* list = parameters.find(kSection);
  if (!list) {
    fail("missing the 'high-availability' parameter of the library (\"parameters\": "
         "{\"high-availability\": [ {...} ]})",
         parameters.position());
  }
  for (const auto& [key, value] : parameters.asMap()) {
    if (key != kSection && key != "comment" && key != "user-context") {
      fail("unknown library parameter '" + key + "' (only 'high-availability' is read)",
           value.position());
    }
  }
  if (!list->isList()) {
    fail("'high-availability' must be a list holding one relationship map, got " +
             std::string(list->typeName()),
         list->position());
  }
  if (list->asList().empty()) {
    fail("'high-availability' must hold one relationship map, got an empty list",
         list->position());
  }
  if (list->asList().size() > 1) {
    fail("found " + std::to_string(list->asList().size()) +
             " relationships; Kea 2.2 and Takahe support exactly one per server: keep one map "
             "in the list",
         list->asList()[1].position());
  }

  const cc::Value& rel = list->asList()[0];
  Section s(rel, "", "the relationship");
  HaConfig cfg;

  // The mode first: defaults depend on it.
  std::string mode = s.requiredString("mode");
  auto m = modeFromName(mode);
  if (!m) {
    s.failAt(s.map().find("mode"),
             "'mode' must be load-balancing, hot-standby or passive-backup (got '" + mode + "')");
  }
  cfg.mode = *m;

  const cc::Value* tsn_at = s.get("this-server-name");
  if (!tsn_at) {
    s.missing("this-server-name");
  }
  if (!tsn_at->isString()) {
    s.failAt(tsn_at, "'this-server-name' must be a string, got " +
                         std::string(tsn_at->typeName()));
  }
  cfg.this_server_name = std::string(trim(tsn_at->asString()));
  if (cfg.this_server_name.empty()) {
    s.failAt(tsn_at, "'this-server-name' must not be empty");
  }

  // Kea keeps these three in 16 bits; the same limit keeps one HA block valid on both.
  constexpr int64_t kMaxDelay = 65535;
  constexpr int64_t kMax32 = 0xffffffffLL;
  cfg.heartbeat_delay_ms =
      s.integer("heartbeat-delay", 1, kMaxDelay, "milliseconds").value_or(10000);
  cfg.max_response_delay_ms =
      s.integer("max-response-delay", 0, kMaxDelay, "milliseconds").value_or(60000);
  cfg.max_ack_delay_ms = s.integer("max-ack-delay", 0, kMaxDelay, "milliseconds").value_or(10000);
  cfg.max_unacked_clients =
      s.integer("max-unacked-clients", 0, kMax32, "clients; 0 = fail over at once")
          .value_or(10);
  cfg.max_rejected_lease_updates =
      s.integer("max-rejected-lease-updates", 0, kMax32, "0 = never terminate").value_or(10);
  const cc::Value* dul_at = s.map().find("delayed-updates-limit");
  cfg.delayed_updates_limit =
      s.integer("delayed-updates-limit", 0, kMax32, "lease updates")
          .value_or(cfg.mode == HaMode::kLoadBalancing ? 100 : 0);
  cfg.send_lease_updates = s.boolean("send-lease-updates").value_or(true);
  cfg.sync_leases = s.boolean("sync-leases").value_or(true);
  cfg.sync_timeout_ms = s.integer("sync-timeout", 0, kMax32, "milliseconds").value_or(60000);
  cfg.sync_page_limit = s.integer("sync-page-limit", 0, kMax32, "leases").value_or(10000);
  const cc::Value* wba_at = s.map().find("wait-backup-ack");
  cfg.wait_backup_ack = s.boolean("wait-backup-ack").value_or(false);
  cfg.require_client_certs = s.boolean("require-client-certs").value_or(true);
  cfg.restrict_commands = s.boolean("restrict-commands").value_or(false);

  GlobalTls global;
  parseTlsFile(s, "trust-anchor", global.trust_anchor, global.trust_anchor_at);
  parseTlsFile(s, "cert-file", global.cert_file, global.cert_file_at);
  parseTlsFile(s, "key-file", global.key_file, global.key_file_at);
  cfg.trust_anchor = global.trust_anchor;
  cfg.cert_file = global.cert_file;
  cfg.key_file = global.key_file;

  if (const cc::Value* mt = s.get("multi-threading")) {
    parseMultiThreading(cfg, *mt);
  }
  if (const cc::Value* sm = s.get("state-machine")) {
    parseStateMachine(cfg, *sm);
  }

  const cc::Value* peers = s.get("peers");
  if (!peers) {
    s.missing("peers");
  }
  if (!peers->isList()) {
    s.failAt(peers, "'peers' must be a list of peer maps, got " + std::string(peers->typeName()));
  }
  bool listener_needs_cert = cfg.enable_multi_threading && cfg.http_dedicated_listener;
  std::vector<ParsedPeer> parsed;
  size_t index = 0;
  for (const auto& v : peers->asList()) {
    ParsedPeer pp = parsePeer(v, index++, global, cfg.this_server_name, listener_needs_cert,
                              cfg.require_client_certs);
    for (const auto& other : parsed) {
      if (other.peer.name == pp.peer.name) {
        fail("peer name '" + pp.peer.name + "' is used twice: each peer needs its own name",
             pp.position);
      }
    }
    parsed.push_back(std::move(pp));
  }
  s.finish();

  std::vector<std::string> names;
  for (const auto& pp : parsed) {
    names.push_back(pp.peer.name);
  }
  if (std::find(names.begin(), names.end(), cfg.this_server_name) == names.end()) {
    s.failAt(tsn_at, "'this-server-name' '" + cfg.this_server_name +
                         "' is not one of the peers (" +
                         (names.empty() ? std::string("none configured") : joined(names)) + ")");
  }
  checkRoles(cfg, parsed, rel.position());

  if (cfg.mode != HaMode::kLoadBalancing && cfg.delayed_updates_limit != 0) {
    s.failAt(dul_at, "'delayed-updates-limit' must be 0 in " + std::string(modeName(cfg.mode)) +
                         " mode (communication-recovery exists only in load-balancing)");
  }
  if (cfg.mode != HaMode::kPassiveBackup && cfg.wait_backup_ack) {
    s.failAt(wba_at, "'wait-backup-ack' must be false in " + std::string(modeName(cfg.mode)) +
                         " mode (it applies to passive-backup only)");
  }

  for (auto& pp : parsed) {
    cfg.peers.push_back(std::move(pp.peer));
  }
  addWarnings(cfg);
  return cfg;
}

}  // namespace takahe::hooks::ha
