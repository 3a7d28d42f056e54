#include "parser.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <string>
#include <vector>

#include "lexer.h"
#include "takahe/dhcp/option_definition.h"

namespace takahe::eval::detail {

namespace {

using NodePtr = std::unique_ptr<Node>;

std::string typeName(ValueType t) { return t == ValueType::kBool ? "a boolean" : "a string"; }

struct Function {
  std::string_view name;
  Op op;
  uint8_t width = 0;
  bool is_signed = false;
};

// Functions whose arguments are all string expressions.
constexpr Function kSimpleFunctions[] = {
    {"concat", Op::kConcat},
    {"hexstring", Op::kHexString},
    {"addrtotext", Op::kAddrToText},
    {"lcase", Op::kLowerCase},
    {"ucase", Op::kUpperCase},
    {"int8totext", Op::kIntToText, 1, true},
    {"int16totext", Op::kIntToText, 2, true},
    {"int32totext", Op::kIntToText, 4, true},
    {"uint8totext", Op::kIntToText, 1, false},
    {"uint16totext", Op::kIntToText, 2, false},
    {"uint32totext", Op::kIntToText, 4, false},
};

size_t arity(Op op) {
  switch (op) {
    case Op::kConcat:
    case Op::kHexString:
      return 2;
    default:
      return 1;
  }
}

class Parser {
 public:
  explicit Parser(std::string_view text) : tokens_(tokenize(text)) {}

  NodePtr parseAll() {
    NodePtr root = parseOr();
    if (peek().kind != Tok::kEnd) {
      const Token& t = peek();
      if (t.kind == Tok::kEqual) {
        fail(t, "'==' cannot be chained; use 'and' to combine comparisons");
      }
      fail(t, "expected an operator ('==', '+', 'and', 'or') or the end, found " + describe(t));
    }
    return root;
  }

 private:
  // Counts parser recursion so that "((((...", "not not not ..." and nested calls stop early.
  class DepthGuard {
   public:
    DepthGuard(Parser& p) : p_(p) {
      if (++p_.recursion_ > kMaxDepth) {
        p_.fail(p_.peek(),
                "expression is nested more than " + std::to_string(kMaxDepth) + " levels deep");
      }
    }
    ~DepthGuard() { --p_.recursion_; }
    DepthGuard(const DepthGuard&) = delete;
    DepthGuard& operator=(const DepthGuard&) = delete;

   private:
    Parser& p_;
  };

  const Token& peek() const { return tokens_[pos_]; }
  const Token& next() {
    const Token& t = tokens_[pos_];
    if (t.kind != Tok::kEnd) {
      ++pos_;
    }
    return t;
  }
  bool isIdent(std::string_view word) const {
    return peek().kind == Tok::kIdent && peek().text == word;
  }

  [[noreturn]] void fail(const Token& at, std::string message) const {
    throw SyntaxError{at.column, std::move(message)};
  }

  const Token& expect(Tok kind, std::string_view what) {
    if (peek().kind != kind) {
      fail(peek(), "expected " + std::string(what) + ", found " + describe(peek()));
    }
    return next();
  }

  NodePtr make(Op op, ValueType type, const Token& at, std::vector<NodePtr> kids = {}) {
    auto n = std::make_unique<Node>();
    n->op = op;
    n->type = type;
    for (auto& k : kids) {
      n->depth = std::max(n->depth, k->depth + 1);
      n->kids.push_back(std::move(k));
    }
    if (n->depth > kMaxDepth) {
      fail(at, "expression is nested more than " + std::to_string(kMaxDepth) + " levels deep");
    }
    return n;
  }

  void requireType(const NodePtr& n, ValueType want, const Token& at, const std::string& role) {
    if (n->type != want) {
      fail(at, role + " must be " + typeName(want) + ", not " + typeName(n->type));
    }
  }

  NodePtr parseOr() {
    NodePtr left = parseAnd();
    while (isIdent("or")) {
      const Token& op = next();
      requireType(left, ValueType::kBool, op, "the left operand of 'or'");
      const Token& right_at = peek();
      NodePtr right = parseAnd();
      requireType(right, ValueType::kBool, right_at, "the right operand of 'or'");
      std::vector<NodePtr> kids;
      kids.push_back(std::move(left));
      kids.push_back(std::move(right));
      left = make(Op::kOr, ValueType::kBool, op, std::move(kids));
    }
    return left;
  }

