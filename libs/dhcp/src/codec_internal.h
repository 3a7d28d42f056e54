#pragma once

// Helpers shared by the option codec files; not part of the public API.

#include <cstdint>
#include <span>
#include <string>

#include "takahe/util/result.h"

namespace takahe::dhcp::detail {

/// Decodes the domain name starting at `offset` of `payload`. Compression pointers are
/// followed within `payload` (RFC 3397 allows them in option 119, relative to the start of
/// the option data) but only backwards, so decoding always ends. `consumed` receives the bytes
/// the name takes at `offset`. A name that runs to the end of `payload` without a root label
/// is a partial name (returned without the trailing dot) when `allow_partial` is set.
Result<std::string> decodeFqdnAt(std::span<const uint8_t> payload, size_t offset, size_t& consumed,
                                 bool allow_partial);

}  // namespace takahe::dhcp::detail
