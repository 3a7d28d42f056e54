// libtest_hooks.so: a hook library driven by its parameters, for the loader's unit tests and the
// system tests. Not installed. Built three times: normal, with -DTEST_HOOKS_BAD_VERSION
// (version() is wrong) and with -DTEST_HOOKS_NO_MT (no multi_threading_compatible export).
//
// Parameters (all optional):
//   "refuse-load": true                  load() returns 1
//   "counter-file": "/path"              one line per call: "<hook>[ 0x<xid>][ <lease address>]"
//                                        (leases4_committed: the "leases4" addresses, comma
//                                        separated), plus "load" and "unload"
//   "counter-hooks": ["pkt4_receive"]    hooks counted (default: every DHCPv4 hook point)
//   "counter-times": true                each counter line ends with " t=<ms since the epoch>"
//   "args-file": "/path"                 one line per call: "<hook> name=value ..." for every
//                                        argument, in name order (value "?" for an unknown type)
//   "drop-hw": "aa:bb:..", "drop-hook": "pkt4_receive"   DROP for this client at that hook
//   "skip-hw": "aa:bb:..", "skip-hook": "pkt4_receive"   SKIP for this client at that hook
//                                        (a drop-hook / skip-hook without -hw: every call there)
//   "set-lifetime": N                    lease4_select / lease4_renew set the lease's lifetime
//   "select-subnet-id": N                subnet4_select picks the subnet with this id from
//                                        subnet4collection; 0 sets subnet4 to null
//   "select-foreign-subnet": true        subnet4_select sets a subnet outside the collection
//   "flex-id": "hex"                     host4_identifier sets id_value
//   "tag-responses": "text"              command_processed adds "test-hooks": text to answers
//   "set-option": {"code": N, "data": "hex"}              set in every response in pkt4_send
//   "park-ms": N                         PARK in leases4_committed, unpark after N ms
//   "command": "test-echo"               a command answering {"result": 0, "text": "test-echo",
//                                        "arguments": <its arguments>}
//   "fail-hook": "name"                  the callout at that hook returns 1
//   "throw-hook": "name"                 the callout at that hook throws std::runtime_error
//
// DHCPv6 (the same parameters, at the DHCPv6 points; counter lines carry " 0x<transid>" and the
// "lease6" / "leases6" addresses, argument lines describe query6/response6 as
// "0x<transid>/<TYPE>" and leases as "<address>[/<len> for prefixes]/<valid>/subnet<id>"):
//   "drop-duid": "00:03:..", "skip-duid": ".."   DROP / SKIP for this client (DUID) at drop-hook /
//                                        skip-hook (default pkt6_receive), instead of -hw
//   "set-lifetime": N                    lease6_select / _renew / _rebind set valid (and cap
//                                        preferred) lifetime
//   "select-subnet-id", "select-foreign-subnet"   as above, at subnet6_select
//   "set-option": {"code": N, ...}       set in every response6 in pkt6_send
//   "park-ms": N                         PARK in leases6_committed too

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "takahe/cc/command.h"
#include "takahe/dhcp/pkt4.h"
#include "takahe/dhcp/pkt6.h"
#include "takahe/dhcpsrv/host.h"
#include "takahe/dhcpsrv/lease.h"
#include "takahe/dhcpsrv/lease6.h"
#include "takahe/dhcpsrv/srv_config.h"
#include "takahe/dhcpsrv/srv_config6.h"
#include "takahe/dhcpsrv/subnet.h"
#include "takahe/dhcpsrv/subnet6.h"
#include "takahe/hooks/hooks.h"
#include "takahe/util/hex.h"
#include "takahe/util/identifiers.h"

