// Value::toJson: compact or indented JSON text.

#include <charconv>
#include <cmath>
#include <string>

#include "takahe/cc/value.h"
#include "utf8.h"

namespace takahe::cc {

namespace {

constexpr char kHex[] = "0123456789abcdef";

void appendUnicodeEscape(std::string& out, unsigned char c) {
  out += "\\u00";
  out += kHex[c >> 4];
  out += kHex[c & 0xf];
}

void appendString(std::string& out, std::string_view s) {
  out += '"';
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  size_t i = 0;
  auto flush = [&] { out.append(s.data() + run, i - run); };
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      // Valid UTF-8 passes through; a stray byte (say a hostname from a packet) is written as
      // \u00XX so the output stays valid JSON.
      if (size_t len = detail::utf8SequenceLength(s, i); len > 0) {
        i += len;
        continue;
      }
    }
    flush();
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        appendUnicodeEscape(out, c);
        break;
    }
    ++i;
    run = i;
  }
  flush();
  out += '"';
}

void appendDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";  // JSON has no NaN or infinity
    return;
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d);  // shortest round-trip form
  std::string_view text(buf, static_cast<size_t>(end - buf));
  out += text;
  if (text.find_first_of(".e") == std::string_view::npos) {
    out += ".0";  // keep it a real when read back
  }
}

void appendInt(std::string& out, int64_t i) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), i);
  out.append(buf, end);
}

void newline(std::string& out, int indent) {
  out += '\n';
  out.append(static_cast<size_t>(indent) * 4, ' ');
}

bool isContainer(const Value& v) { return v.isList() || v.isMap(); }

void write(std::string& out, const Value& v, bool pretty, int indent) {
  switch (v.type()) {
    case Value::Type::Null:
      out += "null";
      return;
    case Value::Type::Bool:
      out += v.asBool() ? "true" : "false";
      return;
    case Value::Type::Int:
      appendInt(out, v.asInt());
      return;
    case Value::Type::Double:
      appendDouble(out, v.asDouble());
      return;
    case Value::Type::String:
      appendString(out, v.asString());
      return;
    case Value::Type::List: {
      const List& list = v.asList();
      if (!pretty) {
        out += '[';
        for (size_t i = 0; i < list.size(); ++i) {
          if (i > 0) {
            out += ',';
          }
          write(out, list[i], false, 0);
        }
        out += ']';
        return;
      }
      if (list.empty()) {
        out += "[ ]";
        return;
      }
      // Lists of scalars stay on one line, lists of maps or lists get one item per line.
      bool multiline = false;
      for (const Value& item : list) {
        multiline = multiline || isContainer(item);
      }
      out += '[';
      for (size_t i = 0; i < list.size(); ++i) {
        out += i > 0 ? "," : "";
        if (multiline) {
          newline(out, indent + 1);
        } else {
          out += ' ';
        }
        write(out, list[i], true, indent + 1);
      }
      if (multiline) {
        newline(out, indent);
      } else {
        out += ' ';
      }
      out += ']';
      return;
    }
    case Value::Type::Map: {
      const Members& members = v.asMap();
      if (!pretty) {
        out += '{';
        for (size_t i = 0; i < members.size(); ++i) {
          if (i > 0) {
            out += ',';
          }
          appendString(out, members[i].first);
          out += ':';
          write(out, members[i].second, false, 0);
        }
        out += '}';
        return;
      }
      if (members.empty()) {
        out += "{ }";
        return;
      }
      out += '{';
      for (size_t i = 0; i < members.size(); ++i) {
        out += i > 0 ? "," : "";
        newline(out, indent + 1);
        appendString(out, members[i].first);
        out += ": ";
        write(out, members[i].second, true, indent + 1);
      }
      newline(out, indent);
      out += '}';
      return;
    }
  }
}

}  // namespace

std::string Value::toJson(bool pretty) const {
  std::string out;
  write(out, *this, pretty, 0);
  return out;
}

}  // namespace takahe::cc
