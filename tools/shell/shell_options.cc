#include "shell_options.h"

#include <charconv>
#include <fstream>

#include "takahe/cc/command.h"
#include "takahe/util/error.h"
#include "takahe/util/strings.h"

namespace takahe::shell {

namespace {

std::string readFirstLine(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw Error("cannot read password file '" + file + "'");
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

int toInt(std::string_view text, const char* what, int min, int max) {
  int v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max) {
    throw Error(std::string(what) + " must be a number between " + std::to_string(min) + " and " +
                std::to_string(max) + ", not '" + std::string(text) + "'");
  }
  return v;
}

}  // namespace

std::string usageText() {
  return "usage: takahe-shell [--host HOST] [--port PORT] [--path PATH] [--service SERVICE ...]\n"
         "                    [--auth-user USER (--auth-password PASSWORD | --auth-password-file FILE)]\n"
         "                    [--ca FILE] [--cert FILE] [--key FILE] [--timeout SECONDS] [--json]\n"
         "                    [-v] [command | -c 'command {\"arg\": ...}']\n"
         "Sends one command to takahe-agent (or a daemon's HTTP control socket); arguments are read as\n"
         "JSON from standard input when it is not a terminal. Exit status: 0 when every answer has\n"
         "result 0, 1 otherwise (2 for a transport error).\n";
}

ShellOptions parseShellOptions(int argc, const char* const* argv) {
  ShellOptions o;
  std::optional<std::string> password_file;
  bool command_seen = false;
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    auto value = [&](const char* name) -> std::string {
      if (i + 1 >= argc) throw Error(std::string(name) + " needs a value\n" + usageText());
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      o.show_help = true;
    } else if (a == "-v" || a == "--version") {
      o.show_version = true;
    } else if (a == "--host") {
      o.host = value("--host");
    } else if (a == "--port") {
      o.port = static_cast<uint16_t>(toInt(value("--port"), "--port", 1, 65535));
    } else if (a == "--path") {
      o.path = value("--path");
      if (o.path.empty() || o.path.front() != '/') o.path = "/" + o.path;
    } else if (a == "--service") {
      o.services.push_back(value("--service"));
    } else if (a == "--auth-user") {
      o.auth_user = value("--auth-user");
    } else if (a == "--auth-password") {
      o.auth_password = value("--auth-password");
    } else if (a == "--auth-password-file") {
      password_file = value("--auth-password-file");
    } else if (a == "--ca") {
      o.ca = value("--ca");
    } else if (a == "--cert") {
      o.cert = value("--cert");
    } else if (a == "--key") {
      o.key = value("--key");
    } else if (a == "--timeout") {
      o.timeout_seconds = toInt(value("--timeout"), "--timeout", 1, 3600);
    } else if (a == "--json") {
      o.json_output = true;
    } else if (a == "-c") {
      std::string text(trim(value("-c")));
      auto space = text.find_first_of(" \t");
      o.command = text.substr(0, space);
      if (space != std::string::npos) o.inline_arguments = std::string(trim(text.substr(space)));
      command_seen = true;
    } else if (!a.empty() && a.front() == '-') {
      throw Error("unknown option '" + std::string(a) + "'\n" + usageText());
    } else {
      if (command_seen) throw Error("only one command may be given\n" + usageText());
      o.command = std::string(a);
      command_seen = true;
    }
  }
  if (password_file) o.auth_password = readFirstLine(*password_file);
  if (o.auth_password && !o.auth_user) throw Error("--auth-password needs --auth-user");
  if (o.auth_user && !o.auth_password) o.auth_password = "";
  if (o.cert.empty() != o.key.empty()) throw Error("--cert and --key go together");
  return o;
}

cc::Value buildRequest(const ShellOptions& options, const std::string& stdin_arguments) {
  std::optional<cc::Value> args;
  std::string text = options.inline_arguments ? *options.inline_arguments : stdin_arguments;
  if (!trim(text).empty()) {
    cc::Value v = cc::parseJson(text, options.inline_arguments ? "<-c arguments>" : "<stdin>");
    if (!v.isMap()) throw Error("the command's arguments must be a JSON map");
    args = std::move(v);
  }
  return cc::makeCommand(options.command, args, options.services);
}

int exitStatusFor(const cc::Value& answer) {
  auto resultOf = [](const cc::Value& a) -> int64_t {
    const cc::Value* r = a.isMap() ? a.find("result") : nullptr;
    return r && r->isInt() ? r->asInt() : 1;
  };
  if (answer.isList()) {
    int status = 0;
    for (const auto& a : answer.asList()) {
      if (resultOf(a) != 0) status = 1;
    }
    return answer.asList().empty() ? 1 : status;
  }
  return resultOf(answer) == 0 ? 0 : 1;
}

}  // namespace takahe::shell
