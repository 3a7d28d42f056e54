#include "core/communication_state.h"

#include <algorithm>
#include <array>
#include <cstdio>

#include "takahe/dhcp/pkt4.h"
#include "takahe/util/error.h"
#include "takahe/util/hex.h"

namespace takahe::hooks::ha {

namespace {

constexpr int64_t kWarnClockSkewSeconds = 30;
constexpr int64_t kTerminateClockSkewSeconds = 60;

constexpr std::array<const char*, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                  "Thu", "Fri", "Sat"};
constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                 "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Proleptic Gregorian calendar <-> days since 1970-01-01 (H. Hinnant's civil algorithms),
// so no time zone or locale takes part.
int64_t daysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
}

int64_t floorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0); }

bool digits(const std::string& s, size_t pos, size_t n, unsigned& out) {
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return false;
    }
    out = out * 10 + static_cast<unsigned>(s[i] - '0');
  }
  return true;
}

unsigned daysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

[[noreturn]] void badField(std::string_view field, const std::string& why) {
  throw Error("ha-heartbeat answer: '" + std::string(field) + "' " + why);
}

/// Identifies a client across retries: hardware address and client identifier (either may
/// be empty), as Kea does.
std::string clientKey(const dhcp::Pkt4& query) {
  std::string key = toHex(query.hwAddr().bytes, '\0');
  key += '/';
  if (const Bytes* cid = query.option(dhcp::opt::kClientId)) {
    key += toHex(*cid, '\0');
  }
  return key;
}

}  // namespace

std::string httpDate(int64_t unix_seconds) {
  int64_t days = floorDiv(unix_seconds, 86400);
  int64_t secs = unix_seconds - days * 86400;
  int64_t year;
  unsigned month, day;
  civilFromDays(days, year, month, day);
  // 1970-01-01 was a Thursday (index 4).
  int64_t weekday = ((days % 7) + 7 + 4) % 7;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%s, %02u %s %04lld %02lld:%02lld:%02lld GMT",
                kWeekdays[static_cast<size_t>(weekday)], day, kMonths[month - 1],
                static_cast<long long>(year), static_cast<long long>(secs / 3600),
                static_cast<long long>((secs / 60) % 60), static_cast<long long>(secs % 60));
  return buf;
}

