// Domain names in DNS wire format (RFC 1035 3.1), as used by fqdn-typed option fields.

#include <cctype>

#include "codec_internal.h"
#include "takahe/dhcp/option_definition.h"

namespace takahe::dhcp {

namespace {

constexpr size_t kMaxLabel = 63;
constexpr size_t kMaxName = 255;
constexpr int kMaxPointerHops = 64;

bool needsEscape(uint8_t c) { return c == '.' || c == '\\' || c <= 0x20 || c >= 0x7f; }

void appendLabelText(std::span<const uint8_t> label, std::string& out) {
  for (uint8_t c : label) {
    if (c == '.' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (needsEscape(c)) {
      char buf[5] = {'\\', static_cast<char>('0' + c / 100), static_cast<char>('0' + c / 10 % 10),
                     static_cast<char>('0' + c % 10), 0};
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

}  // namespace

Result<Bytes> encodeFqdn(std::string_view name, bool partial) {
  using R = Result<Bytes>;
  if (name.empty()) {
    return R::failure("empty domain name");
  }
  Bytes out;
  if (name == ".") {
    out.push_back(0);
    return out;
  }
  bool absolute = false;
  Bytes label;
  auto closeLabel = [&]() -> bool {
    if (label.empty() || label.size() > kMaxLabel) {
      return false;
    }
    out.push_back(static_cast<uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    label.clear();
    return true;
  };
  for (size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c == '.') {
      if (label.empty()) {
        return R::failure("'" + std::string(name) + "' has an empty label");
      }
      if (!closeLabel()) {
        return R::failure("'" + std::string(name) + "' has a label longer than 63 bytes");
      }
      if (i + 1 == name.size()) {
        absolute = true;
      }
      continue;
    }
    if (c == '\\') {
      // \DDD (decimal byte) or \X (X literally).
      if (i + 3 < name.size() && std::isdigit(static_cast<unsigned char>(name[i + 1])) &&
          std::isdigit(static_cast<unsigned char>(name[i + 2])) &&
          std::isdigit(static_cast<unsigned char>(name[i + 3]))) {
        int v = (name[i + 1] - '0') * 100 + (name[i + 2] - '0') * 10 + (name[i + 3] - '0');
        if (v > 255) {
          return R::failure("'" + std::string(name) + "' has a bad escape");
        }
        label.push_back(static_cast<uint8_t>(v));
        i += 3;
      } else if (i + 1 < name.size()) {
        label.push_back(static_cast<uint8_t>(name[i + 1]));
        ++i;
      } else {
        return R::failure("'" + std::string(name) + "' ends with a lone backslash");
      }
      continue;
    }
    if (c <= 0x20 || c == 0x7f) {
      return R::failure("'" + std::string(name) + "' contains a space or control character");
    }
    label.push_back(c);
  }
  if (!label.empty() && !closeLabel()) {
    return R::failure("'" + std::string(name) + "' has a label longer than 63 bytes");
  }
  if (!partial || absolute) {
    out.push_back(0);
  }
  if (out.size() > kMaxName) {
    return R::failure("'" + std::string(name) + "' is longer than 255 bytes in wire format");
  }
  return out;
}

namespace detail {

Result<std::string> decodeFqdnAt(std::span<const uint8_t> payload, size_t offset, size_t& consumed,
                                 bool allow_partial) {
  using R = Result<std::string>;
  if (offset >= payload.size()) {
    return R::failure("domain name is missing");
  }
  std::string text;
  size_t pos = offset;
  size_t wire_len = 0;  // uncompressed wire length so far
  size_t limit = pos;   // pointers must point before this (strictly backwards)
  bool jumped = false;
  int hops = 0;
  consumed = 0;
  while (true) {
    if (pos >= payload.size()) {
      if (!allow_partial || jumped) {
        return R::failure("domain name is not terminated");
      }
      consumed = pos - offset;
      return text.empty() ? R::failure("empty domain name") : R(text);
    }
    uint8_t len = payload[pos];
    if ((len & 0xc0) == 0xc0) {
      if (pos + 1 >= payload.size()) {
        return R::failure("truncated compression pointer");
      }
      size_t target = (static_cast<size_t>(len & 0x3f) << 8) | payload[pos + 1];
      if (!jumped) {
        consumed = pos + 2 - offset;
      }
      if (target >= limit || ++hops > kMaxPointerHops) {
        return R::failure("bad compression pointer");
      }
      jumped = true;
      limit = target;
      pos = target;
      continue;
    }
    if ((len & 0xc0) != 0) {
      return R::failure("unsupported label type");
    }
    if (len == 0) {
      if (!jumped) {
        consumed = pos + 1 - offset;
      }
      text.push_back('.');
      return text;
    }
    if (pos + 1 + len > payload.size()) {
      return R::failure("label runs past the end of the data");
    }
    wire_len += 1u + len;
    if (wire_len + 1 > kMaxName) {
      return R::failure("domain name is longer than 255 bytes");
    }
    if (!text.empty()) {
      text.push_back('.');
    }
    appendLabelText(payload.subspan(pos + 1, len), text);
    pos += 1u + len;
  }
}

}  // namespace detail

Result<std::string> decodeFqdn(std::span<const uint8_t> wire, size_t* consumed) {
  size_t used = 0;
  auto r = detail::decodeFqdnAt(wire, 0, used, true);
  if (r && consumed != nullptr) {
    *consumed = used;
  }
  return r;
}

}  // namespace takahe::dhcp
