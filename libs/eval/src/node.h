#pragma once

// The compiled form of an expression: a small typed tree, built by the parser and walked by
// the evaluator. Private to libs/eval.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "takahe/eval/expression.h"

namespace takahe::eval::detail {

enum class Op : uint8_t {
  // Leaves.
  kLiteral,    // str = the bytes
  kOption,     // code, repr
  kRelay4,     // code, repr (sub-option of option 82)
  kPkt4Field,  // field
  kPktMeta,    // meta
  kMember,     // str = class name
  // String functions.
  kSubstring,  // kids[0]; start, length (or all)
  kConcat,     // kids[0], kids[1]
  kIfElse,     // kids[0] (bool), kids[1], kids[2]
  kHexString,  // kids[0], kids[1] (separator)
  kAddrToText,
  kIntToText,  // kids[0]; width (1, 2 or 4 bytes), is_signed
  kLowerCase,
  kUpperCase,
  kSplit,  // kids[0], kids[1] (delimiters); field
  // Booleans.
  kEqual,
  kAnd,
  kOr,
  kNot,
};

enum class Repr : uint8_t { kHex, kText, kExists };

enum class Pkt4Field : uint8_t {
  kMac,
  kHlen,
  kHtype,
  kCiaddr,
  kGiaddr,
  kYiaddr,
  kSiaddr,
  kMsgType,
  kTransId
};

enum class PktMeta : uint8_t { kIface, kSrc, kDst, kLen };

struct Node {
  Op op = Op::kLiteral;
  ValueType type = ValueType::kString;
  std::string str;    // literal bytes or class name
  uint16_t code = 0;  // option / sub-option code
  Repr repr = Repr::kHex;
  Pkt4Field field = Pkt4Field::kMac;
  PktMeta meta = PktMeta::kIface;
  int64_t start = 0;   // substring start
  int64_t length = 0;  // substring length
  bool all = false;    // substring length 'all'
  int64_t index = 0;   // split field number (1-based)
  uint8_t width = 0;   // int*totext: bytes expected
  bool is_signed = false;
  size_t depth = 1;  // height of this subtree, bounded by the parser
  std::vector<std::unique_ptr<const Node>> kids;
};

/// Evaluators over a tree whose types the parser has checked.
std::string evalString(const Node& n, const dhcp::Pkt4& pkt);
bool evalBool(const Node& n, const dhcp::Pkt4& pkt);

/// Longest value any step produces; longer results are cut to this (see README).
inline constexpr size_t kMaxValueSize = 256 * 1024;

}  // namespace takahe::eval::detail
