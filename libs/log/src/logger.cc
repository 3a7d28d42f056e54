// Logger registry and configuration. log4cplus supplies the appenders and layouts only: levels,
// the name hierarchy and dispatch are kept here, so that the per-message level check is a single
// atomic load and reconfiguration can swap outputs under one lock.

#include "takahe/log/logger.h"

#include <log4cplus/appender.h>
#include <log4cplus/consoleappender.h>
#include <log4cplus/fileappender.h>
#include <log4cplus/helpers/property.h>
#include <log4cplus/layout.h>
#include <log4cplus/loglevel.h>
#include <log4cplus/spi/loggingevent.h>
#include <log4cplus/syslogappender.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdlib>
#include <log4cplus/config.hxx>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <utility>
#include <vector>

#include "takahe/log/config.h"
#include "takahe/util/error.h"
#include "takahe/util/strings.h"

namespace takahe::log {

namespace {

static_assert(detail::levelValue(Severity::kDebug) == log4cplus::DEBUG_LOG_LEVEL);
static_assert(detail::levelValue(Severity::kInfo) == log4cplus::INFO_LOG_LEVEL);
static_assert(detail::levelValue(Severity::kWarn) == log4cplus::WARN_LOG_LEVEL);
static_assert(detail::levelValue(Severity::kError) == log4cplus::ERROR_LOG_LEVEL);
static_assert(detail::levelValue(Severity::kFatal) == log4cplus::FATAL_LOG_LEVEL);

// Above every message level: used once logging is shut down.
constexpr int kThresholdOff = detail::levelValue(Severity::kNone) + 1;

using Sinks = std::vector<log4cplus::SharedAppenderPtr>;
using SinksPtr = std::shared_ptr<const Sinks>;

struct Entry : detail::LoggerCore {
  std::string raw_name;
  std::string full_name;  // guarded by State::mu
  SinksPtr sinks;         // guarded by State::mu
};

struct Configured {
  int threshold = 0;
  SinksPtr sinks;  // null: inherit from the parent
};

struct State {
  // Readers: message output. Writers: logger creation, (re)configuration, shutdown.
  std::shared_mutex mu;
  std::string root = "takahe";
  std::string alias;
  bool verbose = false;
  bool shut_down = false;
  int default_threshold = detail::levelValue(Severity::kInfo);
  SinksPtr default_sinks;
  std::map<std::string, std::unique_ptr<Entry>, std::less<>> entries;  // by name as given
  std::map<std::string, Configured, std::less<>> configured;           // by resolved name
};

log4cplus::SharedAppenderPtr stdoutAppender() {
  log4cplus::SharedAppenderPtr a(new log4cplus::ConsoleAppender(false, true));
  a->setLayout(std::make_unique<log4cplus::PatternLayout>(kDefaultPattern));
  a->setName("stdout");
  return a;
}

State& state() {
  // Never destroyed: loggers held in static objects may log during static destruction; the exit
  // handler closes the outputs and turns logging off instead.
  static State* s = [] {
    log4cplus::initialize();
    auto* st = new State;
    st->default_sinks = std::make_shared<const Sinks>(Sinks{stdoutAppender()});
    std::atexit([] { shutdownLogging(); });
    return st;
  }();
  return *s;
}

std::string resolveName(std::string_view raw, const std::string& root, const std::string& alias) {
  auto under = [raw](std::string_view base) {
    return raw == base || (raw.size() > base.size() && raw.substr(0, base.size()) == base &&
                           raw[base.size()] == '.');
  };
  if (raw.empty()) {
    return root;
  }
  if (under(root)) {
    return std::string(raw);
  }
  if (!alias.empty() && under(alias)) {
    return root + std::string(raw.substr(alias.size()));
  }
  return root + "." + std::string(raw);
}

// Nearest configured ancestor-or-self gives the level; nearest one with outputs gives the sinks.
void resolveEntry(const State& st, Entry& e) {
  int threshold = st.default_threshold;
  SinksPtr sinks = st.default_sinks;
  bool have_level = false;
  bool have_sinks = false;
  std::string_view name = e.full_name;
  while (!(have_level && have_sinks)) {
    auto it = st.configured.find(name);
    if (it != st.configured.end()) {
      if (!have_level) {
        threshold = it->second.threshold;
        have_level = true;
      }
      if (!have_sinks && it->second.sinks) {
        sinks = it->second.sinks;
        have_sinks = true;
      }
    }
    size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) {
      break;
    }
    name = name.substr(0, dot);
  }
  e.sinks = st.shut_down ? nullptr : std::move(sinks);
  e.threshold.store(st.shut_down ? kThresholdOff : threshold, std::memory_order_relaxed);
}

void resolveAll(State& st) {
  for (auto& [raw, e] : st.entries) {
    e->full_name = resolveName(raw, st.root, st.alias);
    resolveEntry(st, *e);
  }
}

void closeSinks(const SinksPtr& sinks) {
  if (sinks) {
    for (const auto& a : *sinks) {
      a->close();
    }
  }
}

void closeConfigured(State& st) {
  for (auto& [name, c] : st.configured) {
    closeSinks(c.sinks);
  }
  st.configured.clear();
}

log4cplus::LogLevel toLog4cplus(Severity s) {
  return detail::levelValue(s == Severity::kNone ? Severity::kFatal : s);
}

constexpr std::array<std::string_view, 22> kFacilities = {
    "auth",   "authpriv", "cron",   "daemon", "ftp",      "kern",   "local0", "local1",
    "local2", "local3",   "local4", "local5", "local6",   "local7", "lpr",    "mail",
    "news",   "syslog",   "user",   "uucp",   "security", "audit"};

enum class OutputKind { kStdout, kStderr, kSyslog, kFile };

struct OutputPlan {
  OutputKind kind;
  std::string facility;  // syslog only
  OutputOption option;
};

struct SpecPlan {
  std::string name;
  int threshold;
  std::vector<OutputPlan> outputs;
};

[[noreturn]] void reject(const LoggerSpec& spec, const std::string& what) {
  throw ConfigError("loggers: logger '" + spec.name + "': " + what);
}

void checkFileOutput(const LoggerSpec& spec, const std::string& path) {
  std::string dir;
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) {
    dir = ".";
  } else if (slash == path.size() - 1) {
    reject(spec, "output '" + path + "' names a directory, not a log file");
  } else {
    dir = slash == 0 ? "/" : path.substr(0, slash);
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    reject(spec, "directory '" + dir + "' of log file '" + path + "' does not exist");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    reject(spec, "directory '" + dir + "' of log file '" + path + "' is not writable");
  }
  if (::stat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) {
      reject(spec, "log file '" + path + "' is a directory");
    }
    if (::access(path.c_str(), W_OK) != 0) {
      reject(spec, "log file '" + path + "' is not writable");
    }
  }
}

