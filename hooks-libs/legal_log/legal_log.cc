// Configuration, state and callouts of the forensic logging library.

#include "legal_log.h"

#include <limits>
#include <vector>

#include "legal_log_messages.h"
#include "takahe/dhcpsrv/srv_config.h"
#include "takahe/util/error.h"

#if __has_include("takahe/eval/expression.h")
#include "takahe/eval/expression.h"
#define TAKAHE_LEGAL_LOG_HAS_EVAL 1
#else
#define TAKAHE_LEGAL_LOG_HAS_EVAL 0
#endif

namespace takahe::hooks::legal_log {

namespace {

using PktPtr = std::shared_ptr<dhcp::Pkt4>;
using LeasePtr = std::shared_ptr<dhcpsrv::Lease4>;
using Leases = std::vector<LeasePtr>;

const char* const kKnownParameters[] = {"path",
                                        "base-name",
                                        "time-unit",
                                        "count",
                                        "max-size",
                                        "prerotate",
                                        "postrotate",
                                        "timestamp-format",
                                        "request-parser-format",
                                        "response-parser-format",
                                        "on-write-failure",
                                        "type"};

/// Committed leases waiting for the response (pkt4_send) when a response format is configured.
struct Pending {
  std::vector<std::pair<Action, dhcpsrv::Lease4>> events;
};
constexpr const char* kPendingContext = "legal-log-pending";

std::mutex g_instance_mu;
std::shared_ptr<LegalLog> g_instance;

std::string paramString(const cc::Value& params, const char* name) {
  const cc::Value* v = params.find(name);
  if (!v) return "";
  if (!v->isString()) {
    cc::throwConfigError(std::string("parameters/") + name,
                         std::string("must be a string, not ") + std::string(v->typeName()),
                         v->position());
  }
  return v->asString();
}

std::shared_ptr<const eval::Expression> compileFormat(const std::string& text, const char* name) {
  if (text.empty()) return nullptr;
#if TAKAHE_LEGAL_LOG_HAS_EVAL
  try {
    return std::shared_ptr<const eval::Expression>(eval::compile(text));
  } catch (const std::exception& e) {
    throw ConfigError(std::string("parameters/") + name + ": " + e.what());
  }
#else
  throw ConfigError(std::string("parameters/") + name +
                    ": this build of Takahe has no expression support (libs/eval)");
#endif
}

std::string evaluate([[maybe_unused]] const eval::Expression& expr,
                     [[maybe_unused]] const dhcp::Pkt4& pkt) {
#if TAKAHE_LEGAL_LOG_HAS_EVAL
  return eval::evaluateString(expr, pkt);
#else
  return "";
#endif
}

void collectExcluded(const cc::Value* subnets, std::set<uint32_t>& out) {
  if (!subnets || !subnets->isList()) return;
  for (const auto& s : subnets->asList()) {
    if (!s.isMap()) continue;
    const cc::Value* id = s.find("id");
    const cc::Value* ctx = s.find("user-context");
    if (!id || !id->isInt() || !ctx || !ctx->isMap()) continue;
    const cc::Value* flag = ctx->find("legal-logging");
    if (flag && flag->isBool() && !flag->asBool()) out.insert(static_cast<uint32_t>(id->asInt()));
  }
}

/// Writes one event; on failure logs it and, with on-write-failure "drop", drops the packet.
int writeOrFail(LegalLog& log, CalloutHandle& handle, Action action, const dhcpsrv::Lease4& lease,
                const dhcp::Pkt4* query, const dhcp::Pkt4* response) {
  try {
    log.log(action, lease, query, response);
    return 0;
  } catch (const std::exception& e) {
    TAKAHE_LOG(legalLogger(), LEGAL_LOG_WRITE_FAILED, lease.address.toString(), e.what());
    if (log.onWriteFailure() == OnWriteFailure::kDrop) handle.setStatus(NextStep::kDrop);
    return 1;
  }
}

template <class T>
T argumentOr(const CalloutHandle& handle, const char* name, T fallback) {
  if (!handle.hasArgument(name)) return fallback;
  T v;
  handle.getArgument(name, v);
  return v;
}

}  // namespace

const log::Logger& legalLogger() {
  static const log::Logger logger("legal-log-hooks");
  return logger;
}

LegalLogConfig parseParameters(const cc::Value& params, const std::string& default_path) {
  if (!params.isMap()) {
    cc::throwConfigError("parameters", "must be a map", params.position());
  }
  for (const auto& [name, value] : params.asMap()) {
    bool known = false;
    for (const char* k : kKnownParameters) known = known || name == k;
    if (!known) {
      cc::throwConfigError("parameters/" + name,
                           "unknown parameter of libdhcp_legal_log (known: path, base-name, "
                           "time-unit, count, max-size, prerotate, postrotate, timestamp-format, "
                           "request-parser-format, response-parser-format, on-write-failure)",
                           value.position());
    }
  }
  LegalLogConfig c;
  if (std::string type = paramString(params, "type"); !type.empty() && type != "logfile") {
    cc::throwConfigError("parameters/type",
                         "'" + type +
                             "' is not supported: Takahe's legal log writes files only "
                             "(remove 'type' or set it to \"logfile\")",
                         params.find("type")->position());
  }
  c.file.path = params.contains("path") ? paramString(params, "path") : default_path;
  if (params.contains("base-name")) c.file.base_name = paramString(params, "base-name");
  if (params.contains("time-unit")) {
    std::string unit = paramString(params, "time-unit");
    if (unit == "second") {
      c.file.unit = TimeUnit::kSecond;
    } else if (unit == "day") {
      c.file.unit = TimeUnit::kDay;
    } else if (unit == "month") {
      c.file.unit = TimeUnit::kMonth;
    } else if (unit == "year") {
      c.file.unit = TimeUnit::kYear;
    } else {
      cc::throwConfigError("parameters/time-unit",
                           "'" + unit + "' is not one of second, day, month, year",
                           params.find("time-unit")->position());
    }
  }
  auto intParam = [&](const char* name, int64_t max) -> std::optional<int64_t> {
    const cc::Value* v = params.find(name);
    if (!v) return std::nullopt;
    if (!v->isInt() || v->asInt() < 0 || v->asInt() > max) {
      cc::throwConfigError(std::string("parameters/") + name,
                           "must be an integer from 0 to " + std::to_string(max), v->position());
    }
    return v->asInt();
  };
  if (auto n = intParam("count", std::numeric_limits<uint32_t>::max())) {
    c.file.count = static_cast<uint32_t>(*n);
  }
  if (auto n = intParam("max-size", std::numeric_limits<int64_t>::max())) {
    c.file.max_size = static_cast<uint64_t>(*n);
  }
  c.file.prerotate = paramString(params, "prerotate");
  c.file.postrotate = paramString(params, "postrotate");
  if (params.contains("timestamp-format")) {
    c.file.timestamp_format = paramString(params, "timestamp-format");
  }
  c.request_format = paramString(params, "request-parser-format");
  c.response_format = paramString(params, "response-parser-format");
  if (std::string f = paramString(params, "on-write-failure"); !f.empty()) {
    if (f == "continue") {
      c.on_write_failure = OnWriteFailure::kContinue;
    } else if (f == "drop") {
      c.on_write_failure = OnWriteFailure::kDrop;
    } else {
      cc::throwConfigError("parameters/on-write-failure",
                           "'" + f + "' is not one of continue, drop",
                           params.find("on-write-failure")->position());
    }
  }
  return c;
}

LegalLog::LegalLog(LegalLogConfig config, Clock clock)
    : config_(std::move(config)),
      file_(config_.file, std::move(clock)),
      request_expr_(compileFormat(config_.request_format, "request-parser-format")),
      response_expr_(compileFormat(config_.response_format, "response-parser-format")) {}

LegalLog::~LegalLog() = default;

std::string LegalLog::entry(Action action, const dhcpsrv::Lease4& lease, const dhcp::Pkt4* query,
                            const dhcp::Pkt4* response) const {
  if (request_expr_ || response_expr_) {
    std::string text;
    if (request_expr_ && query) text = evaluate(*request_expr_, *query);
    if (response_expr_ && response) text += evaluate(*response_expr_, *response);
    return text;
  }
  return leaseEntry(action, lease, query);
}

void LegalLog::log(Action action, const dhcpsrv::Lease4& lease, const dhcp::Pkt4* query,
                   const dhcp::Pkt4* response) {
  if (excluded(lease.subnet_id)) return;
  file_.write(entry(action, lease, query, response));
}

void LegalLog::setExcludedSubnets(std::set<uint32_t> ids) {
  std::lock_guard lock(mu_);
  excluded_ = std::move(ids);
}

bool LegalLog::excluded(SubnetId id) const {
  std::lock_guard lock(mu_);
  return excluded_.count(id.value) != 0;
}

std::set<uint32_t> excludedSubnets(const cc::Value& dhcp4) {
  std::set<uint32_t> out;
  if (!dhcp4.isMap()) return out;
  collectExcluded(dhcp4.find("subnet4"), out);
  if (const cc::Value* nets = dhcp4.find("shared-networks"); nets && nets->isList()) {
    for (const auto& n : nets->asList()) {
      if (n.isMap()) collectExcluded(n.find("subnet4"), out);
    }
  }
  return out;
}

void setInstance(std::shared_ptr<LegalLog> log) {
  std::lock_guard lock(g_instance_mu);
  g_instance = std::move(log);
}

std::shared_ptr<LegalLog> instance() {
  std::lock_guard lock(g_instance_mu);
  return g_instance;
}

int leases4Committed(CalloutHandle& handle) {
  auto log = instance();
  if (!log || handle.getStatus() == NextStep::kDrop) return 0;
  PktPtr query = argumentOr<PktPtr>(handle, "query4", nullptr);
  // A RELEASE or DECLINE also ends in leases4_committed; lease4_release and lease4_decline have
  // recorded it already.
  if (query && (query->messageType() == dhcp::MessageType::kRelease ||
                query->messageType() == dhcp::MessageType::kDecline)) {
    return 0;
  }
  Leases leases = argumentOr<Leases>(handle, "leases4", {});
  Leases deleted = argumentOr<Leases>(handle, "deleted_leases4", {});

  if (log->waitsForResponse()) {
    Pending pending;
    for (const auto& l : leases) {
      if (l) pending.events.emplace_back(commitAction(query.get(), *l), *l);
    }
    for (const auto& l : deleted) {
      if (l) pending.events.emplace_back(Action::kRelease, *l);
    }
    if (!pending.events.empty()) handle.setContext(kPendingContext, std::move(pending));
    return 0;
  }

  int rc = 0;
  for (const auto& l : leases) {
    if (l) rc |= writeOrFail(*log, handle, commitAction(query.get(), *l), *l, query.get(), nullptr);
  }
  for (const auto& l : deleted) {
    if (l) rc |= writeOrFail(*log, handle, Action::kRelease, *l, query.get(), nullptr);
  }
  return rc;
}

int pkt4Send(CalloutHandle& handle) {
  auto log = instance();
  if (!log || !handle.hasContext(kPendingContext)) return 0;
  Pending pending;
  handle.getContext(kPendingContext, pending);
  handle.deleteContext(kPendingContext);
  if (handle.getStatus() == NextStep::kDrop) return 0;  // nothing is sent
  PktPtr query = argumentOr<PktPtr>(handle, "query4", nullptr);
  PktPtr response = argumentOr<PktPtr>(handle, "response4", nullptr);
  int rc = 0;
  for (const auto& [action, lease] : pending.events) {
    rc |= writeOrFail(*log, handle, action, lease, query.get(), response.get());
  }
  return rc;
}

namespace {
int singleLease(CalloutHandle& handle, Action action) {
  auto log = instance();
  if (!log) return 0;
  // A SKIP by an earlier library means the server keeps the lease: nothing to record.
  if (handle.getStatus() == NextStep::kSkip || handle.getStatus() == NextStep::kDrop) return 0;
  LeasePtr lease = argumentOr<LeasePtr>(handle, "lease4", nullptr);
  if (!lease) return 0;
  PktPtr query = argumentOr<PktPtr>(handle, "query4", nullptr);
  return writeOrFail(*log, handle, action, *lease, query.get(), nullptr);
}
}  // namespace

int lease4Release(CalloutHandle& handle) { return singleLease(handle, Action::kRelease); }
int lease4Decline(CalloutHandle& handle) { return singleLease(handle, Action::kDecline); }
int lease4Expire(CalloutHandle& handle) { return singleLease(handle, Action::kExpire); }

int dhcp4SrvConfigured(CalloutHandle& handle) {
  auto log = instance();
  if (!log) return 0;
  std::shared_ptr<const dhcpsrv::SrvConfig4> cfg;
  if (handle.hasArgument("server_config")) {
    handle.getArgument("server_config", cfg);
  }
  if (cfg) {
    log->setExcludedSubnets(excludedSubnets(cfg->source));
  } else if (handle.hasArgument("json_config")) {
    cc::Value json;
    handle.getArgument("json_config", json);
    const cc::Value* dhcp4 = json.isMap() ? json.find("Dhcp4") : nullptr;
    log->setExcludedSubnets(excludedSubnets(dhcp4 ? *dhcp4 : json));
  }
  return 0;
}

}  // namespace takahe::hooks::legal_log
