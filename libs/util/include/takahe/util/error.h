#pragma once

#include <stdexcept>
#include <string>

namespace takahe {

/// Error on the control plane (configuration, commands, storage): the message is meant for an
/// operator and should say what is wrong and where.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A configuration error. The message already carries the JSON path and file:line.
class ConfigError : public Error {
 public:
  using Error::Error;
};

}  // namespace takahe
