// Plain-C++ helpers of the server and both clients: the logger and the text of a client request.

#include <boost/asio/ip/address.hpp>

#include "internal.h"
#include "takahe/log/logger.h"

namespace takahe::http::detail {

namespace {

bool validHeaderText(const std::string& s) { return s.find_first_of("\r\n") == std::string::npos; }

bool isIpv6Literal(const std::string& host) {
  boost::system::error_code ec;
  const auto addr = boost::asio::ip::make_address(host, ec);
  return !ec && addr.is_v6();
}

}  // namespace

const log::Logger& logger() {
  static const log::Logger kLogger("http");
  return kLogger;
}

std::string hostPort(const std::string& host, uint16_t port) {
  std::string text = isIpv6Literal(host) ? "[" + host + "]" : host;
  text += ':';
  text += std::to_string(port);
  return text;
}

std::string checkClientConfig(const ClientConfig& config) {
  if (!validHeaderText(config.host) || !validHeaderText(config.path) ||
      (config.auth &&
       (!validHeaderText(config.auth->user) || config.auth->user.find(':') != std::string::npos))) {
    return "host, path or user contains invalid characters";
  }
  return "";
}

std::string buildRequest(const ClientConfig& config, std::string_view body, bool keep_alive) {
  const std::string& path = config.path.empty() ? std::string("/") : config.path;
  std::string req;
  req.reserve(200 + path.size() + config.host.size() + body.size());
  req += "POST ";
  req += path;
  req += " HTTP/1.1\r\nHost: ";
  req += hostPort(config.host, config.port);
  req +=
      "\r\nUser-Agent: takahe\r\nAccept: application/json\r\nContent-Type: "
      "application/json\r\nContent-Length: ";
  req += std::to_string(body.size());
  req += "\r\n";
  if (config.auth) {
    req += "Authorization: ";
    req += basicAuthHeader(*config.auth);
    req += "\r\n";
  }
  if (!keep_alive) {
    req += "Connection: close\r\n";
  }
  req += "\r\n";
  req += body;
  return req;
}

}  // namespace takahe::http::detail
