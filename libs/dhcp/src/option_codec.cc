// The option codec: config text (Kea's csv "data") to wire bytes and back, per definition.

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <optional>

#include "codec_internal.h"
#include "takahe/dhcp/option_definition.h"
#include "takahe/util/address.h"
#include "takahe/util/strings.h"

namespace takahe::dhcp {

namespace {

using T = OptionDataType;

constexpr uint8_t kFqdnFlagE = 0x04;  // RFC 4702: name in canonical wire format
constexpr uint16_t kClientFqdnCode = 81;
constexpr uint16_t kClasslessRouteCode = 121;
constexpr uint16_t kSztpRedirectCode = 143;

bool isClasslessRoute(const OptionDefinition& def) {
  return def.type == T::kInternal && def.code == kClasslessRouteCode && def.space == kDhcp4Space;
}

// Option 81 with its standard layout: the E flag decides how the name is encoded.
bool isClientFqdn(const OptionDefinition& def) {
  return def.code == kClientFqdnCode && def.space == kDhcp4Space && def.type == T::kRecord &&
         def.record_types.size() == 4 && def.record_types[0] == T::kUint8 &&
         def.record_types[3] == T::kFqdn;
}

size_t tupleLengthSize(const OptionDefinition& def) {
  if (isV6Definition(def)) {
    return 2;  // RFC 8415 opaque data (user/vendor class, bootfile-param, sztp-redirect)
  }
  return def.space == kDhcp4Space && def.code == kSztpRedirectCode ? 2 : 1;
}

std::string who(const OptionDefinition& def) {
  return "option '" + def.name + "' (" + std::to_string(def.code) + "): ";
}

// ---- csv text ----------------------------------------------------------------------------

struct Token {
  std::string value;  // trimmed, unquoted, "\," unescaped
  bool quoted = false;
};

// Walks comma-separated fields: 'single quotes' protect commas, "\," is a literal comma.
class CsvCursor {
 public:
  explicit CsvCursor(std::string_view data) : data_(data), done_(trim(data).empty()) {}

  bool atEnd() const { return done_; }

  /// The unparsed remainder (for a string field that takes the rest).
  std::string_view rest() const { return done_ ? std::string_view() : data_.substr(pos_); }
  void finish() { done_ = true; }

  Result<Token> next() {
    using R = Result<Token>;
    Token t;
    size_t n = data_.size();
    while (pos_ < n && std::isspace(static_cast<unsigned char>(data_[pos_]))) {
      ++pos_;
    }
    if (pos_ < n && data_[pos_] == '\'') {
      size_t close = data_.find('\'', pos_ + 1);
      if (close == std::string_view::npos) {
        return R::failure("unterminated quote in '" + std::string(data_) + "'");
      }
      t.value = std::string(data_.substr(pos_ + 1, close - pos_ - 1));
      t.quoted = true;
      pos_ = close + 1;
      while (pos_ < n && std::isspace(static_cast<unsigned char>(data_[pos_]))) {
        ++pos_;
      }
      if (pos_ < n && data_[pos_] != ',') {
        return R::failure("text after a closing quote in '" + std::string(data_) + "'");
      }
    } else {
      std::string v;
      while (pos_ < n && data_[pos_] != ',') {
        if (data_[pos_] == '\\' && pos_ + 1 < n && data_[pos_ + 1] == ',') {
          v.push_back(',');
          pos_ += 2;
          continue;
        }
        v.push_back(data_[pos_++]);
      }
      t.value = std::string(trim(v));
    }
    if (pos_ >= n) {
      done_ = true;
    } else {
      ++pos_;  // the comma; a field (maybe empty) follows
    }
    return t;
  }

 private:
  std::string_view data_;
  size_t pos_ = 0;
  bool done_;
};

// A string that takes the rest of the data: trimmed, one 'quoted' value unquoted, "\," -> ",".
std::string restText(std::string_view raw) {
  std::string_view t = trim(raw);
  if (t.size() >= 2 && t.front() == '\'' && t.back() == '\'' &&
      t.substr(1, t.size() - 2).find('\'') == std::string_view::npos) {
    return std::string(t.substr(1, t.size() - 2));
  }
  std::string out;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '\\' && i + 1 < t.size() && t[i + 1] == ',') {
      continue;
    }
    out.push_back(t[i]);
  }
  return out;
}

