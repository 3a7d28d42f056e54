// libFuzzer target for the JSON reader and writer. Built only with -Dfuzzing=true and clang.
//
// Checks, beyond "no crash": whatever parses must be written back as JSON that parses to an
// equal value, in both compact and pretty form.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "takahe/cc/value.h"

namespace {

void checkRoundTrip(const takahe::cc::Value& v) {
  const takahe::cc::Value compact = takahe::cc::parseJson(v.toJson(false));
  const takahe::cc::Value pretty = takahe::cc::parseJson(v.toJson(true));
  if (!(compact == v) || !(pretty == v)) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    checkRoundTrip(takahe::cc::parseJson(text, "<fuzz>"));
  } catch (const takahe::cc::ParseError&) {
  }
  try {
    // A folder that does not exist, so relative includes fail instead of reading files.
    checkRoundTrip(takahe::cc::parseConfigText(text, "<fuzz>", "/nonexistent-takahe-fuzz"));
  } catch (const takahe::ConfigError&) {
  }
  return 0;
}
