#include "sql_script.h"

#include <cctype>

namespace takahe::db {

namespace {

std::string trim(const std::string& s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) {
    ++b;
  }
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) {
    --e;
  }
  return s.substr(b, e - b);
}

}  // namespace

std::vector<std::string> splitSqlScript(std::string_view script) {
  std::vector<std::string> out;
  std::string cur;
  char quote = 0;  // the quote character we are inside, or 0
  for (size_t i = 0; i < script.size(); ++i) {
    char ch = script[i];
    if (quote != 0) {
      cur += ch;
      if (ch == quote) {
        quote = 0;  // a doubled quote reopens at the next character, which is right too
      }
      continue;
    }
    if (ch == '-' && i + 1 < script.size() && script[i + 1] == '-') {
      while (i < script.size() && script[i] != '\n') {
        ++i;
      }
      cur += '\n';
      continue;
    }
    if (ch == '\'' || ch == '"' || ch == '`') {
      quote = ch;
      cur += ch;
      continue;
    }
    if (ch == ';') {
      std::string s = trim(cur);
      if (!s.empty()) {
        out.push_back(std::move(s));
      }
      cur.clear();
      continue;
    }
    cur += ch;
  }
  std::string s = trim(cur);
  if (!s.empty()) {
    out.push_back(std::move(s));
  }
  return out;
}

std::string oneLine(std::string_view text) {
  std::string out;
  bool space = false;
  for (char ch : text) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      space = !out.empty();
      continue;
    }
    if (space) {
      out += ' ';
      space = false;
    }
    out += ch;
  }
  return out;
}

}  // namespace takahe::db