  NodePtr parseAnd() {
    NodePtr left = parseNot();
    while (isIdent("and")) {
      const Token& op = next();
      requireType(left, ValueType::kBool, op, "the left operand of 'and'");
      const Token& right_at = peek();
      NodePtr right = parseNot();
      requireType(right, ValueType::kBool, right_at, "the right operand of 'and'");
      std::vector<NodePtr> kids;
      kids.push_back(std::move(left));
      kids.push_back(std::move(right));
      left = make(Op::kAnd, ValueType::kBool, op, std::move(kids));
    }
    return left;
  }

  NodePtr parseNot() {
    if (isIdent("not")) {
      DepthGuard guard(*this);
      const Token& op = next();
      const Token& operand_at = peek();
      NodePtr operand = parseNot();
      requireType(operand, ValueType::kBool, operand_at, "the operand of 'not'");
      std::vector<NodePtr> kids;
      kids.push_back(std::move(operand));
      return make(Op::kNot, ValueType::kBool, op, std::move(kids));
    }
    return parseCompare();
  }

  NodePtr parseCompare() {
    const Token& left_at = peek();
    NodePtr left = parseSum();
    if (peek().kind != Tok::kEqual) {
      return left;
    }
    const Token& op = next();
    requireType(left, ValueType::kString, left_at, "the left operand of '=='");
    const Token& right_at = peek();
    NodePtr right = parseSum();
    requireType(right, ValueType::kString, right_at, "the right operand of '=='");
    std::vector<NodePtr> kids;
    kids.push_back(std::move(left));
    kids.push_back(std::move(right));
    return make(Op::kEqual, ValueType::kBool, op, std::move(kids));
  }

  NodePtr parseSum() {
    const Token& left_at = peek();
    NodePtr left = parsePrimary();
    while (peek().kind == Tok::kPlus) {
      const Token& op = next();
      requireType(left, ValueType::kString, left_at, "the left operand of '+'");
      const Token& right_at = peek();
      NodePtr right = parsePrimary();
      requireType(right, ValueType::kString, right_at, "the right operand of '+'");
      std::vector<NodePtr> kids;
      kids.push_back(std::move(left));
      kids.push_back(std::move(right));
      left = make(Op::kConcat, ValueType::kString, op, std::move(kids));
    }
    return left;
  }

  NodePtr literal(const Token& t, std::string bytes) {
    NodePtr n = make(Op::kLiteral, ValueType::kString, t);
    n->str = std::move(bytes);
    return n;
  }

  // Integer as written; `min`/`max` bound it, `what` names it in errors.
  int64_t integer(const Token& t, int64_t min, int64_t max, const std::string& what) {
    int64_t v = 0;
    const char* first = t.text.data();
    const char* last = first + t.text.size();
    const auto [ptr, ec] = std::from_chars(first, last, v);
    if (ec != std::errc() || ptr != last || v < min || v > max) {
      fail(t, what + " " + std::string(t.text) + " is out of range (" + std::to_string(min) +
                  " to " + std::to_string(max) + ")");
    }
    return v;
  }

  NodePtr parsePrimary() {
    DepthGuard guard(*this);
    const Token& t = peek();
    switch (t.kind) {
      case Tok::kString:
      case Tok::kHex:
      case Tok::kIPv4:
        next();
        return literal(t, t.value);
      case Tok::kInteger: {
        next();
        // Integers are 4-byte network-order strings, as in Kea (123 == 0x0000007b).
        const auto v =
            static_cast<uint32_t>(integer(t, 0, std::numeric_limits<uint32_t>::max(), "integer"));
        std::string bytes{static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                          static_cast<char>(v >> 8), static_cast<char>(v)};
        return literal(t, std::move(bytes));
      }
      case Tok::kLParen: {
        next();
        NodePtr inner = parseOr();
        expect(Tok::kRParen, "')'");
        return inner;
      }
      case Tok::kIdent:
        return parseWord();
      default:
        fail(t,
             "expected a value (a 'string', 0x hex, integer, address, option[...], pkt4..., "
             "function or '('), found " +
                 describe(t));
    }
  }