// Hex as operators write it, a little looser than parseHex about whitespace.
std::optional<Bytes> parseHexLoose(std::string_view text) {
  text = trim(text);
  std::string norm;
  bool colons = text.find(':') != std::string_view::npos;
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!colons && !norm.empty() && norm.back() != ' ') {
        norm.push_back(' ');
      }
      continue;
    }
    norm.push_back(c);
  }
  return parseHex(norm);
}

// ---- field encoders ----------------------------------------------------------------------

std::optional<int64_t> parseInteger(std::string_view s) {
  bool neg = false;
  if (!s.empty() && s.front() == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) {
    return std::nullopt;
  }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size() || v > (uint64_t{1} << 40)) {
    return std::nullopt;
  }
  int64_t r = static_cast<int64_t>(v);
  return neg ? -r : r;
}

struct IntRange {
  int64_t min;
  int64_t max;
  size_t bytes;
};

std::optional<IntRange> intRange(T t) {
  switch (t) {
    case T::kInt8:
      return IntRange{-128, 127, 1};
    case T::kInt16:
      return IntRange{-32768, 32767, 2};
    case T::kInt32:
      return IntRange{std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), 4};
    case T::kUint8:
      return IntRange{0, 255, 1};
    case T::kUint16:
      return IntRange{0, 65535, 2};
    case T::kUint32:
      return IntRange{0, std::numeric_limits<uint32_t>::max(), 4};
    default:
      return std::nullopt;
  }
}

void putInt(uint64_t v, size_t bytes, Bytes& out) {
  for (size_t i = bytes; i > 0; --i) {
    out.push_back(static_cast<uint8_t>(v >> (8 * (i - 1))));
  }
}

std::string removeSpaces(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      out.push_back(c);
    }
  }
  return out;
}

struct Ctx {
  size_t tuple_len = 1;
};

