// takahe-shell: sends one command to takahe-agent over HTTP(S), like kea-shell.

#include <unistd.h>

#include <iostream>
#include <iterator>
#include <sstream>

#include "shell_options.h"
#include "takahe/cc/value.h"
#include "takahe/http/http.h"
#include "takahe/util/error.h"

using namespace takahe;

int main(int argc, char** argv) {
  shell::ShellOptions opts;
  try {
    opts = shell::parseShellOptions(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "takahe-shell: " << e.what() << "\n";
    return 2;
  }
  if (opts.show_help) {
    std::cout << shell::usageText();
    return 0;
  }
  if (opts.show_version) {
    std::cout << TAKAHE_VERSION << "\n";
    return 0;
  }
  std::string stdin_text;
  if (!opts.inline_arguments && !::isatty(STDIN_FILENO)) {
    stdin_text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  }
  cc::Value request;
  try {
    request = shell::buildRequest(opts, stdin_text);
  } catch (const std::exception& e) {
    std::cerr << "takahe-shell: " << e.what() << "\n";
    return 2;
  }
  http::ClientConfig client;
  client.host = opts.host;
  client.port = opts.port;
  client.path = opts.path;
  client.timeout = std::chrono::seconds(opts.timeout_seconds);
  if (!opts.ca.empty() || !opts.cert.empty()) {
    http::TlsConfig tls;
    tls.trust_anchor = opts.ca;
    tls.cert_file = opts.cert;
    tls.key_file = opts.key;
    client.tls = tls;
  }
  if (opts.auth_user) client.auth = http::BasicAuthClient{*opts.auth_user, opts.auth_password.value_or("")};
  http::ClientResult result = http::post(client, request.toJson());
  if (!result.ok) {
    std::cerr << "takahe-shell: " << result.error << "\n";
    return 2;
  }
  cc::Value answer;
  try {
    answer = cc::parseJson(result.body, "<answer>");
  } catch (const std::exception&) {
    std::cerr << "takahe-shell: HTTP " << result.status << ", answer is not JSON:\n" << result.body << "\n";
    return 2;
  }
  std::cout << answer.toJson(!opts.json_output) << "\n";
  if (result.status != 200) return 1;
  return shell::exitStatusFor(answer);
}
