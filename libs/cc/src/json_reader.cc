// JSON reader: strict JSON for the control channel, and Kea's configuration dialect (comments,
// <?include?>, a tolerated trailing comma) for files.
//
// A hand-written recursive-descent reader rather than RapidJSON's: every value must carry the
// file:line:col where it starts (RapidJSON's SAX events only know where a token ends), `#`
// comments and textual includes need a lexer we control, and duplicate keys must be reported
// with both lines.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "takahe/cc/value.h"
#include "utf8.h"

namespace takahe::cc {

namespace {

constexpr int kMaxDepth = 512;
constexpr size_t kMaxIncludeDepth = 32;
// Maps with more members than this get a hash index for duplicate detection.
constexpr size_t kIndexThreshold = 32;
// Far above any real configuration; stops a stray include of a huge file (or /proc/kcore).
constexpr size_t kMaxFileSize = size_t{256} << 20;

enum class Dialect { kStrictJson, kConfig };

/// Reads a whole regular file; on failure returns false and sets `reason`.
bool readWholeFile(const std::string& path, std::string& out, std::string& reason) {
  // O_NONBLOCK so that naming a FIFO cannot hang the reader; it has no effect on regular files.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    reason = std::generic_category().message(errno);
    return false;
  }
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0;
  if (!ok) {
    reason = std::generic_category().message(errno);
  } else if (!S_ISREG(st.st_mode)) {
    reason = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
    ok = false;
  }
  if (ok && static_cast<uint64_t>(st.st_size) > kMaxFileSize) {
    reason = "file larger than " + std::to_string(kMaxFileSize >> 20) + " MiB";
    ok = false;
  }
  if (ok) {
    out.clear();
    out.reserve(static_cast<size_t>(st.st_size));
    char buf[65536];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        reason = std::generic_category().message(errno);
        ok = false;
        break;
      }
      if (n == 0) {
        break;
      }
      out.append(buf, static_cast<size_t>(n));
      if (out.size() > kMaxFileSize) {
        reason = "file larger than " + std::to_string(kMaxFileSize >> 20) + " MiB";
        ok = false;
        break;
      }
    }
  }
  ::close(fd);
  return ok;
}