namespace takahe::hooks::test_hooks {

namespace {

const char* const kDhcp4Hooks[] = {"dhcp4_srv_configured", "buffer4_receive",  "pkt4_receive",
                                   "subnet4_select",       "host4_identifier", "lease4_select",
                                   "lease4_renew",         "lease4_release",   "lease4_decline",
                                   "leases4_committed",    "pkt4_send",        "buffer4_send",
                                   "lease4_expire",        "lease4_recover",   "command_processed"};

const char* const kDhcp6Hooks[] = {"dhcp6_srv_configured", "buffer6_receive", "pkt6_receive",
                                   "subnet6_select",       "lease6_select",   "lease6_renew",
                                   "lease6_rebind",        "lease6_release",  "lease6_decline",
                                   "leases6_committed",    "pkt6_send",       "buffer6_send",
                                   "lease6_expire",        "lease6_recover"};

struct Settings {
  std::string counter_file, args_file;
  std::set<std::string> counter_hooks;
  bool counter_times = false;
  std::optional<HwAddr> drop_hw, skip_hw;
  std::optional<Bytes> drop_duid, skip_duid;  // DHCPv6 clients
  std::string drop_hook = "pkt4_receive", skip_hook = "pkt4_receive";
  bool drop_all = false, skip_all = false;  // a hook given without a hardware address
  std::optional<std::pair<uint8_t, Bytes>> set_option;
  uint16_t set_option_code6 = 0;  // the same option's code for DHCPv6 responses
  int park_ms = -1;
  std::string fail_hook, throw_hook;
  std::optional<uint32_t> set_lifetime;
  std::optional<uint32_t> select_subnet_id;
  bool select_foreign_subnet = false;
  std::optional<Bytes> flex_id;
  std::optional<std::string> tag_responses;
};

// A subnet that is not part of any configuration (select-foreign-subnet).
dhcpsrv::Subnet4 g_foreign_subnet;
dhcpsrv::Subnet6 g_foreign_subnet6;

Settings g_settings;

/// Unparks packets when their delay is over, from one thread (started by load() when "park-ms"
/// is set, stopped by unload(), which releases what is still parked).
class Unparker {
 public:
  void start() {
    stop_ = false;
    thread_ = std::thread([this] { run(); });
  }
  void stop() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }
  void add(ParkingLot* lot, const void* key, std::chrono::milliseconds delay) {
    {
      std::lock_guard lock(mu_);
      due_.emplace(std::chrono::steady_clock::now() + delay, std::make_pair(lot, key));
    }
    cv_.notify_all();
  }