  Repr representation() {
    expect(Tok::kDot, "'.' and then hex, text or exists");
    const Token& t = peek();
    if (t.kind == Tok::kIdent) {
      if (t.text == "hex") {
        next();
        return Repr::kHex;
      }
      if (t.text == "text") {
        next();
        return Repr::kText;
      }
      if (t.text == "exists") {
        next();
        return Repr::kExists;
      }
    }
    fail(t, "expected hex, text or exists, found " + describe(t));
  }

  NodePtr optionToken(Op op, const Token& word) {
    expect(Tok::kLBracket, "'['");
    const Token& code_at = peek();
    uint16_t code = 0;
    if (code_at.kind == Tok::kInteger) {
      next();
      code = static_cast<uint16_t>(integer(code_at, 0, 255, "option code"));
    } else if (code_at.kind == Tok::kIdent && op == Op::kOption) {
      next();
      const auto* def =
          dhcp::OptionDefinitionSet::standard4().find(dhcp::kDhcp4Space, code_at.text);
      if (def == nullptr) {
        fail(code_at, "unknown DHCPv4 option name " + describe(code_at));
      }
      code = def->code;
    } else {
      fail(code_at, std::string(op == Op::kOption ? "expected an option code or name"
                                                  : "expected a sub-option code") +
                        ", found " + describe(code_at));
    }
    expect(Tok::kRBracket, "']'");
    if (op == Op::kOption && peek().kind == Tok::kDot && tokens_[pos_ + 1].kind == Tok::kIdent &&
        tokens_[pos_ + 1].text == "option") {
      fail(tokens_[pos_ + 1],
           "sub-options (option[x].option[y]) are not supported; for option "
           "82 use relay4[y]");
    }
    const Repr repr = representation();
    NodePtr n = make(op, repr == Repr::kExists ? ValueType::kBool : ValueType::kString, word);
    n->code = code;
    n->repr = repr;
    return n;
  }

  NodePtr pkt4Token(const Token& word) {
    static constexpr std::pair<std::string_view, Pkt4Field> kFields[] = {
        {"mac", Pkt4Field::kMac},         {"hlen", Pkt4Field::kHlen},
        {"htype", Pkt4Field::kHtype},     {"ciaddr", Pkt4Field::kCiaddr},
        {"giaddr", Pkt4Field::kGiaddr},   {"yiaddr", Pkt4Field::kYiaddr},
        {"siaddr", Pkt4Field::kSiaddr},   {"msgtype", Pkt4Field::kMsgType},
        {"transid", Pkt4Field::kTransId},
    };
    expect(Tok::kDot, "'.' after pkt4");
    const Token& f = peek();
    for (const auto& [name, field] : kFields) {
      if (f.kind == Tok::kIdent && f.text == name) {
        next();
        NodePtr n = make(Op::kPkt4Field, ValueType::kString, word);
        n->field = field;
        return n;
      }
    }
    fail(f,
         "expected a pkt4 field (mac, hlen, htype, ciaddr, giaddr, yiaddr, siaddr, msgtype, "
         "transid), found " +
             describe(f));
  }

  NodePtr pktToken(const Token& word) {
    static constexpr std::pair<std::string_view, PktMeta> kFields[] = {
        {"iface", PktMeta::kIface},
        {"src", PktMeta::kSrc},
        {"dst", PktMeta::kDst},
        {"len", PktMeta::kLen},
    };
    expect(Tok::kDot, "'.' after pkt");
    const Token& f = peek();
    for (const auto& [name, meta] : kFields) {
      if (f.kind == Tok::kIdent && f.text == name) {
        next();
        NodePtr n = make(Op::kPktMeta, ValueType::kString, word);
        n->meta = meta;
        return n;
      }
    }
    fail(f, "expected a pkt field (iface, src, dst, len), found " + describe(f));
  }

  // One argument that must be a string expression; `index` is 1-based for messages.
  NodePtr stringArgument(std::string_view function, size_t index) {
    const Token& at = peek();
    NodePtr arg = parseOr();
    requireType(arg, ValueType::kString, at,
                "argument " + std::to_string(index) + " of " + std::string(function));
    return arg;
  }

  void comma() { expect(Tok::kComma, "','"); }

