#pragma once

// Message digests over OpenSSL. OpenSSL headers stay in src/.

#include <string>
#include <string_view>

namespace takahe::crypto {

/// SHA-256 of `data` as 64 upper-case hex digits (the form of Kea's config hash).
std::string sha256Hex(std::string_view data);

}  // namespace takahe::crypto