 private:
  void run() {
    std::unique_lock lock(mu_);
    while (true) {
      if (stop_) break;
      if (due_.empty()) {
        cv_.wait(lock);
        continue;
      }
      auto first = due_.begin();
      if (first->first > std::chrono::steady_clock::now()) {
        cv_.wait_until(lock, first->first);
        continue;
      }
      auto [lot, key] = first->second;
      due_.erase(first);
      lock.unlock();
      lot->unpark(key);
      lock.lock();
    }
    for (auto& [when, item] : due_) item.first->unpark(item.second);
    due_.clear();
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::multimap<std::chrono::steady_clock::time_point, std::pair<ParkingLot*, const void*>> due_;
  bool stop_ = false;
  std::thread thread_;
};

Unparker g_unparker;
bool g_unparker_running = false;

using PktPtr = std::shared_ptr<dhcp::Pkt4>;
using LeasePtr = std::shared_ptr<dhcpsrv::Lease4>;
using Pkt6Ptr = std::shared_ptr<dhcp::Pkt6>;
using Lease6Ptr = std::shared_ptr<dhcpsrv::Lease6>;

void appendTo(const std::string& file, const std::string& line) {
  if (file.empty()) return;
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  std::string data = line + "\n";
  // One write on an O_APPEND descriptor: lines from concurrent workers do not interleave.
  [[maybe_unused]] ssize_t n = ::write(fd, data.data(), data.size());
  ::close(fd);
}

void appendLine(const std::string& line) { appendTo(g_settings.counter_file, line); }

PktPtr query(CalloutHandle& h) {
  auto* p = h.argument<PktPtr>("query4");
  return p ? *p : nullptr;
}

LeasePtr lease(CalloutHandle& h) {
  auto* p = h.argument<LeasePtr>("lease4");
  return p ? *p : nullptr;
}

Pkt6Ptr query6(CalloutHandle& h) {
  auto* p = h.argument<Pkt6Ptr>("query6");
  return p ? *p : nullptr;
}

Lease6Ptr lease6(CalloutHandle& h) {
  auto* p = h.argument<Lease6Ptr>("lease6");
  return p ? *p : nullptr;
}

/// The DHCPv6 client's DUID, from the query (client-id option) or the lease.
std::optional<Bytes> clientDuid(CalloutHandle& h) {
  if (auto q = query6(h)) {
    if (const Bytes* id = q->option(1)) return *id;
  }
  if (auto l = lease6(h)) return l->duid.bytes;
  return std::nullopt;
}

std::string lease6Text(const dhcpsrv::Lease6& l) {
  std::string out = l.address.toString();
  if (l.type == dhcpsrv::Lease6Type::kPd) out += "/" + std::to_string(l.prefix_len);
  return out;
}

std::string lease6List(const std::vector<Lease6Ptr>& leases) {
  std::string out;
  for (const auto& l : leases) {
    if (!out.empty()) out += ",";
    out += l ? lease6Text(*l) : "null";
  }
  return out.empty() ? "-" : out;
}

std::string transid(const dhcp::Pkt6& p) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0x%06x", p.transid & 0xffffff);
  return buf;
}

std::optional<HwAddr> clientHw(CalloutHandle& h) {
  if (auto q = query(h)) return q->hwAddr();
  if (auto l = lease(h)) return l->hwaddr;
  return std::nullopt;
}

std::string leaseList(const std::vector<LeasePtr>& leases) {
  std::string out;
  for (const auto& l : leases) {
    if (!out.empty()) out += ",";
    out += l ? l->address.toString() : "null";
  }
  return out.empty() ? "-" : out;
}

/// One argument as text, by the type doc/hooks.md gives for it ("?" for any other type).
std::string describe(CalloutHandle& h, const std::string& name) {
  char buf[32];
  if (auto* p = h.argument<PktPtr>(name)) {
    if (!*p) return "null";
    auto type = (*p)->messageType();
    std::snprintf(buf, sizeof(buf), "0x%08x/", (*p)->xid);
    return buf + (type ? std::string(dhcp::messageTypeName(*type)) : std::string("none"));
  }
  if (auto* p = h.argument<Pkt6Ptr>(name)) {
    if (!*p) return "null";
    return transid(**p) + "/" + std::string(dhcp::messageType6Name((*p)->msg_type));
  }
  if (auto* p = h.argument<Lease6Ptr>(name)) {
    if (!*p) return "null";
    return lease6Text(**p) + "/" + std::to_string((*p)->valid_lifetime) + "/subnet" +
           std::to_string((*p)->subnet_id.value);
  }
  if (auto* p = h.argument<const dhcpsrv::Subnet6*>(name)) {
    return *p ? "subnet" + std::to_string((*p)->id.value) : "null";
  }
  if (auto* p = h.argument<const std::vector<dhcpsrv::Subnet6>*>(name)) {
    return *p ? std::to_string((*p)->size()) + "-subnets" : "null";
  }
  if (auto* p = h.argument<std::vector<Lease6Ptr>>(name)) return lease6List(*p);
  if (auto* p = h.argument<std::shared_ptr<const dhcpsrv::SrvConfig6>>(name)) {
    return *p ? std::to_string((*p)->subnets.size()) + "-subnets" : "null";
  }
  if (auto* p = h.argument<LeasePtr>(name)) {
    if (!*p) return "null";
    return (*p)->address.toString() + "/" + std::to_string((*p)->valid_lifetime) + "/subnet" +
           std::to_string((*p)->subnet_id.value);
  }
  if (auto* p = h.argument<const dhcpsrv::Subnet4*>(name)) {
    return *p ? "subnet" + std::to_string((*p)->id.value) : "null";
  }
  if (auto* p = h.argument<const std::vector<dhcpsrv::Subnet4>*>(name)) {
    return *p ? std::to_string((*p)->size()) + "-subnets" : "null";
  }
  if (auto* p = h.argument<std::vector<LeasePtr>>(name)) return leaseList(*p);
  if (auto* p = h.argument<bool>(name)) return *p ? "true" : "false";
  if (auto* p = h.argument<HwAddr>(name)) return p->toString();
  if (auto* p = h.argument<ClientId>(name)) return p->bytes.empty() ? "-" : p->toString();
  if (auto* p = h.argument<dhcpsrv::HostIdType>(name)) {
    return std::string(dhcpsrv::hostIdTypeName(*p));
  }
  if (auto* p = h.argument<Bytes>(name)) return p->empty() ? "-" : toHex(*p);
  if (auto* p = h.argument<std::shared_ptr<Bytes>>(name)) {
    return *p ? std::to_string((*p)->size()) + "-bytes" : "null";
  }
  if (auto* p = h.argument<std::string>(name)) return *p;
  if (auto* p = h.argument<cc::Value>(name)) return std::string(p->typeName());
  if (auto* p = h.argument<std::shared_ptr<const dhcpsrv::SrvConfig4>>(name)) {
    return *p ? std::to_string((*p)->subnets.size()) + "-subnets" : "null";
  }
  return "?";
}

void recordArguments(CalloutHandle& h) {
  std::string line = h.hookName();
  for (const std::string& name : h.getArgumentNames()) line += " " + name + "=" + describe(h, name);
  appendTo(g_settings.args_file, line);
}

/// The changes a callout makes to its arguments at each hook point (when asked to).
void changeArguments(CalloutHandle& h, const std::string& hook) {
  if ((hook == "lease4_select" || hook == "lease4_renew") && g_settings.set_lifetime) {
    if (auto l = lease(h)) l->valid_lifetime = *g_settings.set_lifetime;
  }
  if (hook == "subnet4_select") {
    if (g_settings.select_foreign_subnet) {
      h.setArgument("subnet4", static_cast<const dhcpsrv::Subnet4*>(&g_foreign_subnet));
    } else if (g_settings.select_subnet_id) {
      const dhcpsrv::Subnet4* chosen = nullptr;
      auto* all = h.argument<const std::vector<dhcpsrv::Subnet4>*>("subnet4collection");
      if (all && *all) {
        for (const auto& s : **all) {
          if (s.id.value == *g_settings.select_subnet_id) chosen = &s;
        }
      }
      h.setArgument("subnet4", chosen);
    }
  }
  if ((hook == "lease6_select" || hook == "lease6_renew" || hook == "lease6_rebind") &&
      g_settings.set_lifetime) {
    if (auto l = lease6(h)) {
      l->valid_lifetime = *g_settings.set_lifetime;
      if (l->preferred_lifetime > l->valid_lifetime) l->preferred_lifetime = l->valid_lifetime;
    }
  }
  if (hook == "subnet6_select") {
    if (g_settings.select_foreign_subnet) {
      h.setArgument("subnet6", static_cast<const dhcpsrv::Subnet6*>(&g_foreign_subnet6));
    } else if (g_settings.select_subnet_id) {
      const dhcpsrv::Subnet6* chosen = nullptr;
      auto* all = h.argument<const std::vector<dhcpsrv::Subnet6>*>("subnet6collection");
      if (all && *all) {
        for (const auto& s : **all) {
          if (s.id.value == *g_settings.select_subnet_id) chosen = &s;
        }
      }
      h.setArgument("subnet6", chosen);
    }
  }
  if (hook == "host4_identifier" && g_settings.flex_id) {
    h.setArgument("id_value", *g_settings.flex_id);
  }
  if (hook == "command_processed" && g_settings.tag_responses) {
    if (auto* r = h.argument<cc::Value>("response"); r && r->isMap()) {
      r->set("test-hooks", cc::Value(*g_settings.tag_responses));
    }
  }
}

int onHook(CalloutHandle& h) {
  const std::string& hook = h.hookName();
  if (!g_settings.args_file.empty()) recordArguments(h);
  if (g_settings.counter_hooks.count(hook)) {
    std::string line = hook;
    if (auto q = query(h)) {
      char buf[16];
      std::snprintf(buf, sizeof(buf), " 0x%08x", q->xid);
      line += buf;
    }
    if (auto q = query6(h)) line += " " + transid(*q);
    if (auto l = lease(h)) line += " " + l->address.toString();
    if (auto l = lease6(h)) line += " " + lease6Text(*l);
    if (auto* ls = h.argument<std::vector<LeasePtr>>("leases4"); ls && !ls->empty()) {
      line += " " + leaseList(*ls);
    }
    if (auto* ls = h.argument<std::vector<Lease6Ptr>>("leases6"); ls && !ls->empty()) {
      line += " " + lease6List(*ls);
    }
    if (g_settings.counter_times) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch());
      line += " t=" + std::to_string(ms.count());
    }
    appendLine(line);
  }
  if (hook == g_settings.throw_hook) throw std::runtime_error("test_hooks: throw-hook " + hook);
  if (hook == g_settings.fail_hook) return 1;

  auto hw = clientHw(h);
  auto duid = clientDuid(h);
  if (hook == g_settings.drop_hook &&
      (g_settings.drop_all || (g_settings.drop_hw && hw && *hw == *g_settings.drop_hw) ||
       (g_settings.drop_duid && duid && *duid == *g_settings.drop_duid))) {
    h.setStatus(NextStep::kDrop);
  }
  if (hook == g_settings.skip_hook &&
      (g_settings.skip_all || (g_settings.skip_hw && hw && *hw == *g_settings.skip_hw) ||
       (g_settings.skip_duid && duid && *duid == *g_settings.skip_duid))) {
    h.setStatus(NextStep::kSkip);
  }
  changeArguments(h, hook);

  if (hook == "pkt4_send" && g_settings.set_option) {
    if (auto* r = h.argument<PktPtr>("response4"); r && *r) {
      (*r)->setOption(g_settings.set_option->first, g_settings.set_option->second);
    }
  }

  if (hook == "pkt6_send" && g_settings.set_option) {
    if (auto* r = h.argument<Pkt6Ptr>("response6"); r && *r) {
      (*r)->setOption(g_settings.set_option_code6, g_settings.set_option->second);
    }
  }

  if ((hook == "leases4_committed" || hook == "leases6_committed") && g_settings.park_ms >= 0) {
    ParkingLot* lot = h.parkingLot();
    const void* key = nullptr;
    if (PktPtr q = query(h)) key = q.get();
    if (Pkt6Ptr q = query6(h)) key = q.get();
    if (lot && key) {
      lot->reference(key);
      h.setStatus(NextStep::kPark);
      // The server keeps the packet alive while parked; we only hold its address.
      g_unparker.add(lot, key, std::chrono::milliseconds(g_settings.park_ms));
    }
  }
  return 0;
}