SpecPlan planSpec(const LoggerSpec& spec, const State& st) {
  if (spec.name.empty()) {
    throw ConfigError("loggers: a logger has an empty name");
  }
  if (spec.debuglevel < kMinDebugLevel || spec.debuglevel > kMaxDebugLevel) {
    reject(spec, "debuglevel " + std::to_string(spec.debuglevel) + " is out of range 0..99");
  }
  SpecPlan plan;
  plan.name = resolveName(spec.name, st.root, st.alias);
  plan.threshold = st.verbose ? detail::levelValue(Severity::kDebug, kMaxDebugLevel)
                              : detail::levelValue(spec.severity, spec.debuglevel);
  for (const auto& o : spec.outputs) {
    OutputPlan out{OutputKind::kFile, "", o};
    if (o.output.empty()) {
      reject(spec, "an output-options entry has an empty output");
    } else if (o.output == "stdout") {
      out.kind = OutputKind::kStdout;
    } else if (o.output == "stderr") {
      out.kind = OutputKind::kStderr;
    } else if (o.output == "syslog" || startsWith(o.output, "syslog:")) {
      out.kind = OutputKind::kSyslog;
      out.facility = o.output == "syslog" ? "local0" : toLower(o.output.substr(7));
      if (std::find(kFacilities.begin(), kFacilities.end(), out.facility) == kFacilities.end()) {
        reject(spec,
               "unknown syslog facility '" + o.output.substr(7) + "' in output '" + o.output + "'");
      }
    } else {
      checkFileOutput(spec, o.output);
    }
    plan.outputs.push_back(std::move(out));
  }
  return plan;
}

log4cplus::SharedAppenderPtr makeAppender(const OutputPlan& out, const std::string& ident) {
  const OutputOption& o = out.option;
  log4cplus::SharedAppenderPtr a;
  std::string pattern = o.pattern.empty() ? kDefaultPattern : o.pattern;
  switch (out.kind) {
    case OutputKind::kStdout:
      a = new log4cplus::ConsoleAppender(false, o.flush);
      break;
    case OutputKind::kStderr:
      a = new log4cplus::ConsoleAppender(true, o.flush);
      break;
    case OutputKind::kSyslog: {
      log4cplus::helpers::Properties props;
      props.setProperty("ident", ident);
      props.setProperty("facility", out.facility);
      a = new log4cplus::SysLogAppender(props);
      if (o.pattern.empty()) {
        pattern = kDefaultSyslogPattern;
      }
      break;
    }
    case OutputKind::kFile:
      if (o.maxsize == 0 || o.maxver == 0) {
        a = new log4cplus::FileAppender(o.output, std::ios_base::app, o.flush, false);
      } else {
        long size =
            o.maxsize > static_cast<uint64_t>(LONG_MAX) ? LONG_MAX : static_cast<long>(o.maxsize);
        int versions =
            o.maxver > static_cast<uint32_t>(INT_MAX) ? INT_MAX : static_cast<int>(o.maxver);
        a = new log4cplus::RollingFileAppender(o.output, size, versions, o.flush, false);
      }
      break;
  }
  a->setLayout(std::make_unique<log4cplus::PatternLayout>(pattern));
  a->setName(o.output);
  return a;
}

}  // namespace