// Appends one field; returns the reason when the text does not fit the type.
std::optional<std::string> encodeValue(T type, const Token& tok, const Ctx& ctx, Bytes& out) {
  const std::string& v = tok.value;
  if (auto range = intRange(type)) {
    auto n = parseInteger(v);
    if (!n || *n < range->min || *n > range->max) {
      return "is not a valid " + std::string(optionDataTypeName(type)) + " (" +
             std::to_string(range->min) + ".." + std::to_string(range->max) + ")";
    }
    putInt(static_cast<uint64_t>(*n), range->bytes, out);
    return std::nullopt;
  }
  switch (type) {
    case T::kBoolean: {
      std::string l = toLower(v);
      if (l == "true" || l == "1") {
        out.push_back(1);
      } else if (l == "false" || l == "0") {
        out.push_back(0);
      } else {
        return "is not a valid boolean (true, false, 1 or 0)";
      }
      return std::nullopt;
    }
    case T::kIpv4Address: {
      auto a = IPv4Address::parse(v);
      if (!a) {
        return "is not a valid IPv4 address";
      }
      auto b = a->toBytes();
      out.insert(out.end(), b.begin(), b.end());
      return std::nullopt;
    }
    case T::kIpv6Address: {
      auto a = IPv6Address::parse(v);
      if (!a) {
        return "is not a valid IPv6 address";
      }
      out.insert(out.end(), a->bytes().begin(), a->bytes().end());
      return std::nullopt;
    }
    case T::kIpv6Prefix: {
      auto p = Prefix6::parse(removeSpaces(v));
      if (!p) {
        return "is not a valid IPv6 prefix (expected address/length)";
      }
      // Kea's layout: length byte, then only the significant bytes, spare bits zeroed.
      out.push_back(p->length);
      size_t nbytes = (p->length + 7u) / 8u;
      const auto& b = p->address.bytes();
      for (size_t i = 0; i < nbytes; ++i) {
        uint8_t byte = b[i];
        if (i + 1 == nbytes && p->length % 8 != 0) {
          byte = static_cast<uint8_t>(byte & (0xff << (8 - p->length % 8)));
        }
        out.push_back(byte);
      }
      return std::nullopt;
    }
    case T::kPsid: {
      std::string s = removeSpaces(v);
      size_t slash = s.find('/');
      std::optional<int64_t> psid, len;
      if (slash != std::string::npos) {
        psid = parseInteger(std::string_view(s).substr(0, slash));
        len = parseInteger(std::string_view(s).substr(slash + 1));
      }
      if (!psid || !len || *len < 0 || *len > 16 || *psid < 0 || *psid >= (int64_t{1} << *len)) {
        return "is not a valid PSID (expected psid/length, length 0..16, psid < 2^length)";
      }
      out.push_back(static_cast<uint8_t>(*len));
      // The PSID sits in the high bits of a 16-bit field (RFC 7597).
      putInt(*len == 0 ? 0 : static_cast<uint64_t>(*psid) << (16 - *len), 2, out);
      return std::nullopt;
    }
    case T::kString:
      out.insert(out.end(), v.begin(), v.end());
      return std::nullopt;
    case T::kFqdn: {
      auto w = encodeFqdn(v);
      if (!w) {
        return "is not a valid domain name: " + w.error();
      }
      out.insert(out.end(), w->begin(), w->end());
      return std::nullopt;
    }
    case T::kTuple: {
      size_t max = ctx.tuple_len == 1 ? 255 : 65535;
      if (v.size() > max) {
        return "is longer than " + std::to_string(max) + " bytes";
      }
      putInt(v.size(), ctx.tuple_len, out);
      out.insert(out.end(), v.begin(), v.end());
      return std::nullopt;
    }
    case T::kBinary:
    case T::kInternal: {
      if (tok.quoted) {
        out.insert(out.end(), v.begin(), v.end());
        return std::nullopt;
      }
      auto b = parseHexLoose(v);
      if (!b) {
        return "is not valid hex";
      }
      out.insert(out.end(), b->begin(), b->end());
      return std::nullopt;
    }
    default:
      return "cannot be encoded as type '" + std::string(optionDataTypeName(type)) + "'";
  }
}

// ---- classless static routes (RFC 3442) --------------------------------------------------

Result<Bytes> encodeRoutes(const OptionDefinition& def, std::string_view data) {
  using R = Result<Bytes>;
  if (trim(data).empty()) {
    return R::failure(who(def) + "no routes given (expected \"a.b.c.d/len - router, ...\")");
  }
  Bytes out;
  auto routes = split(data, ',');
  for (size_t i = 0; i < routes.size(); ++i) {
    std::string_view r = trim(routes[i]);
    size_t dash = r.find('-');
    std::optional<Prefix4> dest;
    std::optional<IPv4Address> router;
    if (dash != std::string_view::npos) {
      dest = Prefix4::parse(trim(r.substr(0, dash)));
      router = IPv4Address::parse(trim(r.substr(dash + 1)));
    }
    if (!dest || !router) {
      return R::failure(who(def) + "route " + std::to_string(i + 1) + " '" + std::string(r) +
                        "' is not valid (expected a.b.c.d/len - router)");
    }
    out.push_back(dest->length);
    auto net = dest->network().toBytes();
    out.insert(out.end(), net.begin(), net.begin() + (dest->length + 7) / 8);
    auto rb = router->toBytes();
    out.insert(out.end(), rb.begin(), rb.end());
  }
  return out;
}