/// A stable name for a file, used to detect include loops (symlinks and "../" resolved).
std::string fileIdentity(const std::filesystem::path& p) {
  std::error_code ec;
  auto canonical = std::filesystem::weakly_canonical(p, ec);
  if (ec) {
    return std::filesystem::absolute(p, ec).lexically_normal().string();
  }
  return canonical.string();
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isWordChar(char c) {
  return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '.';
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

/// One text being read: the top-level input or an included file.
struct Source {
  std::unique_ptr<std::string> storage;  // owns an included file's bytes
  std::string_view text;
  size_t pos = 0;
  uint32_t line = 1;
  size_t line_start = 0;
  std::shared_ptr<const std::string> name;
  std::string dir;       // folder for relative includes; empty: as written (current directory)
  std::string identity;  // canonical path for loop detection; empty for in-memory text
};

class Reader {
 public:
  Reader(Dialect dialect, Source top) : dialect_(dialect), cur_(std::move(top)) {}

  Value parseDocument() {
    if (dialect_ == Dialect::kConfig) {
      skipByteOrderMark();
    }
    Value v = parseValue(0);
    skipWhitespace();
    if (!atEnd()) {
      failHere("unexpected data after the top-level value");
    }
    return v;
  }

 private:
  Position positionAt(size_t pos) const {
    return Position{cur_.name, cur_.line, static_cast<uint32_t>(pos - cur_.line_start + 1)};
  }
  Position here() const { return positionAt(cur_.pos); }

  [[noreturn]] static void fail(const Position& at, std::string_view message) {
    throw ParseError(at, message);
  }
  [[noreturn]] void failHere(std::string_view message) const { fail(here(), message); }
  [[noreturn]] void failAt(size_t pos, std::string_view message) const {
    fail(positionAt(pos), message);
  }

  bool atEnd() const { return cur_.pos >= cur_.text.size(); }
  char peek() const { return cur_.text[cur_.pos]; }

  void skipByteOrderMark() {
    if (cur_.text.substr(cur_.pos, 3) == "\xEF\xBB\xBF") {
      cur_.pos += 3;
      cur_.line_start = cur_.pos;
    }
  }

  void skipWhitespace() {
    for (;;) {
      const std::string_view t = cur_.text;
      size_t p = cur_.pos;
      while (p < t.size()) {
        const char c = t[p];
        if (c == ' ' || c == '\t' || c == '\r') {
          ++p;
        } else if (c == '\n') {
          ++p;
          ++cur_.line;
          cur_.line_start = p;
        } else {
          break;
        }
      }
      cur_.pos = p;
      if (dialect_ != Dialect::kConfig) {
        return;
      }
      if (p >= t.size()) {
        if (outer_.empty()) {
          return;
        }
        // End of an included file: carry on right after its directive.
        cur_ = std::move(outer_.back());
        outer_.pop_back();
        continue;
      }
      const char c = t[p];
      const char next = p + 1 < t.size() ? t[p + 1] : '\0';
      if (c == '#' || (c == '/' && next == '/')) {
        const size_t eol = t.find('\n', p);
        cur_.pos = eol == std::string_view::npos ? t.size() : eol;
      } else if (c == '/' && next == '*') {
        skipBlockComment();
      } else if (c == '<' && next == '?') {
        includeDirective();
      } else {
        return;
      }
    }
  }

  void skipBlockComment() {
    const size_t start = cur_.pos;
    const std::string_view t = cur_.text;
    const size_t end = t.find("*/", start + 2);
    if (end == std::string_view::npos) {
      failAt(start, "unterminated /* comment");
    }
    for (size_t p = t.find('\n', start); p < end; p = t.find('\n', p + 1)) {
      ++cur_.line;
      cur_.line_start = p + 1;
    }
    cur_.pos = end + 2;
  }

  // <?include "path"?> — the named file's text is read in place of the directive.
  void includeDirective() {
    const Position at = here();
    const std::string_view t = cur_.text;
    size_t p = cur_.pos + 2;
    auto skipBlanks = [&] {
      while (p < t.size() && (t[p] == ' ' || t[p] == '\t')) {
        ++p;
      }
    };
    skipBlanks();
    if (t.substr(p, 7) != "include") {
      fail(at, "unknown directive; only <?include \"file\"?> is supported");
    }
    p += 7;
    skipBlanks();
    if (p >= t.size() || t[p] != '"') {
      fail(at, "expected a quoted file name after '<?include'");
    }
    const size_t name_start = ++p;
    while (p < t.size() && t[p] != '"' && t[p] != '\n') {
      ++p;
    }
    if (p >= t.size() || t[p] != '"') {
      fail(at, "unterminated file name in include directive");
    }
    const std::string file(t.substr(name_start, p - name_start));
    ++p;
    skipBlanks();
    if (t.substr(p, 2) != "?>") {
      fail(at, "expected '?>' to close the include directive");
    }
    cur_.pos = p + 2;
    if (file.empty()) {
      fail(at, "empty file name in include directive");
    }
    if (outer_.size() + 1 > kMaxIncludeDepth) {
      fail(at, "includes nested deeper than " + std::to_string(kMaxIncludeDepth) + " levels");
    }

    std::filesystem::path path(file);
    if (path.is_relative() && !cur_.dir.empty()) {
      path = std::filesystem::path(cur_.dir) / path;
    }
    Source next;
    next.name = std::make_shared<const std::string>(path.string());
    next.dir = path.parent_path().string();
    next.identity = fileIdentity(path);
    checkIncludeLoop(next, at);

    next.storage = std::make_unique<std::string>();
    std::string reason;
    if (!readWholeFile(*next.name, *next.storage, reason)) {
      fail(at, "cannot open configuration file '" + *next.name + "': " + reason);
    }
    next.text = *next.storage;
    outer_.push_back(std::move(cur_));
    cur_ = std::move(next);
    skipByteOrderMark();
  }

  void checkIncludeLoop(const Source& next, const Position& at) const {
    std::vector<const Source*> chain;
    for (const Source& s : outer_) {
      chain.push_back(&s);
    }
    chain.push_back(&cur_);
    for (size_t i = 0; i < chain.size(); ++i) {
      if (chain[i]->identity.empty() || chain[i]->identity != next.identity) {
        continue;
      }
      std::string msg = "include loop: ";
      for (size_t k = i; k < chain.size(); ++k) {
        msg += "'" + *chain[k]->name + "' -> ";
      }
      msg += "'" + *next.name + "'";
      fail(at, msg);
    }
  }

  static std::string describe(char c) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7f) {
      return std::string("unexpected character '") + c + "'";
    }
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string("unexpected byte 0x") + kHex[u >> 4] + kHex[u & 0xf];
  }

  Value parseValue(int depth) {
    skipWhitespace();
    if (atEnd()) {
      failHere("unexpected end of input, expected a value");
    }
    Position pos = here();
    Value v;
    const char c = peek();
    switch (c) {
      case '{':
        v = parseMap(depth + 1);
        break;
      case '[':
        v = parseList(depth + 1);
        break;
      case '"':
        v = Value(parseString());
        break;
      case 't':
      case 'f':
      case 'n':
        v = parseLiteral();
        break;
      default:
        if (c == '-' || isDigit(c) || (c == '.' && dialect_ == Dialect::kConfig)) {
          v = parseNumber();
          break;
        }
        if (dialect_ == Dialect::kStrictJson && (c == '/' || c == '#')) {
          failHere(describe(c) + " (comments are not allowed in JSON)");
        }
        failHere(describe(c));
    }
    v.setPosition(std::move(pos));
    return v;
  }

  Value parseMap(int depth) {
    if (depth > kMaxDepth) {
      failHere("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    ++cur_.pos;  // '{'
    Members members;
    std::vector<Position> key_positions;  // config files: to name the first of duplicate keys
    std::unordered_map<std::string, size_t> index;
    auto findMember = [&](const std::string& key) -> size_t {
      if (!index.empty()) {
        auto it = index.find(key);
        return it == index.end() ? members.size() : it->second;
      }
      for (size_t i = 0; i < members.size(); ++i) {
        if (members[i].first == key) {
          return i;
        }
      }
      return members.size();
    };

    skipWhitespace();
    if (!atEnd() && peek() == '}') {
      ++cur_.pos;
      return Value(std::move(members));
    }
    for (;;) {
      if (atEnd()) {
        failHere("unexpected end of input, expected a string key");
      }
      if (peek() != '"') {
        failHere(describe(peek()) + ", expected a string key");
      }
      const size_t key_start = cur_.pos;
      std::string key = parseString();
      skipWhitespace();
      if (atEnd() || peek() != ':') {
        failHere("expected ':' after key '" + key + "'");
      }
      ++cur_.pos;
      Value value = parseValue(depth);

      const size_t existing = findMember(key);
      if (existing < members.size()) {
        if (dialect_ == Dialect::kConfig) {
          failAt(key_start,
                 "duplicate key '" + key + "' (first at " + key_positions[existing].str() + ")");
        }
        members[existing].second = std::move(value);  // control channel: the last one wins
      } else {
        if (dialect_ == Dialect::kConfig) {
          key_positions.push_back(positionAt(key_start));
        }
        if (!index.empty()) {
          index.emplace(key, members.size());
        }
        members.emplace_back(std::move(key), std::move(value));
        if (index.empty() && members.size() == kIndexThreshold) {
          for (size_t i = 0; i < members.size(); ++i) {
            index.emplace(members[i].first, i);
          }
        }
      }

      skipWhitespace();
      if (atEnd()) {
        failHere("unexpected end of input, expected ',' or '}' after member");
      }
      if (peek() == '}') {
        ++cur_.pos;
        break;
      }
      if (peek() != ',') {
        failHere("expected ',' or '}' after member");
      }
      ++cur_.pos;
      skipWhitespace();
      if (dialect_ == Dialect::kConfig && !atEnd() && peek() == '}') {
        ++cur_.pos;  // Kea tolerates a trailing comma in configuration files
        break;
      }
    }
    return Value(std::move(members));
  }

  Value parseList(int depth) {
    if (depth > kMaxDepth) {
      failHere("nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    ++cur_.pos;  // '['
    List items;
    skipWhitespace();
    if (!atEnd() && peek() == ']') {
      ++cur_.pos;
      return Value(std::move(items));
    }
    for (;;) {
      items.push_back(parseValue(depth));
      skipWhitespace();
      if (atEnd()) {
        failHere("unexpected end of input, expected ',' or ']' after list item");
      }
      if (peek() == ']') {
        ++cur_.pos;
        break;
      }
      if (peek() != ',') {
        failHere("expected ',' or ']' after list item");
      }
      ++cur_.pos;
      skipWhitespace();
      if (dialect_ == Dialect::kConfig && !atEnd() && peek() == ']') {
        ++cur_.pos;
        break;
      }
    }
    return Value(std::move(items));
  }

  // Reads four hex digits at t[p..p+3].
  int32_t hex4(size_t p) const {
    const std::string_view t = cur_.text;
    if (p + 4 > t.size()) {
      return -1;
    }
    int32_t v = 0;
    for (size_t i = 0; i < 4; ++i) {
      const int h = hexValue(t[p + i]);
      if (h < 0) {
        return -1;
      }
      v = v * 16 + h;
    }
    return v;
  }

  // Decodes the escape at t[p] == '\\' into `out`; returns the position after it.
  size_t parseEscape(size_t p, std::string& out) const {
    const std::string_view t = cur_.text;
    if (p + 1 >= t.size()) {
      failAt(p, "unterminated string");
    }
    switch (t[p + 1]) {
      case '"':
        out += '"';
        return p + 2;
      case '\\':
        out += '\\';
        return p + 2;
      case '/':
        out += '/';
        return p + 2;
      case 'b':
        out += '\b';
        return p + 2;
      case 'f':
        out += '\f';
        return p + 2;
      case 'n':
        out += '\n';
        return p + 2;
      case 'r':
        out += '\r';
        return p + 2;
      case 't':
        out += '\t';
        return p + 2;
      case 'u':
        break;
      default: {
        const auto u = static_cast<unsigned char>(t[p + 1]);
        if (u >= 0x20 && u < 0x7f) {
          failAt(p, std::string("invalid escape '\\") + t[p + 1] + "' in string");
        }
        failAt(p, "invalid escape in string");
      }
    }
    const int32_t unit = hex4(p + 2);
    if (unit < 0) {
      failAt(p, "invalid \\u escape: expected four hex digits");
    }
    uint32_t cp = static_cast<uint32_t>(unit);
    size_t after = p + 6;
    if (cp >= 0xdc00 && cp <= 0xdfff) {
      failAt(p, "invalid \\u escape: unpaired low surrogate");
    }
    if (cp >= 0xd800 && cp <= 0xdbff) {
      const int32_t low = t.substr(after, 2) == "\\u" ? hex4(after + 2) : -1;
      if (low < 0xdc00 || low > 0xdfff) {
        failAt(p, "invalid \\u escape: high surrogate without a low surrogate");
      }
      cp = 0x10000 + ((cp - 0xd800) << 10) + (static_cast<uint32_t>(low) - 0xdc00);
      after += 6;
    }
    appendUtf8(out, cp);
    return after;
  }

  std::string parseString() {
    const std::string_view t = cur_.text;
    const size_t start = cur_.pos;
    size_t p = start + 1;
    size_t run = p;  // start of bytes not yet copied
    std::string out;
    for (;;) {
      if (p >= t.size()) {
        failAt(start, "unterminated string");
      }
      const auto c = static_cast<unsigned char>(t[p]);
      if (c == '"') {
        out.append(t.data() + run, p - run);
        ++p;
        break;
      }
      if (c == '\\') {
        out.append(t.data() + run, p - run);
        p = parseEscape(p, out);
        run = p;
      } else if (c < 0x20) {
        if (c == '\n') {
          failAt(start, "unterminated string (end of line)");
        }
        failAt(p, "control character in string (write it as a \\u escape)");
      } else if (c >= 0x80) {
        const size_t len = detail::utf8SequenceLength(t, p);
        if (len == 0) {
          failAt(p, "invalid UTF-8 in string");
        }
        p += len;
      } else {
        ++p;
      }
    }
    cur_.pos = p;
    return out;
  }

  Value parseNumber() {
    const std::string_view t = cur_.text;
    const size_t start = cur_.pos;
    size_t p = start;
    auto digits = [&] {
      const size_t first = p;
      while (p < t.size() && isDigit(t[p])) {
        ++p;
      }
      return p > first;
    };
    if (t[p] == '-') {
      ++p;
    }
    // Kea's configuration files may write a fraction without its leading zero (".5").
    const bool bare_fraction =
        dialect_ == Dialect::kConfig && p + 1 < t.size() && t[p] == '.' && isDigit(t[p + 1]);
    if (!bare_fraction && (p >= t.size() || !isDigit(t[p]))) {
      failAt(start, "invalid number: expected a digit");
    }
    if (bare_fraction) {
      // no integer part: the fraction follows
    } else if (t[p] == '0') {
      ++p;
      if (p < t.size() && isDigit(t[p])) {
        failAt(start, "invalid number: leading zeros are not allowed");
      }
    } else {
      digits();
    }
    bool integral = true;
    if (p < t.size() && t[p] == '.') {
      ++p;
      if (!digits()) {
        failAt(start, "invalid number: expected digits after '.'");
      }
      integral = false;
    }
    if (p < t.size() && (t[p] == 'e' || t[p] == 'E')) {
      ++p;
      if (p < t.size() && (t[p] == '+' || t[p] == '-')) {
        ++p;
      }
      if (!digits()) {
        failAt(start, "invalid number: expected digits in the exponent");
      }
      integral = false;
    }
    if (p < t.size() && isWordChar(t[p])) {
      failAt(start, "invalid number");
    }
    const char* first = t.data() + start;
    const char* last = t.data() + p;
    const std::string_view text(first, p - start);
    cur_.pos = p;
    if (integral) {
      int64_t i = 0;
      const auto r = std::from_chars(first, last, i);
      if (r.ec != std::errc() || r.ptr != last) {
        failAt(start, "integer out of range: " + std::string(text));
      }
      return Value(i);
    }
    double d = 0;
    const auto r = std::from_chars(first, last, d);
    if (r.ec == std::errc::result_out_of_range) {
      // Overflow is an error; underflow to zero or a subnormal is fine. strtod tells which.
      const std::string copy(text);
      d = std::strtod(copy.c_str(), nullptr);
      if (std::isinf(d)) {
        failAt(start, "number out of range: " + copy);
      }
    } else if (r.ec != std::errc() || r.ptr != last) {
      failAt(start, "invalid number");
    }
    return Value(d);
  }

  Value parseLiteral() {
    const std::string_view t = cur_.text;
    const size_t start = cur_.pos;
    auto matches = [&](std::string_view word) {
      return t.substr(start, word.size()) == word &&
             (start + word.size() >= t.size() || !isWordChar(t[start + word.size()]));
    };
    if (matches("true")) {
      cur_.pos += 4;
      return Value(true);
    }
    if (matches("false")) {
      cur_.pos += 5;
      return Value(false);
    }
    if (matches("null")) {
      cur_.pos += 4;
      return Value();
    }
    failAt(start, "invalid literal (expected true, false or null)");
  }

  Dialect dialect_;
  Source cur_;
  std::vector<Source> outer_;  // including sources, outermost first
};

}  // namespace

Value parseJson(std::string_view text, std::string_view origin) {
  Source top;
  top.text = text;
  top.name = std::make_shared<const std::string>(origin);
  return Reader(Dialect::kStrictJson, std::move(top)).parseDocument();
}

Value parseConfigText(std::string_view text, std::string_view origin, std::string_view base_dir) {
  Source top;
  top.text = text;
  top.name = std::make_shared<const std::string>(origin);
  // "." keeps included names as written ("subnets.json", not "./subnets.json").
  top.dir = base_dir == "." ? std::string() : std::string(base_dir);
  return Reader(Dialect::kConfig, std::move(top)).parseDocument();
}

Value parseConfigFile(const std::string& path) {
  Source top;
  top.storage = std::make_unique<std::string>();
  std::string reason;
  if (!readWholeFile(path, *top.storage, reason)) {
    throw ConfigError("cannot open configuration file '" + path + "': " + reason);
  }
  top.text = *top.storage;
  top.name = std::make_shared<const std::string>(path);
  top.dir = std::filesystem::path(path).parent_path().string();
  top.identity = fileIdentity(path);
  return Reader(Dialect::kConfig, std::move(top)).parseDocument();
}

}  // namespace takahe::cc
