// DHCPv6 option framing (RFC 8415 §21.1), DUIDs (§11) and the small options a server reads or
// writes. IA options, status codes and PD_EXCLUDE live in ia6.cc.

#include "takahe/dhcp/options6.h"

#include <algorithm>

#include "codec_internal.h"
#include "takahe/dhcp/option_definition.h"
#include "takahe/util/buffer.h"

namespace takahe::dhcp {

namespace {

constexpr size_t kMaxOptionData = 65535;
constexpr size_t kOptionHeader = 4;

template <typename T>
using R = Result<T>;

void putU16(uint16_t v, Bytes& out) {
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v));
}

void putU32(uint32_t v, Bytes& out) {
  putU16(static_cast<uint16_t>(v >> 16), out);
  putU16(static_cast<uint16_t>(v), out);
}

uint16_t u16At(std::span<const uint8_t> d, size_t pos) {
  return static_cast<uint16_t>((d[pos] << 8) | d[pos + 1]);
}

uint32_t u32At(std::span<const uint8_t> d, size_t pos) {
  return (uint32_t{u16At(d, pos)} << 16) | u16At(d, pos + 2);
}

// Items with 2-byte lengths from `pos` to the end of `data`.
Result<std::vector<Bytes>> opaqueItems(std::span<const uint8_t> data, size_t pos) {
  std::vector<Bytes> items;
  while (pos < data.size()) {
    if (data.size() - pos < 2) {
      return R<std::vector<Bytes>>::failure("truncated length of item " +
                                            std::to_string(items.size() + 1));
    }
    size_t len = u16At(data, pos);
    pos += 2;
    if (data.size() - pos < len) {
      return R<std::vector<Bytes>>::failure("item " + std::to_string(items.size() + 1) + " of " +
                                            std::to_string(len) + " bytes runs past the end");
    }
    items.emplace_back(data.begin() + static_cast<std::ptrdiff_t>(pos),
                       data.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
  }
  return items;
}

void putOpaqueItems(const std::vector<Bytes>& items, Bytes& out) {
  for (const auto& i : items) {
    // A single item cannot exceed what its 2-byte length says; the rest is not sent.
    size_t n = std::min(i.size(), kMaxOptionData);
    putU16(static_cast<uint16_t>(n), out);
    out.insert(out.end(), i.begin(), i.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

}  // namespace

// ---- framing -------------------------------------------------------------------------------

Result<std::vector<Option6>> parseOptions6(std::span<const uint8_t> wire) {
  using RO = R<std::vector<Option6>>;
  std::vector<Option6> out;
  InputBuffer in(wire);
  while (!in.empty()) {
    size_t at = in.position();
    uint16_t code = 0;
    uint16_t len = 0;
    if (!in.readU16(code) || !in.readU16(len)) {
      return RO::failure("truncated option header at offset " + std::to_string(at) + " (" +
                         std::to_string(wire.size() - at) + " bytes left)");
    }
    std::span<const uint8_t> payload;
    if (!in.readSpan(len, payload)) {
      return RO::failure("option " + std::to_string(code) + " at offset " + std::to_string(at) +
                         " has length " + std::to_string(len) + " but only " +
                         std::to_string(wire.size() - at - kOptionHeader) + " bytes follow");
    }
    out.push_back(Option6{code, Bytes(payload.begin(), payload.end())});
  }
  return out;
}

bool appendOption6(uint16_t code, std::span<const uint8_t> data, Bytes& out) {
  if (data.size() > kMaxOptionData) {
    return false;
  }
  putU16(code, out);
  putU16(static_cast<uint16_t>(data.size()), out);
  out.insert(out.end(), data.begin(), data.end());
  return true;
}

bool appendOptions6(const std::vector<Option6>& options, Bytes& out) {
  bool all = true;
  for (const auto& o : options) {
    all = appendOption6(o.code, o.data, out) && all;
  }
  return all;
}

const Bytes* findOption6(const std::vector<Option6>& options, uint16_t code) {
  for (const auto& o : options) {
    if (o.code == code) {
      return &o.data;
    }
  }
  return nullptr;
}

// ---- DUID ----------------------------------------------------------------------------------

Result<DuidInfo> parseDuid(std::span<const uint8_t> duid) {
  using RD = R<DuidInfo>;
  if (duid.size() < 3) {
    return RD::failure("DUID of " + std::to_string(duid.size()) +
                       " bytes is too short (type code and at least one byte)");
  }
  if (duid.size() > kMaxDuidSize) {
    return RD::failure("DUID of " + std::to_string(duid.size()) + " bytes is longer than 130");
  }
  DuidInfo d;
  d.type = u16At(duid, 0);
  auto need = [&](size_t n, std::string_view name) -> std::optional<std::string> {
    if (duid.size() < n) {
      return std::string(name) + " needs at least " + std::to_string(n) + " bytes, got " +
             std::to_string(duid.size());
    }
    return std::nullopt;
  };
  size_t rest = 2;
  switch (static_cast<DuidType>(d.type)) {
    case DuidType::kLlt:
      if (auto e = need(9, "DUID-LLT")) {
        return RD::failure(*e);
      }
      d.hw_type = u16At(duid, 2);
      d.time = u32At(duid, 4);
      rest = 8;
      break;
    case DuidType::kEn:
      if (auto e = need(7, "DUID-EN")) {
        return RD::failure(*e);
      }
      d.enterprise = u32At(duid, 2);
      rest = 6;
      break;
    case DuidType::kLl:
      if (auto e = need(5, "DUID-LL")) {
        return RD::failure(*e);
      }
      d.hw_type = u16At(duid, 2);
      rest = 4;
      break;
    case DuidType::kUuid:
      if (duid.size() != 18) {
        return RD::failure("DUID-UUID needs exactly 18 bytes, got " + std::to_string(duid.size()));
      }
      break;
  }
  d.identifier.assign(duid.begin() + static_cast<std::ptrdiff_t>(rest), duid.end());
  return d;
}

std::optional<HwAddr> hwAddrFromDuid(std::span<const uint8_t> duid) {
  auto d = parseDuid(duid);
  if (!d || (d->type != static_cast<uint16_t>(DuidType::kLlt) &&
             d->type != static_cast<uint16_t>(DuidType::kLl))) {
    return std::nullopt;
  }
  if (d->hw_type > 255 || d->identifier.empty()) {
    return std::nullopt;
  }
  return HwAddr(static_cast<uint8_t>(d->hw_type), std::move(d->identifier));
}

Duid makeDuidLlt(uint16_t hw_type, uint32_t time, std::span<const uint8_t> link_layer) {
  Bytes b;
  putU16(static_cast<uint16_t>(DuidType::kLlt), b);
  putU16(hw_type, b);
  putU32(time, b);
  b.insert(b.end(), link_layer.begin(), link_layer.end());
  return Duid(std::move(b));
}

Duid makeDuidLl(uint16_t hw_type, std::span<const uint8_t> link_layer) {
  Bytes b;
  putU16(static_cast<uint16_t>(DuidType::kLl), b);
  putU16(hw_type, b);
  b.insert(b.end(), link_layer.begin(), link_layer.end());
  return Duid(std::move(b));
}

Duid makeDuidEn(uint32_t enterprise, std::span<const uint8_t> identifier) {
  Bytes b;
  putU16(static_cast<uint16_t>(DuidType::kEn), b);
  putU32(enterprise, b);
  b.insert(b.end(), identifier.begin(), identifier.end());
  return Duid(std::move(b));
}

Duid makeDuidUuid(const std::array<uint8_t, 16>& uuid) {
  Bytes b;
  putU16(static_cast<uint16_t>(DuidType::kUuid), b);
  b.insert(b.end(), uuid.begin(), uuid.end());
  return Duid(std::move(b));
}

// ---- integers and code lists ---------------------------------------------------------------

Bytes encodeU8(uint8_t v) { return Bytes{v}; }

Bytes encodeU16(uint16_t v) {
  Bytes b;
  putU16(v, b);
  return b;
}

Bytes encodeU32(uint32_t v) {
  Bytes b;
  putU32(v, b);
  return b;
}

std::optional<uint8_t> decodeU8(std::span<const uint8_t> data) {
  return data.size() == 1 ? std::optional<uint8_t>(data[0]) : std::nullopt;
}

std::optional<uint16_t> decodeU16(std::span<const uint8_t> data) {
  return data.size() == 2 ? std::optional<uint16_t>(u16At(data, 0)) : std::nullopt;
}

std::optional<uint32_t> decodeU32(std::span<const uint8_t> data) {
  return data.size() == 4 ? std::optional<uint32_t>(u32At(data, 0)) : std::nullopt;
}

Bytes encodeOptionCodes(std::span<const uint16_t> codes) {
  Bytes b;
  b.reserve(codes.size() * 2);
  for (uint16_t c : codes) {
    putU16(c, b);
  }
  return b;
}

Result<std::vector<uint16_t>> decodeOptionCodes(std::span<const uint8_t> data) {
  if (data.size() % 2 != 0) {
    return R<std::vector<uint16_t>>::failure("option code list of odd length " +
                                             std::to_string(data.size()));
  }
  std::vector<uint16_t> codes;
  codes.reserve(data.size() / 2);
  for (size_t i = 0; i < data.size(); i += 2) {
    codes.push_back(u16At(data, i));
  }
  return codes;
}

// ---- addresses and names -------------------------------------------------------------------

Bytes encodeAddressList(std::span<const IPv6Address> addresses) {
  Bytes b;
  b.reserve(addresses.size() * 16);
  for (const auto& a : addresses) {
    b.insert(b.end(), a.bytes().begin(), a.bytes().end());
  }
  return b;
}

Result<std::vector<IPv6Address>> decodeAddressList(std::span<const uint8_t> data) {
  if (data.size() % 16 != 0) {
    return R<std::vector<IPv6Address>>::failure("address list of " + std::to_string(data.size()) +
                                                " bytes is not a multiple of 16");
  }
  std::vector<IPv6Address> out;
  out.reserve(data.size() / 16);
  for (size_t i = 0; i < data.size(); i += 16) {
    std::array<uint8_t, 16> b{};
    std::copy_n(data.begin() + static_cast<std::ptrdiff_t>(i), 16, b.begin());
    out.emplace_back(b);
  }
  return out;
}

Result<Bytes> encodeDomainList(const std::vector<std::string>& names) {
  Bytes out;
  for (const auto& n : names) {
    auto w = encodeFqdn(n);
    if (!w) {
      return R<Bytes>::failure(w.error());
    }
    out.insert(out.end(), w->begin(), w->end());
  }
  return out;
}

Result<std::vector<std::string>> decodeDomainList(std::span<const uint8_t> data) {
  using RL = R<std::vector<std::string>>;
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < data.size()) {
    // Each name is decoded on its own span: RFC 8415 §10 forbids compression, so a name can
    // only refer to its own bytes.
    size_t used = 0;
    auto name = detail::decodeFqdnAt(data.subspan(pos), 0, used, false);
    if (!name) {
      return RL::failure("name " + std::to_string(out.size() + 1) + ": " + name.error());
    }
    out.push_back(std::move(*name));
    pos += used;
  }
  return out;
}

// ---- class and vendor options --------------------------------------------------------------

Bytes encodeOpaqueList(const std::vector<Bytes>& items) {
  Bytes out;
  putOpaqueItems(items, out);
  return out;
}

Result<std::vector<Bytes>> decodeOpaqueList(std::span<const uint8_t> data) {
  return opaqueItems(data, 0);
}

Bytes encodeVendorClass6(const VendorClass6& v) {
  Bytes out;
  putU32(v.enterprise, out);
  putOpaqueItems(v.data, out);
  return out;
}

Result<VendorClass6> decodeVendorClass6(std::span<const uint8_t> data) {
  using RV = R<VendorClass6>;
  if (data.size() < 4) {
    return RV::failure("vendor class needs an enterprise number (4 bytes), got " +
                       std::to_string(data.size()));
  }
  auto items = opaqueItems(data, 4);
  if (!items) {
    return RV::failure("vendor class: " + items.error());
  }
  return VendorClass6{u32At(data, 0), std::move(*items)};
}

Bytes encodeVendorOpts6(const VendorOpts6& v) {
  Bytes out;
  putU32(v.enterprise, out);
  appendOptions6(v.options, out);
  return out;
}

Result<VendorOpts6> decodeVendorOpts6(std::span<const uint8_t> data) {
  using RV = R<VendorOpts6>;
  if (data.size() < 4) {
    return RV::failure("vendor options need an enterprise number (4 bytes), got " +
                       std::to_string(data.size()));
  }
  auto subs = parseOptions6(data.subspan(4));
  if (!subs) {
    return RV::failure("vendor options of enterprise " + std::to_string(u32At(data, 0)) + ": " +
                       subs.error());
  }
  return VendorOpts6{u32At(data, 0), std::move(*subs)};
}

Bytes encodeRemoteId6(const RemoteId6& r) {
  Bytes out;
  putU32(r.enterprise, out);
  out.insert(out.end(), r.id.begin(), r.id.end());
  return out;
}

Result<RemoteId6> decodeRemoteId6(std::span<const uint8_t> data) {
  if (data.size() < 5) {
    return R<RemoteId6>::failure("remote-id needs an enterprise number and an id, got " +
                                 std::to_string(data.size()) + " bytes");
  }
  return RemoteId6{u32At(data, 0), Bytes(data.begin() + 4, data.end())};
}

// ---- client FQDN, NTP server, client link-layer address ------------------------------------

Result<Bytes> encodeClientFqdn6(const ClientFqdn6& f) {
  Bytes out{f.flags};
  if (f.name.empty()) {
    return out;
  }
  // No trailing dot: a partial name, sent without the root label (RFC 4704 §4.2).
  bool partial = f.name.back() != '.';
  auto w = encodeFqdn(f.name, partial);
  if (!w) {
    return R<Bytes>::failure("client FQDN: " + w.error());
  }
  out.insert(out.end(), w->begin(), w->end());
  return out;
}

Result<ClientFqdn6> decodeClientFqdn6(std::span<const uint8_t> data) {
  using RF = R<ClientFqdn6>;
  if (data.empty()) {
    return RF::failure("client FQDN has no flags byte");
  }
  ClientFqdn6 f;
  f.flags = data[0];
  if ((f.flags & ~(ClientFqdn6::kFlagS | ClientFqdn6::kFlagO | ClientFqdn6::kFlagN)) != 0) {
    return RF::failure("client FQDN flags 0x" + toHex(data.first(1)) + " set reserved bits");
  }
  if (data.size() == 1) {
    return f;
  }
  size_t used = 0;
  auto name = detail::decodeFqdnAt(data.subspan(1), 0, used, true);
  if (!name) {
    return RF::failure("client FQDN: " + name.error());
  }
  if (used != data.size() - 1) {
    return RF::failure("client FQDN: " + std::to_string(data.size() - 1 - used) +
                       " bytes after the name");
  }
  f.name = std::move(*name);
  return f;
}

Result<Bytes> encodeNtpServer6(const std::vector<NtpServer6>& entries) {
  Bytes out;
  for (const auto& e : entries) {
    auto code = static_cast<uint16_t>(e.kind);
    if (e.kind == NtpServer6::Kind::kServerFqdn) {
      auto w = encodeFqdn(e.fqdn);
      if (!w) {
        return R<Bytes>::failure("NTP server FQDN: " + w.error());
      }
      appendOption6(code, *w, out);
    } else {
      appendOption6(code, e.address.bytes(), out);
    }
  }
  return out;
}

Result<std::vector<NtpServer6>> decodeNtpServer6(std::span<const uint8_t> data) {
  using RN = R<std::vector<NtpServer6>>;
  auto subs = parseOptions6(data);
  if (!subs) {
    return RN::failure("NTP server sub-options: " + subs.error());
  }
  if (subs->empty()) {
    return RN::failure("NTP server option without sub-options");
  }
  std::vector<NtpServer6> out;
  for (const auto& s : *subs) {
    NtpServer6 e;
    e.kind = static_cast<NtpServer6::Kind>(s.code);
    switch (e.kind) {
      case NtpServer6::Kind::kServerAddress:
      case NtpServer6::Kind::kMulticastAddress: {
        if (s.data.size() != 16) {
          return RN::failure("NTP server sub-option " + std::to_string(s.code) +
                             " needs a 16-byte address, got " + std::to_string(s.data.size()));
        }
        std::array<uint8_t, 16> b{};
        std::copy_n(s.data.begin(), 16, b.begin());
        e.address = IPv6Address(b);
        break;
      }
      case NtpServer6::Kind::kServerFqdn: {
        size_t used = 0;
        auto name = detail::decodeFqdnAt(s.data, 0, used, false);
        if (!name || used != s.data.size()) {
          return RN::failure("NTP server FQDN: " +
                             (name ? std::string("bytes after the name") : name.error()));
        }
        e.fqdn = std::move(*name);
        break;
      }
      default:
        return RN::failure("unknown NTP server sub-option " + std::to_string(s.code));
    }
    out.push_back(std::move(e));
  }
  return out;
}

Bytes encodeClientLinkLayer(const HwAddr& hw) {
  Bytes out;
  putU16(hw.htype, out);
  out.insert(out.end(), hw.bytes.begin(), hw.bytes.end());
  return out;
}

Result<HwAddr> decodeClientLinkLayer(std::span<const uint8_t> data) {
  if (data.size() < 3) {
    return R<HwAddr>::failure("client link-layer address needs a type and an address, got " +
                              std::to_string(data.size()) + " bytes");
  }
  uint16_t type = u16At(data, 0);
  if (type > 255) {
    return R<HwAddr>::failure("client link-layer type " + std::to_string(type) +
                              " does not fit a hardware type byte");
  }
  return HwAddr(static_cast<uint8_t>(type), Bytes(data.begin() + 2, data.end()));
}

}  // namespace takahe::dhcp