std::optional<Severity> severityFromName(std::string_view name) {
  std::string n = toLower(name);
  if (n == "debug") {
    return Severity::kDebug;
  }
  if (n == "info") {
    return Severity::kInfo;
  }
  if (n == "warn") {
    return Severity::kWarn;
  }
  if (n == "error") {
    return Severity::kError;
  }
  if (n == "fatal") {
    return Severity::kFatal;
  }
  if (n == "none") {
    return Severity::kNone;
  }
  return std::nullopt;
}

std::string_view severityName(Severity s) {
  switch (s) {
    case Severity::kDebug:
      return "DEBUG";
    case Severity::kInfo:
      return "INFO";
    case Severity::kWarn:
      return "WARN";
    case Severity::kError:
      return "ERROR";
    case Severity::kFatal:
      return "FATAL";
    case Severity::kNone:
      break;
  }
  return "NONE";
}

Logger::Logger(std::string_view name) {
  State& st = state();
  std::unique_lock lock(st.mu);
  auto it = st.entries.find(name);
  if (it == st.entries.end()) {
    auto e = std::make_unique<Entry>();
    e->raw_name = std::string(name);
    e->full_name = resolveName(name, st.root, st.alias);
    resolveEntry(st, *e);
    it = st.entries.emplace(e->raw_name, std::move(e)).first;
  }
  core_ = it->second.get();
}

std::string Logger::name() const {
  State& st = state();
  std::shared_lock lock(st.mu);
  return static_cast<const Entry*>(core_)->full_name;
}

void Logger::write(const MessageId& msg, Severity severity,
                   std::span<const std::string> args) const {
  std::string text = msg.id;
  text += ' ';
  text += formatMessage(msg.format, args);
  State& st = state();
  std::shared_lock lock(st.mu);
  const auto* e = static_cast<const Entry*>(core_);
  if (!e->sinks) {
    return;
  }
  log4cplus::spi::InternalLoggingEvent event(e->full_name, toLog4cplus(severity), text, "", 0, "");
  for (const auto& a : *e->sinks) {
    a->doAppend(event);
  }
}

void initLogging(std::string root_name, std::string kea_alias, bool verbose) {
  State& st = state();
  std::unique_lock lock(st.mu);
  closeConfigured(st);
  if (st.shut_down) {
    st.default_sinks = std::make_shared<const Sinks>(Sinks{stdoutAppender()});
    st.shut_down = false;
  }
  st.root = root_name.empty() ? std::string("takahe") : std::move(root_name);
  st.alias = std::move(kea_alias);
  st.verbose = verbose;
  st.default_threshold = verbose ? detail::levelValue(Severity::kDebug, kMaxDebugLevel)
                                 : detail::levelValue(Severity::kInfo);
  resolveAll(st);
}

void setRootAlias(std::string kea_name) {
  State& st = state();
  std::unique_lock lock(st.mu);
  st.alias = std::move(kea_name);
  resolveAll(st);
}

void configure(const std::vector<LoggerSpec>& specs) {
  State& st = state();
  // One exclusive section: validation is a few stat() calls, and holding the lock keeps the
  // root/alias used for name resolution and the swap consistent.
  std::unique_lock lock(st.mu);
  std::vector<SpecPlan> plans;
  std::set<std::string, std::less<>> seen;
  for (const auto& spec : specs) {
    SpecPlan plan = planSpec(spec, st);
    if (!seen.insert(plan.name).second) {
      reject(spec, "configured more than once (as '" + plan.name + "')");
    }
    plans.push_back(std::move(plan));
  }
  // Nothing has changed so far. Old outputs are closed before new ones open, so a file named
  // in both configurations is never open twice; no message can be written in between because
  // writers hold the shared lock.
  closeConfigured(st);
  if (st.shut_down) {
    return;
  }
  for (const auto& plan : plans) {
    Configured c;
    c.threshold = plan.threshold;
    if (!plan.outputs.empty()) {
      Sinks sinks;
      for (const auto& out : plan.outputs) {
        sinks.push_back(makeAppender(out, st.root));
      }
      c.sinks = std::make_shared<const Sinks>(std::move(sinks));
    }
    st.configured.emplace(plan.name, std::move(c));
  }
  resolveAll(st);
}

void shutdownLogging() {
  State& st = state();
  std::unique_lock lock(st.mu);
  if (st.shut_down) {
    return;
  }
  closeConfigured(st);
  closeSinks(st.default_sinks);
  st.shut_down = true;
  resolveAll(st);
}

}  // namespace takahe::log
