#pragma once

// Kea's classification expression language (a DHCPv4 subset): compiled once from configuration
// text, evaluated per packet. Used by the forensic-log formats and, later, client classes.

#include <memory>
#include <string>
#include <string_view>

#include "takahe/dhcp/pkt4.h"

namespace takahe::eval {

namespace detail {
struct Node;
}  // namespace detail

/// What an expression yields: a boolean (comparisons, and/or/not, .exists, member) or a byte
/// string (everything else). Checked when compiling, as Kea's grammar does.
enum class ValueType { kBool, kString };

/// A compiled expression. Immutable after compile(), so one instance may be evaluated from
/// any number of threads at once.
class Expression {
 public:
  Expression(std::string text, std::unique_ptr<const detail::Node> root, ValueType type);
  ~Expression();
  Expression(const Expression&) = delete;
  Expression& operator=(const Expression&) = delete;

  /// The source text, as given to compile().
  const std::string& text() const { return text_; }
  /// The static type of the result.
  ValueType type() const { return type_; }
  bool isBool() const { return type_ == ValueType::kBool; }

  const detail::Node& root() const { return *root_; }

 private:
  std::string text_;
  std::unique_ptr<const detail::Node> root_;
  ValueType type_;
};

using ExpressionPtr = std::shared_ptr<const Expression>;

/// Compiles `text`. Throws takahe::ConfigError with an operator-readable message naming the
/// 1-based column: "expression 'substring(option[61].hex,0,' at column 28: expected an integer length
/// or 'all', found the end of the expression". Both boolean and string expressions are accepted;
/// check type() when only one kind makes sense (a class "test" must be boolean).
ExpressionPtr compile(std::string_view text);

/// Evaluates as a string (Kea's string result: a boolean gives "true" or "false"). Never throws
/// because of packet content: a missing option gives "", like Kea.
std::string evaluateString(const Expression& e, const dhcp::Pkt4& pkt);

/// Evaluates as a boolean (for classification). Throws takahe::Error when the expression is a
/// string expression (known when compiling; the packet plays no part).
bool evaluateBool(const Expression& e, const dhcp::Pkt4& pkt);

}  // namespace takahe::eval