HwAddr hwParam(const cc::Value& v, const char* name) {
  if (!v.isString()) throw ConfigError(std::string("test_hooks: '") + name + "' must be a string");
  return HwAddr::fromString(v.asString());
}

Bytes duidParam(const cc::Value& v, const char* name) {
  auto b = v.isString() ? parseHex(v.asString()) : std::nullopt;
  if (!b || b->empty()) {
    throw ConfigError(std::string("test_hooks: '") + name + "' must be a DUID in hex");
  }
  return *b;
}

}  // namespace

}  // namespace takahe::hooks::test_hooks

using namespace takahe;
using namespace takahe::hooks;
using namespace takahe::hooks::test_hooks;

extern "C" {

int version() {
#ifdef TEST_HOOKS_BAD_VERSION
  return TAKAHE_HOOKS_VERSION + 1;
#else
  return TAKAHE_HOOKS_VERSION;
#endif
}

#ifndef TEST_HOOKS_NO_MT
int multi_threading_compatible() { return 1; }
#endif

int load(LibraryHandle& handle) {
  g_settings = Settings{};
  const cc::Value& p = handle.getParameters();
  if (const cc::Value* v = p.find("refuse-load"); v && v->isBool() && v->asBool()) return 1;
  if (const cc::Value* v = p.find("counter-file")) g_settings.counter_file = v->asString();
  if (const cc::Value* v = p.find("counter-hooks")) {
    for (const auto& h : v->asList()) g_settings.counter_hooks.insert(h.asString());
  } else {
    g_settings.counter_hooks.insert(std::begin(kDhcp4Hooks), std::end(kDhcp4Hooks));
    g_settings.counter_hooks.insert(std::begin(kDhcp6Hooks), std::end(kDhcp6Hooks));
  }
  if (const cc::Value* v = p.find("counter-times")) g_settings.counter_times = v->asBool();
  if (const cc::Value* v = p.find("drop-hw")) g_settings.drop_hw = hwParam(*v, "drop-hw");
  if (const cc::Value* v = p.find("skip-hw")) g_settings.skip_hw = hwParam(*v, "skip-hw");
  if (const cc::Value* v = p.find("drop-duid")) g_settings.drop_duid = duidParam(*v, "drop-duid");
  if (const cc::Value* v = p.find("skip-duid")) g_settings.skip_duid = duidParam(*v, "skip-duid");
  if (const cc::Value* v = p.find("drop-hook")) {
    g_settings.drop_hook = v->asString();
    g_settings.drop_all = !g_settings.drop_hw && !g_settings.drop_duid;
  }
  if (const cc::Value* v = p.find("skip-hook")) {
    g_settings.skip_hook = v->asString();
    g_settings.skip_all = !g_settings.skip_hw && !g_settings.skip_duid;
  }
  // A DHCPv6 client named without a hook point is dropped / skipped where DHCPv6 packets arrive.
  if (g_settings.drop_duid && !p.find("drop-hook")) g_settings.drop_hook = "pkt6_receive";
  if (g_settings.skip_duid && !p.find("skip-hook")) g_settings.skip_hook = "pkt6_receive";
  if (const cc::Value* v = p.find("args-file")) g_settings.args_file = v->asString();
  if (const cc::Value* v = p.find("set-lifetime")) {
    g_settings.set_lifetime = static_cast<uint32_t>(v->asInt());
  }
  if (const cc::Value* v = p.find("select-subnet-id")) {
    g_settings.select_subnet_id = static_cast<uint32_t>(v->asInt());
  }
  if (const cc::Value* v = p.find("select-foreign-subnet")) {
    g_settings.select_foreign_subnet = v->asBool();
  }
  if (const cc::Value* v = p.find("flex-id")) {
    g_settings.flex_id = parseHex(v->asString());
    if (!g_settings.flex_id) throw ConfigError("test_hooks: flex-id is not hex");
  }
  if (const cc::Value* v = p.find("tag-responses")) g_settings.tag_responses = v->asString();
  if (const cc::Value* v = p.find("set-option")) {
    auto data = parseHex(v->at("data").asString());
    if (!data) throw ConfigError("test_hooks: set-option data is not hex");
    g_settings.set_option = std::make_pair(static_cast<uint8_t>(v->at("code").asInt()), *data);
    g_settings.set_option_code6 = static_cast<uint16_t>(v->at("code").asInt());
  }
  if (const cc::Value* v = p.find("park-ms")) g_settings.park_ms = static_cast<int>(v->asInt());
  if (const cc::Value* v = p.find("fail-hook")) g_settings.fail_hook = v->asString();
  if (const cc::Value* v = p.find("throw-hook")) g_settings.throw_hook = v->asString();

  auto registerAll = [&](const auto& hooks) {
    for (const char* hook : hooks) {
      try {
        handle.registerCallout(hook, onHook);
      } catch (const std::exception&) {
        // A server without this hook point (the other protocol's, or an older server).
      }
    }
  };
  registerAll(kDhcp4Hooks);
  registerAll(kDhcp6Hooks);
  if (g_settings.park_ms >= 0) {
    g_unparker.start();
    g_unparker_running = true;
  }
  if (const cc::Value* v = p.find("command")) {
    handle.registerCommandHandler(v->asString(), [name = v->asString()](const cc::Command& cmd) {
      return cc::makeAnswer(cc::ResultCode::kSuccess, name, cmd.arguments);
    });
  }
  appendLine("load");
  return 0;
}

int unload() {
  // Our code must stay mapped while the unpark thread runs.
  if (g_unparker_running) {
    g_unparker.stop();
    g_unparker_running = false;
  }
  appendLine("unload");
  return 0;
}

}  // extern "C"