std::optional<int64_t> parseHttpDate(const std::string& text) {
  // "Thu, 07 Nov 2019 08:49:37 GMT": fixed width, 29 characters.
  if (text.size() != 29 || text.compare(3, 2, ", ") != 0 || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.compare(25, 4, " GMT") != 0) {
    return std::nullopt;
  }
  std::string wday = text.substr(0, 3);
  if (std::none_of(kWeekdays.begin(), kWeekdays.end(),
                   [&](const char* w) { return wday == w; })) {
    return std::nullopt;
  }
  std::string mon = text.substr(8, 3);
  auto it = std::find_if(kMonths.begin(), kMonths.end(), [&](const char* m) { return mon == m; });
  if (it == kMonths.end()) {
    return std::nullopt;
  }
  unsigned month = static_cast<unsigned>(it - kMonths.begin()) + 1;
  unsigned day, year, hour, minute, second;
  if (!digits(text, 5, 2, day) || !digits(text, 12, 4, year) || !digits(text, 17, 2, hour) ||
      !digits(text, 20, 2, minute) || !digits(text, 23, 2, second)) {
    return std::nullopt;
  }
  if (day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  return daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
         std::min(second, 59u);
}

PartnerHeartbeat parseHeartbeat(const cc::Value& arguments) {
  if (!arguments.isMap()) {
    throw Error("ha-heartbeat answer: 'arguments' must be a map, got " +
                std::string(arguments.typeName()));
  }
  PartnerHeartbeat hb;

  const cc::Value* state = arguments.find("state");
  if (!state) {
    badField("state", "is missing");
  }
  if (!state->isString()) {
    badField("state", "must be a string, got " + std::string(state->typeName()));
  }
  auto s = stateFromName(state->asString());
  if (!s) {
    badField("state", "'" + state->asString() + "' is not an HA state");
  }
  hb.state = *s;

  const cc::Value* date = arguments.find("date-time");
  if (!date) {
    badField("date-time", "is missing");
  }
  if (!date->isString()) {
    badField("date-time", "must be a string, got " + std::string(date->typeName()));
  }
  auto when = parseHttpDate(date->asString());
  if (!when) {
    badField("date-time", "'" + date->asString() +
                              "' is not an RFC 1123 date such as 'Thu, 07 Nov 2019 08:49:37 GMT'");
  }
  hb.date_time = *when;

  const cc::Value* scopes = arguments.find("scopes");
  if (!scopes) {
    badField("scopes", "is missing");
  }
  if (!scopes->isList()) {
    badField("scopes", "must be a list of scope names, got " + std::string(scopes->typeName()));
  }
  for (const auto& scope : scopes->asList()) {
    if (!scope.isString()) {
      badField("scopes", "must hold strings, got " + std::string(scope.typeName()));
    }
    if (!scope.asString().empty()) {
      hb.scopes.push_back(scope.asString());
    }
  }
  std::sort(hb.scopes.begin(), hb.scopes.end());
  hb.scopes.erase(std::unique(hb.scopes.begin(), hb.scopes.end()), hb.scopes.end());

  if (const cc::Value* unsent = arguments.find("unsent-update-count")) {
    if (!unsent->isInt() || unsent->asInt() < 0) {
      badField("unsent-update-count", "must be a non-negative integer, got " +
                                          (unsent->isInt() ? std::to_string(unsent->asInt())
                                                           : std::string(unsent->typeName())));
    }
    hb.unsent_update_count = static_cast<uint64_t>(unsent->asInt());
  }
  return hb;
}

CommunicationState::CommunicationState(const HaConfig& config, const PeerConfig& partner)
    : config_(config), partner_(partner), last_ok_(Clock::now()) {}

void CommunicationState::heartbeatOk(const PartnerHeartbeat& hb, Clock::time_point now,
                                     int64_t local_unix) {
  std::lock_guard lock(mu_);
  previous_unsent_ = last_.unsent_update_count;
  last_ = hb;
  skew_s_ = hb.date_time - local_unix;
  in_touch_ = true;
  state_known_ = true;
  last_ok_ = now;
  unacked_.clear();
  connecting_.clear();
  analyzed_ = 0;
}

void CommunicationState::heartbeatFailed(Clock::time_point) {
  std::lock_guard lock(mu_);
  last_.state = HaState::kUnavailable;
  in_touch_ = false;
  state_known_ = true;
}

void CommunicationState::poke(Clock::time_point now) {
  std::lock_guard lock(mu_);
  last_ok_ = now;
  // The partner answers: clients seen while it looked silent no longer count against it.
  unacked_.clear();
  connecting_.clear();
  analyzed_ = 0;
}

HaState CommunicationState::partnerState() const {
  std::lock_guard lock(mu_);
  return last_.state;
}

std::vector<std::string> CommunicationState::partnerScopes() const {
  std::lock_guard lock(mu_);
  return last_.scopes;
}

uint64_t CommunicationState::partnerUnsentUpdateCount() const {
  std::lock_guard lock(mu_);
  return last_.unsent_update_count;
}

bool CommunicationState::hasPartnerNewUnsentUpdates() const {
  std::lock_guard lock(mu_);
  return last_.unsent_update_count > 0 && last_.unsent_update_count != previous_unsent_;
}

int64_t CommunicationState::ageMs(Clock::time_point now) const {
  std::lock_guard lock(mu_);
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - last_ok_).count();
}

bool CommunicationState::inTouch() const {
  std::lock_guard lock(mu_);
  return in_touch_;
}

bool CommunicationState::isCommunicationInterrupted(Clock::time_point now) const {
  return ageMs(now) > static_cast<int64_t>(config_.max_response_delay_ms);
}

bool CommunicationState::failureDetected(Clock::time_point now) const {
  if (!isCommunicationInterrupted(now)) {
    return false;
  }
  std::lock_guard lock(mu_);
  return config_.max_unacked_clients == 0 || unacked_.size() > config_.max_unacked_clients;
}

