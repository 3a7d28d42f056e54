// takahe-admin: schema and lease administration of the SQL databases, with kea-admin's command
// line (COMMAND BACKEND [options]).

#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "admin_commands.h"
#include "admin_options.h"

namespace {

// -p given without a value: ask on the terminal with echo off, as kea-admin does.
std::string askPassword() {
  std::cerr << "Password: " << std::flush;
  termios saved{};
  bool restore = ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string password;
  std::getline(std::cin, password);
  if (restore) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
  }
  std::cerr << "\n";
  return password;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace takahe::admin;
  std::vector<std::string> args(argv + 1, argv + argc);
  std::optional<std::string> env_password;
  if (const char* p = std::getenv("KEA_ADMIN_DB_PASSWORD")) {
    env_password = p;
  }
  AdminOptions options;
  try {
    options = parseAdminOptions(args, env_password);
  } catch (const UsageError& e) {
    std::cerr << "takahe-admin: " << e.what() << "\n\n" << usageText();
    return 1;
  }
  if (options.show_version) {
    std::cout << TAKAHE_VERSION << "\n";
    return 0;
  }
  if (options.show_help) {
    std::cout << usageText();
    return 0;
  }
  if (options.password_prompt) {
    if (::isatty(STDIN_FILENO)) {
      options.password = askPassword();
    } else {
      std::cerr << "takahe-admin: warning: -p without a password and no terminal to ask on: "
                   "using an empty password\n";
    }
  }
  if (!options.scripts_dir.empty() || !options.extra.empty()) {
    std::cerr << "takahe-admin: note: -d and -x are ignored (the schema scripts are built in)\n";
  }
  try {
    runCommand(options, std::cout, std::cerr);
  } catch (const UsageError& e) {
    std::cerr << "takahe-admin: " << e.what() << "\n\n" << usageText();
    return 1;
  } catch (const std::exception& e) {
    std::cout.flush();
    std::cerr << "takahe-admin: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
