// post(): one blocking request over a ClientConnection on a private io_context. The request's
// deadline (the configured timeout) covers resolve, connect, TLS handshake, send and read, so a
// silent server cannot block the caller longer.

#include <boost/asio/io_context.hpp>
#include <exception>

#include "client_connection.h"
#include "internal.h"
#include "takahe/http/http.h"

namespace takahe::http {

ClientResult post(const ClientConfig& config, const std::string& json_body) {
  ClientResult result;
  const std::string where = detail::hostPort(config.host, config.port);
  if (const std::string why = detail::checkClientConfig(config); !why.empty()) {
    result.error = "request to " + where + ": " + why;
    return result;
  }
  try {
    std::string error;
    auto target = detail::makePeerTarget(config.host, config.port, config.tls, error);
    if (!target) {
      result.error = error;
      return result;
    }
    boost::asio::io_context io{1};
    detail::ClientConnection connection(
        io, std::move(target),
        [&result](detail::ClientConnection::Outcome, detail::OutgoingRequest, ClientResult r) {
          result = std::move(r);
        },
        config.timeout, false);
    detail::OutgoingRequest request;
    request.wire = detail::buildRequest(config, json_body, false);
    request.timeout = config.timeout;
    connection.send(std::move(request));
    io.run();
    return result;
  } catch (const std::exception& e) {
    result = {};
    result.error = "request to " + where + ": " + e.what();
    return result;
  }
}

}  // namespace takahe::http
