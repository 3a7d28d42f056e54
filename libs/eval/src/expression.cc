#include "takahe/eval/expression.h"

#include "lexer.h"
#include "node.h"
#include "parser.h"
#include "takahe/util/error.h"

namespace takahe::eval {

Expression::Expression(std::string text, std::unique_ptr<const detail::Node> root, ValueType type)
    : text_(std::move(text)), root_(std::move(root)), type_(type) {}

Expression::~Expression() = default;

ExpressionPtr compile(std::string_view text) {
  try {
    auto root = detail::parse(text);
    const ValueType type = root->type;
    return std::make_shared<const Expression>(std::string(text), std::move(root), type);
  } catch (const detail::SyntaxError& e) {
    throw ConfigError("expression '" + std::string(text) + "' at column " +
                      std::to_string(e.column) + ": " + e.message);
  }
}

std::string evaluateString(const Expression& e, const dhcp::Pkt4& pkt) {
  return detail::evalString(e.root(), pkt);
}

bool evaluateBool(const Expression& e, const dhcp::Pkt4& pkt) {
  if (!e.isBool()) {
    throw Error("expression '" + e.text() +
                "' gives a string, not a boolean (compare it with '==' to test it)");
  }
  return detail::evalBool(e.root(), pkt);
}

}  // namespace takahe::eval