  NodePtr parseWord() {
    const Token& word = next();
    const std::string_view w = word.text;
    if (w == "option") {
      return optionToken(Op::kOption, word);
    }
    if (w == "relay4") {
      return optionToken(Op::kRelay4, word);
    }
    if (w == "pkt4") {
      return pkt4Token(word);
    }
    if (w == "pkt") {
      return pktToken(word);
    }
    if (w == "known" || w == "unknown") {
      // Shorthands for member('KNOWN') and not member('KNOWN').
      NodePtr member = make(Op::kMember, ValueType::kBool, word);
      member->str = "KNOWN";
      if (w == "known") {
        return member;
      }
      std::vector<NodePtr> kids;
      kids.push_back(std::move(member));
      return make(Op::kNot, ValueType::kBool, word, std::move(kids));
    }
    if (w == "member") {
      expect(Tok::kLParen, "'(' after member");
      const Token& name = expect(Tok::kString, "a class name in quotes");
      if (name.value.empty()) {
        fail(name, "member() needs a class name");
      }
      expect(Tok::kRParen, "')'");
      NodePtr n = make(Op::kMember, ValueType::kBool, word);
      n->str = name.value;
      return n;
    }
    if (w == "substring") {
      expect(Tok::kLParen, "'(' after substring");
      std::vector<NodePtr> kids;
      kids.push_back(stringArgument(w, 1));
      comma();
      const Token& start = expect(Tok::kInteger, "an integer start position");
      const int64_t start_value = integer(start, std::numeric_limits<int32_t>::min(),
                                          std::numeric_limits<int32_t>::max(), "start position");
      comma();
      int64_t length_value = 0;
      bool all = false;
      if (isIdent("all")) {
        next();
        all = true;
      } else if (peek().kind == Tok::kInteger) {
        const Token& length = next();
        length_value = integer(length, std::numeric_limits<int32_t>::min(),
                               std::numeric_limits<int32_t>::max(), "length");
      } else {
        fail(peek(), "expected an integer length or 'all', found " + describe(peek()));
      }
      expect(Tok::kRParen, "')'");
      NodePtr n = make(Op::kSubstring, ValueType::kString, word, std::move(kids));
      n->start = start_value;
      n->length = length_value;
      n->all = all;
      return n;
    }
    if (w == "split") {
      expect(Tok::kLParen, "'(' after split");
      std::vector<NodePtr> kids;
      kids.push_back(stringArgument(w, 1));
      comma();
      kids.push_back(stringArgument(w, 2));
      comma();
      const Token& field = expect(Tok::kInteger, "an integer field number");
      const int64_t field_value = integer(field, std::numeric_limits<int32_t>::min(),
                                          std::numeric_limits<int32_t>::max(), "field number");
      expect(Tok::kRParen, "')'");
      NodePtr n = make(Op::kSplit, ValueType::kString, word, std::move(kids));
      n->index = field_value;
      return n;
    }
    if (w == "ifelse") {
      expect(Tok::kLParen, "'(' after ifelse");
      std::vector<NodePtr> kids;
      const Token& cond_at = peek();
      kids.push_back(parseOr());
      requireType(kids.back(), ValueType::kBool, cond_at, "the condition of ifelse");
      comma();
      kids.push_back(stringArgument(w, 2));
      comma();
      kids.push_back(stringArgument(w, 3));
      expect(Tok::kRParen, "')'");
      return make(Op::kIfElse, ValueType::kString, word, std::move(kids));
    }
    for (const auto& f : kSimpleFunctions) {
      if (w != f.name) {
        continue;
      }
      expect(Tok::kLParen, "'(' after " + std::string(w));
      std::vector<NodePtr> kids;
      for (size_t i = 1; i <= arity(f.op); ++i) {
        if (i > 1) {
          comma();
        }
        kids.push_back(stringArgument(w, i));
      }
      expect(Tok::kRParen, "')'");
      NodePtr n = make(f.op, ValueType::kString, word, std::move(kids));
      n->width = f.width;
      n->is_signed = f.is_signed;
      return n;
    }
    fail(word, "unknown word " + describe(word) +
                   " (not an operator, token or function this "
                   "server supports)");
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  size_t recursion_ = 0;
};

}  // namespace

std::unique_ptr<const Node> parse(std::string_view text) {
  Parser p(text);
  return p.parseAll();
}

}  // namespace takahe::eval::detail
