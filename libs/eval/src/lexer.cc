#include "lexer.h"

#include "takahe/util/address.h"

namespace takahe::eval::detail {

namespace {

bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool isHexDigit(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
uint8_t hexValue(char c) {
  if (isDigit(c)) {
    return static_cast<uint8_t>(c - '0');
  }
  return static_cast<uint8_t>((c | 0x20) - 'a' + 10);
}

// Shows a stray character readably even when it is a control byte.
std::string quoteChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  if (u >= 0x20 && u < 0x7f) {
    return std::string("'") + c + "'";
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  return std::string("byte 0x") + kDigits[u >> 4] + kDigits[u & 0xf];
}

}  // namespace

std::string describe(const Token& t) {
  if (t.kind == Tok::kEnd) {
    return "the end of the expression";
  }
  if (t.kind == Tok::kString) {
    return std::string(t.text);  // already quoted
  }
  return "'" + std::string(t.text) + "'";
}

std::vector<Token> tokenize(std::string_view text) {
  std::vector<Token> out;
  size_t i = 0;
  auto add = [&](Tok kind, size_t begin, std::string value = {}) {
    out.push_back(Token{kind, text.substr(begin, i - begin), std::move(value), begin + 1});
  };
  while (i < text.size()) {
    const char c = text[i];
    const size_t begin = i;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '\'') {
      // Kea's strings have no escapes: everything up to the next quote (a quote itself can be
      // written as the hex literal 0x27).
      const size_t close = text.find('\'', i + 1);
      if (close == std::string_view::npos) {
        throw SyntaxError{begin + 1, "string starting here has no closing quote"};
      }
      i = close + 1;
      add(Tok::kString, begin, std::string(text.substr(begin + 1, close - begin - 1)));
      continue;
    }
    if (c == '0' && i + 1 < text.size() && (text[i + 1] == 'x' || text[i + 1] == 'X')) {
      i += 2;
      const size_t digits = i;
      while (i < text.size() && isHexDigit(text[i])) {
        ++i;
      }
      if (i == digits) {
        throw SyntaxError{begin + 1, "hex literal '0x' needs at least one hex digit"};
      }
      if (i < text.size() && (isAlpha(text[i]) || text[i] == '_')) {
        throw SyntaxError{
            i + 1, "hex literal contains " + quoteChar(text[i]) + ", which is not a hex digit"};
      }
      // An odd number of digits means a leading zero nibble, as in Kea.
      std::string bytes;
      size_t k = digits;
      if ((i - digits) % 2 == 1) {
        bytes.push_back(static_cast<char>(hexValue(text[k])));
        ++k;
      }
      for (; k < i; k += 2) {
        bytes.push_back(static_cast<char>((hexValue(text[k]) << 4) | hexValue(text[k + 1])));
      }
      add(Tok::kHex, begin, std::move(bytes));
      continue;
    }
    if (isDigit(c) || (c == '-' && i + 1 < text.size() && isDigit(text[i + 1]))) {
      i += 1;
      bool dotted = false;
      while (i < text.size() && (isDigit(text[i]) || text[i] == '.')) {
        // A dot not followed by a digit ends the number ("1.hex" is not an address).
        if (text[i] == '.' && (i + 1 >= text.size() || !isDigit(text[i + 1]))) {
          break;
        }
        dotted = dotted || text[i] == '.';
        ++i;
      }
      if (i < text.size() && (isAlpha(text[i]) || text[i] == '_')) {
        throw SyntaxError{
            begin + 1, "'" + std::string(text.substr(begin, i + 1 - begin)) + "' is not a number"};
      }
      if (!dotted) {
        add(Tok::kInteger, begin);
        continue;
      }
      const std::string_view lexeme = text.substr(begin, i - begin);
      const auto addr = c == '-' ? std::nullopt : IPv4Address::parse(lexeme);
      if (!addr) {
        throw SyntaxError{begin + 1, "'" + std::string(lexeme) + "' is not a valid IPv4 address"};
      }
      const auto b = addr->toBytes();
      add(Tok::kIPv4, begin, std::string(b.begin(), b.end()));
      continue;
    }
    if (isAlpha(c)) {
      while (i < text.size() &&
             (isAlpha(text[i]) || isDigit(text[i]) || text[i] == '_' || text[i] == '-')) {
        ++i;
      }
      add(Tok::kIdent, begin);
      continue;
    }
    if (c == '=') {
      if (i + 1 < text.size() && text[i + 1] == '=') {
        i += 2;
        add(Tok::kEqual, begin);
        continue;
      }
      throw SyntaxError{begin + 1, "'=' is not an operator; compare with '=='"};
    }
    Tok single = Tok::kEnd;
    switch (c) {
      case '(':
        single = Tok::kLParen;
        break;
      case ')':
        single = Tok::kRParen;
        break;
      case '[':
        single = Tok::kLBracket;
        break;
      case ']':
        single = Tok::kRBracket;
        break;
      case ',':
        single = Tok::kComma;
        break;
      case '.':
        single = Tok::kDot;
        break;
      case '+':
        single = Tok::kPlus;
        break;
      default:
        throw SyntaxError{begin + 1, "unexpected " + quoteChar(c)};
    }
    ++i;
    add(single, begin);
  }
  out.push_back(Token{Tok::kEnd, text.substr(text.size()), {}, text.size() + 1});
  return out;
}

}  // namespace takahe::eval::detail
