// IA_NA / IA_TA / IA_PD (RFC 8415 §21.4-21.6, §21.21-21.22), their IAADDR and IAPREFIX
// sub-options, status codes (§21.13) and PD_EXCLUDE (RFC 6603).

#include <algorithm>

#include "takahe/dhcp/options6.h"
#include "takahe/util/buffer.h"

namespace takahe::dhcp {

namespace {

constexpr size_t kIaAddrFixed = 24;    // address 16, preferred 4, valid 4
constexpr size_t kIaPrefixFixed = 25;  // preferred 4, valid 4, length 1, prefix 16
constexpr size_t kIaFixed = 12;        // iaid, T1, T2
constexpr size_t kIaTaFixed = 4;       // iaid

template <typename T>
using R = Result<T>;

std::string shortBy(std::string_view what, size_t need, size_t have) {
  return std::string(what) + " needs " + std::to_string(need) + " bytes, got " +
         std::to_string(have);
}

IPv6Address addressAt(std::span<const uint8_t> data, size_t pos) {
  std::array<uint8_t, 16> b{};
  std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(pos), 16, b.begin());
  return IPv6Address(b);
}

void putAddress(const IPv6Address& a, Bytes& out) {
  out.insert(out.end(), a.bytes().begin(), a.bytes().end());
}

void putU32(uint32_t v, Bytes& out) {
  out.push_back(static_cast<uint8_t>(v >> 24));
  out.push_back(static_cast<uint8_t>(v >> 16));
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

uint32_t u32At(std::span<const uint8_t> d, size_t pos) {
  return (uint32_t{d[pos]} << 24) | (uint32_t{d[pos + 1]} << 16) | (uint32_t{d[pos + 2]} << 8) |
         uint32_t{d[pos + 3]};
}

// Sorts the sub-options of an IA or IA address into the typed status field and the rest.
// Returns an error string on a malformed status code.
std::optional<std::string> takeStatus(std::vector<Option6>& subs, std::optional<Status6>& status,
                                      std::vector<Option6>& rest) {
  for (auto& o : subs) {
    if (o.code == opt6::kStatusCode && !status) {
      auto s = decodeStatus6(o.data);
      if (!s) {
        return s.error();
      }
      status = std::move(*s);
    } else {
      rest.push_back(std::move(o));
    }
  }
  return std::nullopt;
}

void appendStatusAndRest(const std::optional<Status6>& status, const std::vector<Option6>& rest,
                         Bytes& out) {
  if (status) {
    appendOption6(opt6::kStatusCode, encodeStatus6(*status), out);
  }
  appendOptions6(rest, out);
}

// Bit i (0 = most significant) of a 16-byte address.
bool bitAt(const std::array<uint8_t, 16>& b, size_t i) {
  return ((b[i / 8] >> (7 - i % 8)) & 1) != 0;
}

void setBit(uint8_t* b, size_t i) { b[i / 8] = static_cast<uint8_t>(b[i / 8] | (0x80 >> (i % 8))); }

// Common part of the IA decoders: sub-options after the fixed part, with IAADDR (or IAPREFIX)
// decoded by `decodeSub`.
template <typename Sub, typename Decode>
std::optional<std::string> decodeIaBody(std::span<const uint8_t> body, uint16_t sub_code,
                                        std::string_view sub_name, Decode decodeSub,
                                        std::vector<Sub>& subs_out, std::optional<Status6>& status,
                                        std::vector<Option6>& rest) {
  auto subs = parseOptions6(body);
  if (!subs) {
    return "sub-options: " + subs.error();
  }
  std::vector<Option6> others;
  for (auto& o : *subs) {
    if (o.code == sub_code) {
      auto s = decodeSub(o.data);
      if (!s) {
        return std::string(sub_name) + " " + std::to_string(subs_out.size() + 1) + ": " + s.error();
      }
      subs_out.push_back(std::move(*s));
    } else {
      others.push_back(std::move(o));
    }
  }
  if (auto e = takeStatus(others, status, rest)) {
    return "status code: " + *e;
  }
  return std::nullopt;
}

}  // namespace

std::string_view statusCode6Name(uint16_t code) {
  switch (static_cast<StatusCode6>(code)) {
    case StatusCode6::kSuccess:
      return "Success";
    case StatusCode6::kUnspecFail:
      return "UnspecFail";
    case StatusCode6::kNoAddrsAvail:
      return "NoAddrsAvail";
    case StatusCode6::kNoBinding:
      return "NoBinding";
    case StatusCode6::kNotOnLink:
      return "NotOnLink";
    case StatusCode6::kUseMulticast:
      return "UseMulticast";
    case StatusCode6::kNoPrefixAvail:
      return "NoPrefixAvail";
  }
  return "Unknown";
}

Bytes encodeStatus6(const Status6& status) {
  Bytes out;
  out.reserve(2 + status.message.size());
  out.push_back(static_cast<uint8_t>(status.code >> 8));
  out.push_back(static_cast<uint8_t>(status.code));
  out.insert(out.end(), status.message.begin(), status.message.end());
  return out;
}

Result<Status6> decodeStatus6(std::span<const uint8_t> data) {
  if (data.size() < 2) {
    return R<Status6>::failure(shortBy("status code", 2, data.size()));
  }
  Status6 s;
  s.code = static_cast<uint16_t>((data[0] << 8) | data[1]);
  s.message.assign(data.begin() + 2, data.end());
  return s;
}

// ---- PD_EXCLUDE ----------------------------------------------------------------------------

Result<Bytes> encodePdExclude(const Prefix6& delegated, const Prefix6& excluded) {
  using RB = R<Bytes>;
  if (delegated.length > 128 || excluded.length > 128 || excluded.length <= delegated.length) {
    return RB::failure("excluded prefix " + excluded.toString() +
                       " must be longer than the delegated prefix " + delegated.toString());
  }
  if (!delegated.contains(excluded.address)) {
    return RB::failure("excluded prefix " + excluded.toString() + " is not inside " +
                       delegated.toString());
  }
  size_t nbits = excluded.length - delegated.length;
  Bytes out(1 + (nbits + 7) / 8, 0);
  out[0] = excluded.length;
  const auto& b = excluded.address.bytes();
  for (size_t i = 0; i < nbits; ++i) {
    if (bitAt(b, delegated.length + i)) {
      setBit(out.data() + 1, i);
    }
  }
  return out;
}

Result<Prefix6> decodePdExclude(const Prefix6& delegated, std::span<const uint8_t> data) {
  using RP = R<Prefix6>;
  if (data.empty()) {
    return RP::failure("PD_EXCLUDE is empty");
  }
  uint8_t len = data[0];
  if (delegated.length > 128 || len > 128 || len <= delegated.length) {
    return RP::failure("PD_EXCLUDE prefix length " + std::to_string(len) +
                       " is not between the delegated length " + std::to_string(delegated.length) +
                       " and 128");
  }
  size_t nbits = len - delegated.length;
  size_t need = 1 + (nbits + 7) / 8;
  if (data.size() != need) {
    return RP::failure("PD_EXCLUDE for a /" + std::to_string(len) + " inside a /" +
                       std::to_string(delegated.length) + " takes " + std::to_string(need) +
                       " bytes, got " + std::to_string(data.size()));
  }
  // Delegated prefix bits, then the subnet id bits, then zeros.
  std::array<uint8_t, 16> b{};
  const auto& d = delegated.address.bytes();
  for (size_t i = 0; i < delegated.length; ++i) {
    if (bitAt(d, i)) {
      setBit(b.data(), i);
    }
  }
  for (size_t i = 0; i < nbits; ++i) {
    if (((data[1 + i / 8] >> (7 - i % 8)) & 1) != 0) {
      setBit(b.data(), delegated.length + i);
    }
  }
  return Prefix6{IPv6Address(b), len};
}

// ---- IAADDR / IAPREFIX ---------------------------------------------------------------------

Bytes encodeIaAddress(const IaAddress& a) {
  Bytes out;
  out.reserve(kIaAddrFixed);
  putAddress(a.address, out);
  putU32(a.preferred_lft, out);
  putU32(a.valid_lft, out);
  appendStatusAndRest(a.status, a.options, out);
  return out;
}

Result<IaAddress> decodeIaAddress(std::span<const uint8_t> data) {
  using RA = R<IaAddress>;
  if (data.size() < kIaAddrFixed) {
    return RA::failure(shortBy("IAADDR", kIaAddrFixed, data.size()));
  }
  IaAddress a;
  a.address = addressAt(data, 0);
  a.preferred_lft = u32At(data, 16);
  a.valid_lft = u32At(data, 20);
  auto subs = parseOptions6(data.subspan(kIaAddrFixed));
  if (!subs) {
    return RA::failure("IAADDR " + a.address.toString() + " sub-options: " + subs.error());
  }
  if (auto e = takeStatus(*subs, a.status, a.options)) {
    return RA::failure("IAADDR " + a.address.toString() + " status code: " + *e);
  }
  return a;
}

Result<Bytes> encodeIaPrefix(const IaPrefix& p) {
  Bytes out;
  out.reserve(kIaPrefixFixed);
  putU32(p.preferred_lft, out);
  putU32(p.valid_lft, out);
  out.push_back(p.prefix.length);
  putAddress(p.prefix.address, out);
  if (p.status) {
    appendOption6(opt6::kStatusCode, encodeStatus6(*p.status), out);
  }
  if (p.excluded) {
    auto ex = encodePdExclude(p.prefix, *p.excluded);
    if (!ex) {
      return R<Bytes>::failure("IAPREFIX " + p.prefix.toString() + ": " + ex.error());
    }
    appendOption6(opt6::kPdExclude, *ex, out);
  }
  appendOptions6(p.options, out);
  return out;
}

Result<IaPrefix> decodeIaPrefix(std::span<const uint8_t> data) {
  using RP = R<IaPrefix>;
  if (data.size() < kIaPrefixFixed) {
    return RP::failure(shortBy("IAPREFIX", kIaPrefixFixed, data.size()));
  }
  IaPrefix p;
  p.preferred_lft = u32At(data, 0);
  p.valid_lft = u32At(data, 4);
  p.prefix.length = data[8];
  p.prefix.address = addressAt(data, 9);
  if (p.prefix.length > 128) {
    return RP::failure("IAPREFIX prefix length " + std::to_string(p.prefix.length) +
                       " is over 128");
  }
  std::string who = "IAPREFIX " + p.prefix.toString();
  auto subs = parseOptions6(data.subspan(kIaPrefixFixed));
  if (!subs) {
    return RP::failure(who + " sub-options: " + subs.error());
  }
  std::vector<Option6> others;
  for (auto& o : *subs) {
    if (o.code == opt6::kPdExclude && !p.excluded) {
      auto ex = decodePdExclude(p.prefix, o.data);
      if (!ex) {
        return RP::failure(who + ": " + ex.error());
      }
      p.excluded = *ex;
    } else {
      others.push_back(std::move(o));
    }
  }
  if (auto e = takeStatus(others, p.status, p.options)) {
    return RP::failure(who + " status code: " + *e);
  }
  return p;
}

// ---- IA_NA / IA_TA / IA_PD -----------------------------------------------------------------

Bytes encodeIaNa(const IaNa& ia) {
  Bytes out;
  out.reserve(kIaFixed + ia.addresses.size() * (4 + kIaAddrFixed));
  putU32(ia.iaid, out);
  putU32(ia.t1, out);
  putU32(ia.t2, out);
  for (const auto& a : ia.addresses) {
    appendOption6(opt6::kIaAddr, encodeIaAddress(a), out);
  }
  appendStatusAndRest(ia.status, ia.options, out);
  return out;
}

Result<IaNa> decodeIaNa(std::span<const uint8_t> data) {
  using RI = R<IaNa>;
  if (data.size() < kIaFixed) {
    return RI::failure(shortBy("IA_NA", kIaFixed, data.size()));
  }
  IaNa ia;
  ia.iaid = u32At(data, 0);
  ia.t1 = u32At(data, 4);
  ia.t2 = u32At(data, 8);
  if (auto e = decodeIaBody(data.subspan(kIaFixed), opt6::kIaAddr, "IAADDR", decodeIaAddress,
                            ia.addresses, ia.status, ia.options)) {
    return RI::failure("IA_NA iaid " + std::to_string(ia.iaid) + ": " + *e);
  }
  return ia;
}

Bytes encodeIaTa(const IaTa& ia) {
  Bytes out;
  putU32(ia.iaid, out);
  for (const auto& a : ia.addresses) {
    appendOption6(opt6::kIaAddr, encodeIaAddress(a), out);
  }
  appendStatusAndRest(ia.status, ia.options, out);
  return out;
}

Result<IaTa> decodeIaTa(std::span<const uint8_t> data) {
  using RI = R<IaTa>;
  if (data.size() < kIaTaFixed) {
    return RI::failure(shortBy("IA_TA", kIaTaFixed, data.size()));
  }
  IaTa ia;
  ia.iaid = u32At(data, 0);
  if (auto e = decodeIaBody(data.subspan(kIaTaFixed), opt6::kIaAddr, "IAADDR", decodeIaAddress,
                            ia.addresses, ia.status, ia.options)) {
    return RI::failure("IA_TA iaid " + std::to_string(ia.iaid) + ": " + *e);
  }
  return ia;
}

Result<Bytes> encodeIaPd(const IaPd& ia) {
  Bytes out;
  out.reserve(kIaFixed + ia.prefixes.size() * (4 + kIaPrefixFixed));
  putU32(ia.iaid, out);
  putU32(ia.t1, out);
  putU32(ia.t2, out);
  for (const auto& p : ia.prefixes) {
    auto b = encodeIaPrefix(p);
    if (!b) {
      return R<Bytes>::failure("IA_PD iaid " + std::to_string(ia.iaid) + ": " + b.error());
    }
    appendOption6(opt6::kIaPrefix, *b, out);
  }
  appendStatusAndRest(ia.status, ia.options, out);
  return out;
}

Result<IaPd> decodeIaPd(std::span<const uint8_t> data) {
  using RI = R<IaPd>;
  if (data.size() < kIaFixed) {
    return RI::failure(shortBy("IA_PD", kIaFixed, data.size()));
  }
  IaPd ia;
  ia.iaid = u32At(data, 0);
  ia.t1 = u32At(data, 4);
  ia.t2 = u32At(data, 8);
  if (auto e = decodeIaBody(data.subspan(kIaFixed), opt6::kIaPrefix, "IAPREFIX", decodeIaPrefix,
                            ia.prefixes, ia.status, ia.options)) {
    return RI::failure("IA_PD iaid " + std::to_string(ia.iaid) + ": " + *e);
  }
  return ia;
}

}  // namespace takahe::dhcp