Result<std::string> formatRoutes(const OptionDefinition& def, std::span<const uint8_t> w) {
  using R = Result<std::string>;
  if (w.empty()) {
    return R::failure(who(def) + "no routes in the data");
  }
  std::string out;
  size_t pos = 0;
  while (pos < w.size()) {
    uint8_t len = w[pos];
    size_t sig = (len + 7u) / 8u;
    if (len > 32 || pos + 1 + sig + 4 > w.size()) {
      return R::failure(who(def) + "route at byte " + std::to_string(pos) +
                        (len > 32 ? " has a prefix length over 32" : " is truncated"));
    }
    std::array<uint8_t, 4> net{};
    std::copy_n(w.begin() + static_cast<std::ptrdiff_t>(pos + 1), sig, net.begin());
    IPv4Address router = IPv4Address::fromBytes(&w[pos + 1 + sig]);
    if (!out.empty()) {
      out += ", ";
    }
    out += IPv4Address::fromBytes(net.data()).toString() + "/" + std::to_string(len) + " - " +
           router.toString();
    pos += 1 + sig + 4;
  }
  return out;
}

// ---- field decoders ----------------------------------------------------------------------

std::string fieldError(size_t field, const std::string& reason) {
  return "field " + std::to_string(field) + " " + reason;
}

// Decodes one field at `pos`. `tail` is set for a field that takes the rest of the data.
Result<std::string> decodeValue(T type, std::span<const uint8_t> w, size_t& pos, bool tail,
                                const Ctx& ctx) {
  using R = Result<std::string>;
  size_t left = w.size() - pos;
  auto need = [&](size_t n) -> std::optional<std::string> {
    if (left < n) {
      return "needs " + std::to_string(n) + " bytes, " + std::to_string(left) + " left";
    }
    return std::nullopt;
  };
  if (auto range = intRange(type)) {
    if (auto e = need(range->bytes)) {
      return R::failure(*e);
    }
    uint64_t v = 0;
    for (size_t i = 0; i < range->bytes; ++i) {
      v = (v << 8) | w[pos + i];
    }
    pos += range->bytes;
    if (range->min < 0) {
      // Sign-extend from the field width.
      int shift = static_cast<int>(64 - 8 * range->bytes);
      return std::to_string(static_cast<int64_t>(v << shift) >> shift);
    }
    return std::to_string(v);
  }
  switch (type) {
    case T::kBoolean: {
      if (auto e = need(1)) {
        return R::failure(*e);
      }
      uint8_t b = w[pos++];
      if (b > 1) {
        return R::failure("boolean value " + std::to_string(b) + " is not 0 or 1");
      }
      return std::string(b ? "true" : "false");
    }
    case T::kIpv4Address: {
      if (auto e = need(4)) {
        return R::failure(*e);
      }
      pos += 4;
      return IPv4Address::fromBytes(&w[pos - 4]).toString();
    }
    case T::kIpv6Address: {
      if (auto e = need(16)) {
        return R::failure(*e);
      }
      std::array<uint8_t, 16> b{};
      std::copy_n(w.begin() + static_cast<std::ptrdiff_t>(pos), 16, b.begin());
      pos += 16;
      return IPv6Address(b).toString();
    }
    case T::kIpv6Prefix: {
      if (auto e = need(1)) {
        return R::failure(*e);
      }
      uint8_t len = w[pos];
      size_t nbytes = (len + 7u) / 8u;
      if (len > 128) {
        return R::failure("prefix length " + std::to_string(len) + " is over 128");
      }
      if (auto e = need(1 + nbytes)) {
        return R::failure(*e);
      }
      std::array<uint8_t, 16> b{};
      std::copy_n(w.begin() + static_cast<std::ptrdiff_t>(pos + 1), nbytes, b.begin());
      if (len % 8 != 0) {
        b[nbytes - 1] = static_cast<uint8_t>(b[nbytes - 1] & (0xff << (8 - len % 8)));
      }
      pos += 1 + nbytes;
      return IPv6Address(b).toString() + "/" + std::to_string(len);
    }
    case T::kPsid: {
      if (auto e = need(3)) {
        return R::failure(*e);
      }
      uint8_t len = w[pos];
      uint16_t raw = static_cast<uint16_t>((w[pos + 1] << 8) | w[pos + 2]);
      if (len > 16) {
        return R::failure("PSID length " + std::to_string(len) + " is over 16");
      }
      uint16_t low_mask = len == 16 ? 0 : static_cast<uint16_t>(0xffffu >> len);
      if ((raw & low_mask) != 0) {
        return R::failure("PSID has bits set beyond its length " + std::to_string(len));
      }
      pos += 3;
      unsigned psid = len == 0 ? 0 : raw >> (16 - len);
      return std::to_string(psid) + "/" + std::to_string(len);
    }
    case T::kString: {
      // Takes the rest; clients often NUL-terminate text, the NULs are not part of it.
      size_t end = w.size();
      while (end > pos && w[end - 1] == 0) {
        --end;
      }
      std::string s(w.begin() + static_cast<std::ptrdiff_t>(pos),
                    w.begin() + static_cast<std::ptrdiff_t>(end));
      pos = w.size();
      return s;
    }
    case T::kBinary:
    case T::kInternal: {
      std::string s = toHex(w.subspan(pos), '\0');
      pos = w.size();
      return s;
    }
    case T::kFqdn: {
      size_t used = 0;
      auto name = detail::decodeFqdnAt(w, pos, used, tail);
      if (!name) {
        return R::failure(name.error());
      }
      pos += used;
      return name;
    }
    case T::kTuple: {
      if (auto e = need(ctx.tuple_len)) {
        return R::failure(*e);
      }
      size_t len = w[pos];
      if (ctx.tuple_len == 2) {
        len = (len << 8) | w[pos + 1];
      }
      left -= ctx.tuple_len;
      if (left < len) {
        return R::failure("tuple of " + std::to_string(len) + " bytes runs past the end");
      }
      pos += ctx.tuple_len;
      std::string s(w.begin() + static_cast<std::ptrdiff_t>(pos),
                    w.begin() + static_cast<std::ptrdiff_t>(pos + len));
      pos += len;
      return s;
    }
    default:
      return R::failure("cannot be decoded as type '" + std::string(optionDataTypeName(type)) +
                        "'");
  }
}

