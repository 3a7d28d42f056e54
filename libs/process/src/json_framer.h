#pragma once

// Finds where one JSON command ends in a byte stream, without waiting for EOF.

#include <cstddef>
#include <string_view>

namespace takahe::process {

/// Incremental scanner for the control channel's framing. A command is a JSON container: after
/// optional whitespace it starts with '{' (or '['), and it is complete when the bracket depth,
/// counted outside strings (honouring backslash escapes), returns to zero. The scanner does not
/// validate JSON; the parser does that on the framed bytes.
class JsonFramer {
 public:
  enum class Status {
    kNeedMore,  ///< no complete value yet
    kComplete,  ///< the first length() bytes fed form one value (bytes after it are ignored)
    kInvalid,   ///< the first non-whitespace byte cannot start a command
  };

  /// Scans the next bytes of the stream. Once kComplete or kInvalid is returned, further calls
  /// return the same status without scanning.
  Status feed(std::string_view bytes);

  Status status() const { return status_; }
  /// Bytes from the start of the stream through the value's closing bracket (kComplete), or
  /// through the offending byte (kInvalid).
  size_t length() const { return length_; }
  /// Whether a non-whitespace byte has been seen.
  bool sawContent() const { return started_; }

 private:
  Status status_ = Status::kNeedMore;
  size_t length_ = 0;  // bytes scanned so far
  size_t depth_ = 0;
  bool started_ = false;
  bool in_string_ = false;
  bool escaped_ = false;
};

}  // namespace takahe::process
