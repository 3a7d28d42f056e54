#pragma once

// Message catalogue of libs/http (logger "http", i.e. "takahe-dhcp4.http").

#include "takahe/log/logger.h"

namespace takahe::http {

/// Debug level of the per-connection and per-request messages.
inline constexpr int kDbgHttp = 40;

/// The server listens; %1 is "http://127.0.0.1:8000" or "https://...".
inline constexpr log::MessageId HTTP_SERVER_STARTED{"HTTP_SERVER_STARTED", log::Severity::kInfo,
                                                    "HTTP server listening on %1"};

/// stop() closed the listener and its connections.
inline constexpr log::MessageId HTTP_SERVER_STOPPED{"HTTP_SERVER_STOPPED", log::Severity::kInfo,
                                                    "HTTP server on %1 stopped"};

/// A TLS handshake failed: %1 peer address, %2 OpenSSL's reason (with the certificate
/// verification result when verification failed).
inline constexpr log::MessageId HTTP_TLS_HANDSHAKE_FAILED{
    "HTTP_TLS_HANDSHAKE_FAILED", log::Severity::kWarn, "TLS handshake with %1 failed: %2"};

/// A request was refused with a 4xx status before reaching the handler: %1 peer, %2 status,
/// %3 reason.
inline constexpr log::MessageId HTTP_REQUEST_BAD{"HTTP_REQUEST_BAD", log::Severity::kInfo,
                                                 "bad request from %1: %2 %3"};

/// Basic authentication failed: %1 peer, %2 user name offered ("" when none).
inline constexpr log::MessageId HTTP_AUTH_FAILED{"HTTP_AUTH_FAILED", log::Severity::kWarn,
                                                 "authentication failed for %1 (user '%2')"};

/// A connection was refused because max_connections were open: %1 peer, %2 limit.
inline constexpr log::MessageId HTTP_CONNECTION_LIMIT{
    "HTTP_CONNECTION_LIMIT", log::Severity::kWarn,
    "connection from %1 refused: %2 connections already open"};

/// Accepting a connection failed (e.g. out of file descriptors); retried shortly: %1 reason.
inline constexpr log::MessageId HTTP_ACCEPT_FAILED{"HTTP_ACCEPT_FAILED", log::Severity::kError,
                                                   "accepting an HTTP connection failed: %1"};

/// The request handler threw; the client got 500: %1 peer, %2 what().
inline constexpr log::MessageId HTTP_HANDLER_FAILED{"HTTP_HANDLER_FAILED", log::Severity::kError,
                                                    "request handler failed for %1: %2"};

/// The handler dropped its Respond without calling it; the client got 500: %1 peer.
inline constexpr log::MessageId HTTP_NO_RESPONSE{
    "HTTP_NO_RESPONSE", log::Severity::kError,
    "request handler for %1 finished without answering; sent 500"};

/// ServerConfig::on_tls_failure threw: %1 peer, %2 what().
inline constexpr log::MessageId HTTP_TLS_CALLBACK_FAILED{
    "HTTP_TLS_CALLBACK_FAILED", log::Severity::kError, "TLS failure callback for %1 failed: %2"};

/// A task or timer callback on an EventThread threw; the thread goes on: %1 thread name,
/// %2 what().
inline constexpr log::MessageId HTTP_EVENT_TASK_FAILED{
    "HTTP_EVENT_TASK_FAILED", log::Severity::kError, "task on event thread '%1' failed: %2"};

/// An HttpClient completion callback threw; the client goes on: %1 what().
inline constexpr log::MessageId HTTP_CLIENT_CALLBACK_FAILED{
    "HTTP_CLIENT_CALLBACK_FAILED", log::Severity::kError,
    "an HTTP client completion callback failed: %1"};

/// A connection was accepted (debug): %1 peer.
inline constexpr log::MessageId HTTP_CONNECTION_OPENED{
    "HTTP_CONNECTION_OPENED", log::Severity::kDebug, "connection from %1 opened"};

/// A connection ended (debug): %1 peer, %2 why.
inline constexpr log::MessageId HTTP_CONNECTION_CLOSED{
    "HTTP_CONNECTION_CLOSED", log::Severity::kDebug, "connection from %1 closed: %2"};

/// A request passed the checks and goes to the handler (debug): %1 peer, %2 user, %3 bytes.
inline constexpr log::MessageId HTTP_REQUEST_RECEIVED{
    "HTTP_REQUEST_RECEIVED", log::Severity::kDebug, "request from %1 (user '%2'), %3 body bytes"};

}  // namespace takahe::http
