#include "peer_link.h"

#include <algorithm>
#include <cctype>
#include <exception>
#include <utility>

#include "peer_messages.h"
#include "takahe/cc/command.h"
#include "takahe/http/client.h"
#include "takahe/http/event_thread.h"
#include "takahe/http/http.h"

namespace takahe::hooks::ha {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string_view statusReason(unsigned status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Payload Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

/// What Kea's control agent answers when its DHCPv4 server does not answer it.
constexpr std::string_view kForwardFailed = "unable to forward command to the dhcp4 service";

constexpr std::string_view kPostPrefix = "POST to ";

/// The transport cause without the "POST to <url> failed: " prefix.
std::string causeOf(const PeerAnswer& answer) {
  if (!answer.ok) {
    const std::string& e = answer.error;
    if (e.rfind(kPostPrefix, 0) == 0) {
      if (auto pos = e.find(" failed: "); pos != std::string::npos) {
        return e.substr(pos + 9);
      }
    }
    return e;
  }
  return "the peer's control agent cannot reach its DHCPv4 server (" + answer.text + ")";
}

/// What an operator should do about an unreachable peer, from the cause.
std::string unreachableRemedy(const PeerConfig& peer, const PeerAnswer& answer) {
  if (answer.ok) {
    return "check that the DHCPv4 server behind the peer's control agent runs";
  }
  const std::string& e = answer.error;
  if (contains(e, "HTTP 401")) {
    return "check basic-auth-user and basic-auth-password(-file) of peer " + peer.name +
           ": the peer's authentication must accept them";
  }
  if (contains(e, "HTTP 403")) {
    return "the peer refuses the command (HTTP 403): check its control agent's access rules";
  }
  if (contains(e, "HTTP ") || contains(e, "answer is not")) {
    return "check that the URL is that of the peer's control agent or HA listener";
  }
  return "check that its server/agent runs and listens on that URL";
}

std::string tlsRemedy(const PeerConfig& peer, const PeerAnswer& answer) {
  const std::string verify = lower(answer.tls_verify_error);
  const std::string reason = lower(answer.error);
  const bool has_client_cert = peer.tls && !peer.tls->cert_file.empty();
  if (contains(verify, "expired")) {
    return "the certificate has expired: renew it";
  }
  if (contains(verify, "not yet valid")) {
    return "the certificate is not yet valid: check the clocks of both servers or its dates";
  }
  if (contains(verify, "hostname mismatch") || contains(verify, "ip address mismatch")) {
    return "hostname mismatch: the URL host must be in the certificate's subjectAltName";
  }
  if (contains(verify, "revoked")) {
    return "the peer certificate is revoked: issue a new one";
  }
  if (!verify.empty()) {
    // unable to get local issuer certificate, self-signed certificate (in chain), unable to
    // verify the first certificate, certificate signature failure, ...
    return "check trust-anchor: it must hold the CA that signed the peer certificate";
  }
  if (contains(reason, "certificate required") ||
      (!has_client_cert && contains(reason, "handshake failure"))) {
    return has_client_cert
               ? "the peer requires a client certificate and did not take this one: check "
                 "cert-file and key-file"
               : "the peer requires a client certificate: set cert-file and key-file";
  }
  if (contains(reason, "alert certificate expired")) {
    return "the peer says this server's certificate (cert-file) has expired: renew it";
  }
  if (contains(reason, "unknown ca") || contains(reason, "bad certificate") ||
      contains(reason, "decrypt error") || contains(reason, "unsupported certificate")) {
    return "the peer rejects this server's certificate: its trust-anchor must hold the CA that "
           "signed cert-file";
  }
  if (contains(reason, "wrong version number") || contains(reason, "http request") ||
      contains(reason, "packet length too long") || contains(reason, "record layer failure")) {
    return "the peer does not speak TLS on that port: check the URL's scheme (http/https) and "
           "port";
  }
  if (contains(reason, "cannot read") || contains(reason, "tls setup")) {
    return "check that trust-anchor, cert-file and key-file are readable and valid";
  }
  return "check trust-anchor, cert-file and key-file on both peers";
}

}  // namespace

std::string makeCommandBody(std::string_view command, const std::optional<cc::Value>& arguments) {
  // Kea writes its keys in alphabetical order; the same order keeps captures comparable.
  cc::Members m;
  m.reserve(3);
  if (arguments) {
    m.emplace_back("arguments", *arguments);
  }
  m.emplace_back("command", cc::Value(command));
  m.emplace_back("service", cc::Value(cc::List{cc::Value("dhcp4")}));
  return cc::Value(std::move(m)).toJson();
}

PeerAnswer interpretHttpResult(const PeerConfig& peer, bool transport_ok,
                               const std::string& transport_error, unsigned status,
                               const std::string& body, bool tls_failed,
                               const std::string& tls_peer_subject,
                               const std::string& tls_verify_error) {
  PeerAnswer a;
  a.tls_failed = tls_failed;
  a.tls_peer_subject = tls_peer_subject;
  a.tls_verify_error = tls_verify_error;
  const std::string prefix = std::string(kPostPrefix) + peer.url + " failed: ";
  if (!transport_ok) {
    a.error = prefix + (transport_error.empty() ? std::string("no answer") : transport_error);
    return a;
  }
  if (status != 200) {
    a.error = prefix + "HTTP " + std::to_string(status);
    if (auto reason = statusReason(status); !reason.empty()) {
      a.error += " " + std::string(reason);
    }
    // Kea and Takahe put a {"result", "text"} body on their refusals: show its text.
    try {
      cc::Answer ans = cc::parseAnswer(cc::parseJson(body, "<peer answer>"));
      if (!ans.text.empty() && ans.text != statusReason(status)) {
        a.error += " (" + ans.text + ")";
      }
    } catch (const std::exception&) {
      // A body that is not a Kea answer adds nothing.
    }
    return a;
  }
  cc::Value v;
  try {
    v = cc::parseJson(body, "<peer answer>");
  } catch (const std::exception& e) {
    a.error = prefix + "answer is not JSON: " + e.what();
    return a;
  }
  if (v.isList()) {
    // Kea's control agent answers with one item per service; one service was asked for.
    if (v.asList().empty()) {
      a.error = prefix + "answer is not a Kea answer: empty list";
      return a;
    }
    cc::Value first = std::move(v.asList().front());
    v = std::move(first);
  }
  if (!v.isMap()) {
    a.error = prefix + "answer is not a Kea answer: a JSON " + std::string(v.typeName()) +
              " instead of a map";
    return a;
  }
  const cc::Value* result = v.find("result");
  if (result == nullptr || !result->isInt()) {
    a.error = prefix + "answer is not a Kea answer: no integer 'result' in " + v.toJson();
    return a;
  }
  a.ok = true;
  a.result = static_cast<int>(result->asInt());
  if (const cc::Value* text = v.find("text"); text != nullptr && text->isString()) {
    a.text = text->asString();
  }
  if (cc::Value* args = v.find("arguments"); args != nullptr) {
    a.arguments = std::move(*args);
  }
  return a;
}

PeerLink::PeerLink(http::EventThread& thread, const HaConfig& config,
                   unsigned connections_per_peer)
    : config_(config), thread_(thread) {
  http::HttpClient::Options options;
  options.connections_per_peer = std::max(1u, connections_per_peer);
  // Below the 10 s idle timeout of Takahe's and Kea's listeners, so that a request never meets a
  // connection the partner is closing at that very moment.
  options.idle_close = std::chrono::milliseconds(4000);
  client_ = std::make_unique<http::HttpClient>(thread, options);
}

PeerLink::~PeerLink() = default;

void PeerLink::send(const PeerConfig& peer, std::string_view command,
                    std::optional<cc::Value> arguments, std::chrono::milliseconds timeout,
                    std::function<void(PeerAnswer)> done) {
  TAKAHE_LOG_DEBUG(linkLogger(), kDbgLinkDetail, HA_PEER_COMMAND, command, peer.name, peer.url);
  sendBody(peer, makeCommandBody(command, arguments), timeout, std::move(done));
}

void PeerLink::sendBody(const PeerConfig& peer, std::string body,
                        std::chrono::milliseconds timeout, std::function<void(PeerAnswer)> done) {
  // Only the URL is needed for the answer: a reference to `peer` could dangle.
  client_->post(peer.clientConfig(timeout), std::move(body),
                [url = peer.url, done = std::move(done)](http::ClientResult r) {
                  PeerConfig named;
                  named.url = url;
                  done(interpretHttpResult(named, r.ok, r.error, r.status, r.body, r.tls_failed,
                                           r.tls_peer_subject, r.tls_verify_error));
                });
}

PeerAnswer PeerLink::sendSync(const PeerConfig& peer, std::string_view command,
                              std::optional<cc::Value> arguments,
                              std::chrono::milliseconds timeout) {
  TAKAHE_LOG_DEBUG(linkLogger(), kDbgLinkDetail, HA_PEER_COMMAND, command, peer.name, peer.url);
  http::ClientResult r =
      http::post(peer.clientConfig(timeout), makeCommandBody(command, arguments));
  return interpretHttpResult(peer, r.ok, r.error, r.status, r.body, r.tls_failed,
                             r.tls_peer_subject, r.tls_verify_error);
}

void PeerLink::closeAll() { client_->closeAll(); }

size_t PeerLink::pending() const { return client_->pending(); }

bool PeerLink::reachedPeer(const PeerAnswer& answer) {
  if (!answer.ok) {
    return false;
  }
  return !(answer.result == 1 && answer.text.rfind(kForwardFailed, 0) == 0);
}

void PeerLink::noteOutcome(const PeerConfig& peer, const PeerAnswer& answer) {
  const bool fine = reachedPeer(answer);
  const std::string cause = fine ? std::string() : causeOf(answer);
  std::string previous;
  {
    std::lock_guard lock(mu_);
    std::string& last = last_failure_[peer.name];
    if (last == cause) {
      return;  // same state as before: said already
    }
    previous = std::exchange(last, cause);
  }
  if (fine) {
    TAKAHE_LOG(linkLogger(), HA_PEER_REACHABLE, peer.name, peer.url, previous);
    return;
  }
  if (answer.tls_failed) {
    // The client's error already ends with the subject; it is given in its own field.
    std::string reason = cause;
    if (auto pos = reason.find("; server certificate subject:"); pos != std::string::npos) {
      reason.erase(pos);
    }
    TAKAHE_LOG(linkLogger(), HA_PEER_TLS_FAILED, peer.name, peer.url, reason,
               answer.tls_peer_subject.empty() ? std::string("none presented")
                                               : answer.tls_peer_subject,
               answer.tls_verify_error.empty() ? std::string("none") : answer.tls_verify_error,
               tlsRemedy(peer, answer));
    return;
  }
  TAKAHE_LOG(linkLogger(), HA_PEER_UNREACHABLE, peer.name, peer.url, cause,
             unreachableRemedy(peer, answer));
}

}  // namespace takahe::hooks::ha
