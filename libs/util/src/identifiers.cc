#include "takahe/util/identifiers.h"

#include "takahe/util/error.h"

namespace takahe {

namespace {
Bytes parseOrThrow(std::string_view text, const char* what) {
  auto b = parseHex(text);
  if (!b || b->empty()) {
    throw Error("'" + std::string(text) + "' is not a valid " + what +
                " (expected hex bytes such as 01:02:03)");
  }
  return std::move(*b);
}
}  // namespace

HwAddr HwAddr::fromString(std::string_view text, uint8_t htype) {
  Bytes b = parseOrThrow(text, "hardware address");
  if (b.size() > 20) throw Error("hardware address '" + std::string(text) + "' is longer than 20 bytes");
  return HwAddr(htype, std::move(b));
}

ClientId ClientId::fromString(std::string_view text) {
  return ClientId(parseOrThrow(text, "client identifier"));
}

Duid Duid::fromString(std::string_view text) { return Duid(parseOrThrow(text, "DUID")); }

size_t hashBytes(const Bytes& b) noexcept {
  // FNV-1a: fast and good enough for short identifiers.
  uint64_t h = 1469598103934665603ull;
  for (auto c : b) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return static_cast<size_t>(h);
}

}  // namespace takahe
