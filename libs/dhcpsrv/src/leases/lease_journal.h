#pragma once

// The open lease file of a memfile store: rows are appended with write(2) on an O_APPEND fd,
// so each change reaches the kernel before the store method returns.

#include <string>
#include <string_view>
#include <utility>

namespace takahe::dhcpsrv::detail {

class LeaseJournal {
 public:
  /// A DHCPv4 journal (new files start with lease4CsvHeader()).
  LeaseJournal();
  /// A journal whose new files start with `header` (a line ending in '\n').
  explicit LeaseJournal(std::string header) : header_(std::move(header)) {}
  ~LeaseJournal();
  LeaseJournal(const LeaseJournal&) = delete;
  LeaseJournal& operator=(const LeaseJournal&) = delete;

  /// Opens (creating) `path` for appending. Writes the header into an empty file, and a newline
  /// after a torn last line so the next row starts on its own line. Throws takahe::Error.
  void open(const std::string& path);
  /// Appends complete rows. Throws takahe::Error (the file name and errno) on failure.
  void append(std::string_view rows);
  void close();
  bool isOpen() const { return fd_ >= 0; }
  const std::string& path() const { return path_; }

 private:
  std::string header_;
  std::string path_;
  int fd_ = -1;
  bool torn_ = false;  // a failed write may have left half a row
};

}  // namespace takahe::dhcpsrv::detail