bool variableTail(T t) { return t == T::kString || t == T::kBinary; }

}  // namespace

Result<Bytes> encodeOptionData(const OptionDefinition& def, std::string_view data,
                               bool csv_format) {
  using R = Result<Bytes>;
  if (!csv_format) {
    auto b = parseHexLoose(data);
    if (!b) {
      return R::failure(who(def) + "data '" + std::string(data) +
                        "' is not valid hex (csv-format is false)");
    }
    if (def.type == T::kEmpty && def.encapsulate.empty() && !b->empty()) {
      return R::failure(who(def) + "type 'empty' takes no data");
    }
    return *b;
  }
  if (def.type == T::kEmpty) {
    if (!trim(data).empty()) {
      return R::failure(who(def) + "type 'empty' takes no data, got '" + std::string(data) + "'");
    }
    return Bytes{};
  }
  if (isClasslessRoute(def)) {
    return encodeRoutes(def, data);
  }
  if (def.type == T::kString && !def.array) {
    std::string s = restText(data);
    if (s.empty()) {
      return R::failure(who(def) + "a string value cannot be empty");
    }
    return Bytes(s.begin(), s.end());
  }

  Ctx ctx{tupleLengthSize(def)};
  CsvCursor cur(data);
  if (cur.atEnd()) {
    if (def.type == T::kBinary || def.type == T::kInternal || !def.encapsulate.empty()) {
      return Bytes{};
    }
    return R::failure(who(def) + "no data given");
  }
  Bytes out;
  size_t field = 0;
  auto put = [&](T type) -> std::optional<std::string> {
    auto tok = cur.next();
    ++field;
    if (!tok) {
      return who(def) + tok.error();
    }
    if (auto reason = encodeValue(type, *tok, ctx, out)) {
      return who(def) + fieldError(field, "'" + tok->value + "' " + *reason);
    }
    return std::nullopt;
  };

  if (def.type == T::kRecord) {
    const auto& f = def.record_types;
    bool ascii_name = false;
    for (size_t i = 0; i < f.size(); ++i) {
      bool last = i + 1 == f.size();
      if (last && !def.array && variableTail(f[i])) {
        // The last string/binary field takes whatever is left (and may be omitted).
        if (f[i] == T::kString) {
          std::string s = restText(cur.rest());
          out.insert(out.end(), s.begin(), s.end());
          cur.finish();
        }
        while (!cur.atEnd()) {
          if (auto e = put(T::kBinary)) {
            return R::failure(*e);
          }
        }
        break;
      }
      if (cur.atEnd()) {
        return R::failure(who(def) + "expected " + std::to_string(f.size()) + " fields, got " +
                          std::to_string(i));
      }
      T type = f[i];
      if (ascii_name && i == 3) {
        type = T::kString;  // option 81 without the E flag carries the name as ASCII
      }
      if (auto e = put(type)) {
        return R::failure(*e);
      }
      if (i == 0 && isClientFqdn(def)) {
        ascii_name = (out[0] & kFqdnFlagE) == 0;
      }
    }
    if (def.array) {
      while (!cur.atEnd()) {
        if (auto e = put(f.back())) {
          return R::failure(*e);
        }
      }
    } else if (!cur.atEnd()) {
      return R::failure(who(def) + "too many fields, expected " + std::to_string(f.size()));
    }
    return out;
  }
  if (def.array) {
    while (!cur.atEnd()) {
      if (auto e = put(def.type)) {
        return R::failure(*e);
      }
    }
    return out;
  }
  if (auto e = put(def.type)) {
    return R::failure(*e);
  }
  if (!cur.atEnd()) {
    return R::failure(who(def) + "expects a single value, got more fields");
  }
  return out;
}

