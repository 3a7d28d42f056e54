// Walks a type-checked tree over one packet. Nothing here throws on packet content: missing
// options, short fields and odd lengths all give "" (the parser has already rejected every
// type error, and the tree depth is bounded, so the recursion is too).

#include <algorithm>
#include <array>
#include <cctype>

#include "node.h"
#include "takahe/util/address.h"

namespace takahe::eval::detail {

namespace {

using dhcp::Pkt4;

std::string bytesOf(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }

std::string uint32Bytes(uint32_t v) {
  return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                     static_cast<char>(v >> 8), static_cast<char>(v)};
}

std::string addressBytes(IPv4Address a) {
  const auto b = a.toBytes();
  return std::string(b.begin(), b.end());
}

void capSize(std::string& s) {
  if (s.size() > kMaxValueSize) {
    s.resize(kMaxValueSize);
  }
}

std::string pkt4Field(Pkt4Field field, const Pkt4& pkt) {
  switch (field) {
    case Pkt4Field::kMac:
      return bytesOf(pkt.hwAddr().bytes);
    case Pkt4Field::kHlen:
      return uint32Bytes(pkt.hlen);
    case Pkt4Field::kHtype:
      return uint32Bytes(pkt.htype);
    case Pkt4Field::kCiaddr:
      return addressBytes(pkt.ciaddr);
    case Pkt4Field::kGiaddr:
      return addressBytes(pkt.giaddr);
    case Pkt4Field::kYiaddr:
      return addressBytes(pkt.yiaddr);
    case Pkt4Field::kSiaddr:
      return addressBytes(pkt.siaddr);
    case Pkt4Field::kMsgType: {
      // The raw byte, so unknown types still compare; 0 when there is none (BOOTP), as Kea.
      const Bytes* mt = pkt.option(dhcp::opt::kMessageType);
      return uint32Bytes(mt != nullptr && !mt->empty() ? (*mt)[0] : 0);
    }
    case Pkt4Field::kTransId:
      return uint32Bytes(pkt.xid);
  }
  return {};
}

std::string pktMeta(PktMeta meta, const Pkt4& pkt) {
  switch (meta) {
    case PktMeta::kIface:
      return pkt.meta.iface;
    case PktMeta::kSrc:
      return addressBytes(pkt.meta.remote_addr);
    case PktMeta::kDst:
      return addressBytes(pkt.meta.local_addr);
    case PktMeta::kLen: {
      // Header, magic cookie, options and END, without padding: the packet's own length.
      Bytes options;
      dhcp::appendOptions4(pkt.options(), options);
      return uint32Bytes(static_cast<uint32_t>(Pkt4::kHeaderSize + 4 + options.size() + 1));
    }
  }
  return {};
}

std::string substring(const std::string& s, int64_t start, int64_t length, bool all) {
  const auto size = static_cast<int64_t>(s.size());
  if (start >= size || start < -size) {
    return {};
  }
  if (start < 0) {
    start += size;
  }
  if (all) {
    return s.substr(static_cast<size_t>(start));
  }
  if (length >= 0) {
    const int64_t end = std::min(size, start + length);
    return s.substr(static_cast<size_t>(start), static_cast<size_t>(end - start));
  }
  // A negative length counts back from start, excluding the byte at start.
  const int64_t begin = std::max<int64_t>(0, start + length);
  return s.substr(static_cast<size_t>(begin), static_cast<size_t>(start - begin));
}

std::string split(const std::string& s, const std::string& delimiters, int64_t field) {
  if (s.empty() || field < 1) {
    return {};
  }
  if (delimiters.empty()) {
    return s;
  }
  int64_t current = 1;
  size_t begin = 0;
  while (true) {
    const size_t end = s.find_first_of(delimiters, begin);
    if (current == field) {
      return s.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
    }
    if (end == std::string::npos) {
      return {};
    }
    begin = end + 1;
    ++current;
  }
}

std::string hexString(const std::string& s, const std::string& separator) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0) {
      out += separator;
    }
    const auto b = static_cast<uint8_t>(s[i]);
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
    if (out.size() > kMaxValueSize) {
      break;
    }
  }
  capSize(out);
  return out;
}

