#pragma once

// Recursive-descent parser with type checking. Private to libs/eval.
//
// Grammar, loosest binding first (Kea's precedence: or < and < not < == < +):
//   expr    := and ( 'or' and )*
//   and     := not ( 'and' not )*
//   not     := 'not' not | compare
//   compare := sum [ '==' sum ]
//   sum     := primary ( '+' primary )*
//   primary := literal | '(' expr ')' | option[..].repr | relay4[..].repr | pkt4.field
//            | pkt.field | function '(' args ')' | member('name') | known | unknown

#include <memory>
#include <string_view>

#include "node.h"

namespace takahe::eval::detail {

/// Deepest tree (and parser recursion) accepted: plenty for configurations, and it keeps
/// evaluation's recursion bounded whatever the text.
inline constexpr size_t kMaxDepth = 64;

/// Parses and type-checks. Throws SyntaxError (lexer.h).
std::unique_ptr<const Node> parse(std::string_view text);

}  // namespace takahe::eval::detail
