#include "takahe/log/loggers_config.h"

#include <cstdint>

#include "takahe/cc/map_reader.h"

namespace takahe::log {

std::vector<LoggerSpec> parseLoggers(const cc::Value& list, const std::string& path,
                                     std::vector<std::string>& warnings) {
  if (!list.isList()) {
    cc::throwConfigError(path, "expected a list of loggers, got " + std::string(list.typeName()), list.position());
  }
  std::vector<LoggerSpec> out;
  for (size_t i = 0; i < list.asList().size(); ++i) {
    cc::MapReader r(list.asList()[i], path + "[" + std::to_string(i) + "]");
    LoggerSpec spec;
    auto name = r.getNonEmptyString("name");
    if (!name) r.require("name");
    spec.name = *name;
    if (auto s = r.getString("severity")) {
      auto sev = severityFromName(*s);
      if (!sev) r.fail("severity", "unknown severity '" + *s + "' (use DEBUG, INFO, WARN, ERROR, FATAL or NONE)");
      spec.severity = *sev;
    }
    if (auto d = r.getInt("debuglevel", kMinDebugLevel, kMaxDebugLevel)) spec.debuglevel = static_cast<int>(*d);
    std::string outs_key = "output-options";
    const cc::Value* outs = r.get(outs_key);
    if (!outs) {
      outs_key = "output_options";  // Kea accepts both spellings
      outs = r.get(outs_key);
    }
    if (outs) {
      if (!outs->isList()) r.fail(outs_key, "expected a list of outputs, got " + std::string(outs->typeName()));
      for (size_t j = 0; j < outs->asList().size(); ++j) {
        cc::MapReader o(outs->asList()[j], r.childPath(outs_key) + "[" + std::to_string(j) + "]");
        OutputOption opt;
        auto output = o.getNonEmptyString("output");
        if (!output) o.require("output");
        opt.output = *output;
        if (auto b = o.getBool("flush")) opt.flush = *b;
        if (auto x = o.getInt("maxsize", 0, INT64_MAX)) opt.maxsize = static_cast<uint64_t>(*x);
        if (auto x = o.getInt("maxver", 0, 1000)) opt.maxver = static_cast<uint32_t>(*x);
        if (auto p = o.getString("pattern")) opt.pattern = *p;
        o.finish(warnings);
        spec.outputs.push_back(std::move(opt));
      }
    }
    r.finish(warnings);
    out.push_back(std::move(spec));
  }
  return out;
}

}  // namespace takahe::log