Result<std::string> formatOptionData(const OptionDefinition& def, std::span<const uint8_t> wire) {
  using R = Result<std::string>;
  if (def.type == T::kEmpty) {
    if (wire.empty()) {
      return std::string();
    }
    if (!def.encapsulate.empty()) {
      return R::failure(who(def) + "carries " + std::to_string(wire.size()) +
                        " bytes of sub-options of space '" + def.encapsulate +
                        "'; format them with their own definitions");
    }
    return R::failure(who(def) + "type 'empty' but " + std::to_string(wire.size()) +
                      " bytes of data");
  }
  if (isClasslessRoute(def)) {
    return formatRoutes(def, wire);
  }
  Ctx ctx{tupleLengthSize(def)};
  std::string out;
  size_t pos = 0;
  size_t field = 0;
  auto take = [&](T type, bool tail) -> std::optional<std::string> {
    ++field;
    auto v = decodeValue(type, wire, pos, tail, ctx);
    if (!v) {
      return who(def) + fieldError(field, v.error());
    }
    if (field > 1) {
      out += ", ";
    }
    out += *v;
    return std::nullopt;
  };

  if (def.type == T::kRecord) {
    const auto& f = def.record_types;
    bool ascii_name = false;
    for (size_t i = 0; i < f.size(); ++i) {
      bool last = i + 1 == f.size();
      if (last && !def.array && variableTail(f[i]) && pos == wire.size()) {
        break;  // an omitted trailing string/binary field
      }
      T type = f[i];
      if (ascii_name && i == 3) {
        type = T::kString;
      }
      if (auto e = take(type, last && !def.array)) {
        return R::failure(*e);
      }
      if (i == 0 && isClientFqdn(def)) {
        ascii_name = (wire[0] & kFqdnFlagE) == 0;
      }
    }
    while (def.array && pos < wire.size()) {
      if (auto e = take(f.back(), false)) {
        return R::failure(*e);
      }
    }
  } else if (def.array) {
    while (pos < wire.size()) {
      if (auto e = take(def.type, false)) {
        return R::failure(*e);
      }
    }
  } else {
    if (auto e = take(def.type, true)) {
      return R::failure(*e);
    }
  }
  if (pos < wire.size()) {
    return R::failure(who(def) + std::to_string(wire.size() - pos) +
                      " bytes left after the last field");
  }
  return out;
}

}  // namespace takahe::dhcp
