#pragma once

// Splits expression text into tokens, each with its 1-based column. Private to libs/eval.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace takahe::eval::detail {

enum class Tok {
  kEnd,
  kString,   // 'text'         value = the bytes between the quotes
  kHex,      // 0x0a1b         value = the bytes
  kInteger,  // 123, -4        text only (the parser knows the range it needs)
  kIPv4,     // 10.0.0.1       value = 4 bytes, network order
  kIdent,    // option, hex, host-name, all ...
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kComma,
  kDot,
  kEqual,  // ==
  kPlus,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;  // as written (views the compiled text)
  std::string value;
  size_t column = 1;
};

/// A syntax or type error at a column; compile() turns it into a ConfigError.
struct SyntaxError {
  size_t column;
  std::string message;
};

/// Tokenizes all of `text` (the last token is kEnd). Throws SyntaxError.
std::vector<Token> tokenize(std::string_view text);

/// How a token reads in an error message: "'option'" or "the end of the expression".
std::string describe(const Token& t);

}  // namespace takahe::eval::detail
