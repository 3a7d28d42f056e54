#include "takahe/util/hex.h"

#include <cctype>

namespace takahe {

std::string toHex(std::span<const uint8_t> data, char separator) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 3);
  for (size_t i = 0; i < data.size(); ++i) {
    if (i && separator) out.push_back(separator);
    out.push_back(kDigits[data[i] >> 4]);
    out.push_back(kDigits[data[i] & 0xf]);
  }
  return out;
}

namespace {
int digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<Bytes> parseHex(std::string_view text) {
  if (text.size() >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    text.remove_prefix(2);
  }
  Bytes out;
  bool has_sep = text.find_first_of(": ") != std::string_view::npos;
  if (!has_sep) {
    // Contiguous digits; an odd count gets an implied leading zero.
    size_t i = 0;
    if (text.size() % 2) {
      int d = digit(text[0]);
      if (d < 0) return std::nullopt;
      out.push_back(static_cast<uint8_t>(d));
      i = 1;
    }
    for (; i < text.size(); i += 2) {
      int h = digit(text[i]), l = digit(text[i + 1]);
      if (h < 0 || l < 0) return std::nullopt;
      out.push_back(static_cast<uint8_t>(h << 4 | l));
    }
    return out;
  }
  char sep = text.find(':') != std::string_view::npos ? ':' : ' ';
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(sep, start);
    if (end == std::string_view::npos) end = text.size();
    auto part = text.substr(start, end - start);
    if (part.empty() || part.size() > 2) return std::nullopt;
    int v = 0;
    for (char c : part) {
      int d = digit(c);
      if (d < 0) return std::nullopt;
      v = v * 16 + d;
    }
    out.push_back(static_cast<uint8_t>(v));
    if (end == text.size()) break;
    start = end + 1;
  }
  return out;
}

}  // namespace takahe
