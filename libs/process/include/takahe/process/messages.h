#pragma once

// Message catalogue of libs/process (logger "commands", i.e. "takahe-dhcp4.commands").

#include "takahe/log/logger.h"

namespace takahe::process {

/// Debug level of the per-command and per-connection messages (Kea's DBG_COMMAND).
inline constexpr int kDbgCommand = 10;

/// The control socket accepts connections.
inline constexpr log::MessageId COMMAND_SOCKET_OPENED{"COMMAND_SOCKET_OPENED", log::Severity::kInfo,
                                                      "command socket %1 opened"};

/// The control socket was closed by stop().
inline constexpr log::MessageId COMMAND_SOCKET_CLOSED{"COMMAND_SOCKET_CLOSED", log::Severity::kInfo,
                                                      "command socket %1 closed"};

/// A socket file nobody was listening on was found at the path and removed before binding.
inline constexpr log::MessageId COMMAND_SOCKET_STALE_REMOVED{
    "COMMAND_SOCKET_STALE_REMOVED", log::Severity::kInfo,
    "removed stale command socket file %1 (nobody was listening on it)"};

/// Accepting or serving a connection failed for a reason worth an operator's attention.
inline constexpr log::MessageId COMMAND_SOCKET_ERROR{"COMMAND_SOCKET_ERROR", log::Severity::kWarn,
                                                     "command socket %1: %2"};

/// A connection was refused because max_connections were already open.
inline constexpr log::MessageId COMMAND_CONNECTION_LIMIT{
    "COMMAND_CONNECTION_LIMIT", log::Severity::kWarn,
    "command socket %1: connection refused, %2 connections already open"};

/// A client connected (debug).
inline constexpr log::MessageId COMMAND_CONNECTION_OPENED{
    "COMMAND_CONNECTION_OPENED", log::Severity::kDebug, "command socket %1: connection %2 opened"};

/// A connection ended (debug); %3 says how.
inline constexpr log::MessageId COMMAND_CONNECTION_CLOSED{
    "COMMAND_CONNECTION_CLOSED", log::Severity::kDebug,
    "command socket %1: connection %2 closed (%3)"};

/// A connection made no progress for the idle timeout (debug).
inline constexpr log::MessageId COMMAND_TIMEOUT{
    "COMMAND_TIMEOUT", log::Severity::kDebug,
    "command socket %1: connection %2 timed out after %3 ms while %4"};

/// A request grew past max_request_bytes before it was complete.
inline constexpr log::MessageId COMMAND_TOO_LARGE{
    "COMMAND_TOO_LARGE", log::Severity::kWarn,
    "command socket %1: connection %2 sent a command larger than %3 bytes"};

/// A command is about to be executed (debug).
inline constexpr log::MessageId COMMAND_RECEIVED{"COMMAND_RECEIVED", log::Severity::kDebug,
                                                 "received command '%1'"};

/// A request could not be read as a command (bad JSON or envelope) (debug).
inline constexpr log::MessageId COMMAND_INVALID{"COMMAND_INVALID", log::Severity::kDebug,
                                                "invalid command: %1"};

/// A command handler threw; the client gets result 1 with the same text.
inline constexpr log::MessageId COMMAND_FAILED{"COMMAND_FAILED", log::Severity::kWarn,
                                               "command '%1' failed: %2"};

/// A command handler returned something that is not an answer map (a bug in the handler).
inline constexpr log::MessageId COMMAND_BAD_ANSWER{
    "COMMAND_BAD_ANSWER", log::Severity::kError,
    "command '%1' returned an invalid answer (expected a map with an integer 'result')"};

}  // namespace takahe::process