void CommunicationState::analyzeMessage(const dhcp::Pkt4& query, Clock::time_point now) {
  if (!isCommunicationInterrupted(now)) {
    return;
  }
  auto type = query.messageType();
  if (type != dhcp::MessageType::kDiscover && type != dhcp::MessageType::kRequest) {
    return;
  }
  uint32_t secs = query.secs;
  // Some clients (seen from Windows) send `secs` little-endian: a multiple of 256 with a zero
  // low byte is read byte-swapped, as Kea does.
  if (secs > 255 && (secs & 0xff) == 0) {
    secs >>= 8;
  }
  bool unacked = secs * 1000 > config_.max_ack_delay_ms;
  std::string key = clientKey(query);

  std::lock_guard lock(mu_);
  ++analyzed_;
  if (unacked_.count(key)) {
    return;
  }
  if (unacked) {
    connecting_.erase(key);
    unacked_.insert(key);
  } else {
    connecting_.insert(key);
  }
}

size_t CommunicationState::unackedClients() const {
  std::lock_guard lock(mu_);
  return unacked_.size();
}

size_t CommunicationState::connectingClients() const {
  std::lock_guard lock(mu_);
  return unacked_.size() + connecting_.size();
}

uint64_t CommunicationState::analyzedPackets() const {
  std::lock_guard lock(mu_);
  return analyzed_;
}

void CommunicationState::clearUnackedClients() {
  std::lock_guard lock(mu_);
  unacked_.clear();
  connecting_.clear();
  analyzed_ = 0;
}

int64_t CommunicationState::clockSkewSeconds() const {
  std::lock_guard lock(mu_);
  return skew_s_;
}

bool CommunicationState::clockSkewShouldWarn() const {
  std::lock_guard lock(mu_);
  return skew_s_ > kWarnClockSkewSeconds || skew_s_ < -kWarnClockSkewSeconds;
}

bool CommunicationState::clockSkewShouldTerminate() const {
  std::lock_guard lock(mu_);
  return skew_s_ > kTerminateClockSkewSeconds || skew_s_ < -kTerminateClockSkewSeconds;
}

void CommunicationState::reportRejectedLeaseUpdate(const std::string& lease_key) {
  std::lock_guard lock(mu_);
  rejected_.insert(lease_key);
}

void CommunicationState::reportSuccessfulLeaseUpdate(const std::string& lease_key) {
  std::lock_guard lock(mu_);
  rejected_.erase(lease_key);
}

size_t CommunicationState::rejectedLeaseUpdates() const {
  std::lock_guard lock(mu_);
  return rejected_.size();
}

bool CommunicationState::rejectedLeaseUpdatesShouldTerminate() const {
  std::lock_guard lock(mu_);
  return config_.max_rejected_lease_updates > 0 &&
         rejected_.size() >= config_.max_rejected_lease_updates;
}

void CommunicationState::reset(Clock::time_point now) {
  std::lock_guard lock(mu_);
  last_ = PartnerHeartbeat{};
  previous_unsent_ = 0;
  in_touch_ = false;
  state_known_ = false;
  last_ok_ = now;
  skew_s_ = 0;
  unacked_.clear();
  connecting_.clear();
  analyzed_ = 0;
  rejected_.clear();
}

cc::Value CommunicationState::remoteStatusJson(Clock::time_point now) const {
  bool interrupted = isCommunicationInterrupted(now);
  int64_t age_ms = ageMs(now);
  std::lock_guard lock(mu_);
  cc::List scopes;
  for (const auto& scope : last_.scopes) {
    scopes.emplace_back(scope);
  }
  uint64_t unacked = unacked_.size();
  uint64_t max_unacked = config_.max_unacked_clients;
  // How many more unacked clients it takes to declare the partner down (Kea 2.2 counts the
  // one that crosses the limit).
  uint64_t left = interrupted && max_unacked >= unacked ? max_unacked - unacked + 1 : 0;
  cc::Value out = cc::Value::makeMap();
  out.set("age", state_known_ ? age_ms / 1000 : int64_t{0});
  out.set("analyzed-packets", analyzed_);
  out.set("communication-interrupted", interrupted);
  out.set("connecting-clients", static_cast<uint64_t>(unacked_.size() + connecting_.size()));
  out.set("in-touch", state_known_);
  out.set("last-scopes", cc::Value(std::move(scopes)));
  out.set("last-state", state_known_ ? std::string(stateName(last_.state)) : std::string());
  out.set("role", std::string(roleName(partner_.role)));
  out.set("server-name", partner_.name);
  out.set("unacked-clients", unacked);
  out.set("unacked-clients-left", left);
  return out;
}

}  // namespace takahe::hooks::ha
