#pragma once

// Row formatting shared by Lease4 and the packed in-memory form.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace takahe::dhcpsrv::detail {

/// The fields of one lease4 CSV row, borrowed from wherever the lease lives.
struct Lease4RowView {
  uint32_t address = 0;
  std::span<const uint8_t> hwaddr;
  std::span<const uint8_t> client_id;
  uint32_t valid_lifetime = 0;
  int64_t cltt = 0;
  uint32_t subnet_id = 0;
  bool fqdn_fwd = false;
  bool fqdn_rev = false;
  std::string_view hostname;
  uint32_t state = 0;
  std::string_view user_context;
  uint32_t pool_id = 0;
};

/// Appends the 12-column row and '\n'. `expire` is cltt + valid_lifetime.
void appendLease4Row(std::string& out, const Lease4RowView& row);

/// Appends `text` escaped for a CSV field (',', '&', control characters as "&#xHH").
void appendEscaped(std::string& out, std::string_view text);

}  // namespace takahe::dhcpsrv::detail