std::string addrToText(const std::string& s) {
  if (s.size() == 4) {
    return IPv4Address::fromBytes(reinterpret_cast<const uint8_t*>(s.data())).toString();
  }
  if (s.size() == 16) {
    std::array<uint8_t, 16> b{};
    std::copy(s.begin(), s.end(), b.begin());
    return IPv6Address(b).toString();
  }
  return {};  // Kea fails the evaluation here; we give "" so packet content never throws.
}

std::string intToText(const std::string& s, uint8_t width, bool is_signed) {
  if (s.size() != width) {
    return {};  // empty input gives "" in Kea too; other lengths are a Kea evaluation error
  }
  uint32_t v = 0;
  for (char c : s) {
    v = (v << 8) | static_cast<uint8_t>(c);
  }
  if (!is_signed) {
    return std::to_string(v);
  }
  switch (width) {
    case 1:
      return std::to_string(static_cast<int8_t>(v));
    case 2:
      return std::to_string(static_cast<int16_t>(v));
    default:
      return std::to_string(static_cast<int32_t>(v));
  }
}

std::string optionValue(const Bytes* data) {
  // .hex and .text both give the payload bytes: for text options (host-name, vendor class
  // ...) that is the text itself. See README for how this differs from Kea for other types.
  return data == nullptr ? std::string() : bytesOf(*data);
}

}  // namespace

bool evalBool(const Node& n, const Pkt4& pkt) {
  switch (n.op) {
    case Op::kEqual:
      return evalString(*n.kids[0], pkt) == evalString(*n.kids[1], pkt);
    case Op::kAnd:
      return evalBool(*n.kids[0], pkt) && evalBool(*n.kids[1], pkt);
    case Op::kOr:
      return evalBool(*n.kids[0], pkt) || evalBool(*n.kids[1], pkt);
    case Op::kNot:
      return !evalBool(*n.kids[0], pkt);
    case Op::kMember:
      return false;  // no client classes are assigned yet (see README)
    case Op::kOption:
      return pkt.has(static_cast<uint8_t>(n.code));
    case Op::kRelay4:
      return pkt.relayAgentSubOption(static_cast<uint8_t>(n.code)).has_value();
    default:
      return false;  // not reached: the parser types every node
  }
}

std::string evalString(const Node& n, const Pkt4& pkt) {
  if (n.type == ValueType::kBool) {
    return evalBool(n, pkt) ? "true" : "false";
  }
  switch (n.op) {
    case Op::kLiteral:
      return n.str;
    case Op::kOption:
      return optionValue(pkt.option(static_cast<uint8_t>(n.code)));
    case Op::kRelay4: {
      const auto sub = pkt.relayAgentSubOption(static_cast<uint8_t>(n.code));
      return sub ? bytesOf(*sub) : std::string();
    }
    case Op::kPkt4Field:
      return pkt4Field(n.field, pkt);
    case Op::kPktMeta:
      return pktMeta(n.meta, pkt);
    case Op::kSubstring:
      return substring(evalString(*n.kids[0], pkt), n.start, n.length, n.all);
    case Op::kConcat: {
      std::string out = evalString(*n.kids[0], pkt);
      out += evalString(*n.kids[1], pkt);
      capSize(out);
      return out;
    }
    case Op::kIfElse:
      return evalBool(*n.kids[0], pkt) ? evalString(*n.kids[1], pkt) : evalString(*n.kids[2], pkt);
    case Op::kHexString:
      return hexString(evalString(*n.kids[0], pkt), evalString(*n.kids[1], pkt));
    case Op::kAddrToText:
      return addrToText(evalString(*n.kids[0], pkt));
    case Op::kIntToText:
      return intToText(evalString(*n.kids[0], pkt), n.width, n.is_signed);
    case Op::kLowerCase:
    case Op::kUpperCase: {
      std::string s = evalString(*n.kids[0], pkt);
      for (char& c : s) {
        // ASCII only, whatever the locale.
        if (n.op == Op::kLowerCase && c >= 'A' && c <= 'Z') {
          c = static_cast<char>(c + ('a' - 'A'));
        } else if (n.op == Op::kUpperCase && c >= 'a' && c <= 'z') {
          c = static_cast<char>(c - ('a' - 'A'));
        }
      }
      return s;
    }
    case Op::kSplit:
      return split(evalString(*n.kids[0], pkt), evalString(*n.kids[1], pkt), n.index);
    default:
      return {};  // not reached: boolean nodes are handled above
  }
}

}  // namespace takahe::eval::detail
