#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace takahe {

using Bytes = std::vector<uint8_t>;

/// "01:ab:ff" (separator ':' by default; pass '\0' for none: "01abff").
std::string toHex(std::span<const uint8_t> data, char separator = ':');

/// Parses hex as operators write it: "01:ab:ff", "01abff", "0x01abff", "01 ab ff", "1:ab:f"
/// (single digits between separators are allowed). Returns nullopt on anything else.
std::optional<Bytes> parseHex(std::string_view text);

}  // namespace takahe
