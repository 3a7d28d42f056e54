#include "lease_journal.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "file_util.h"
#include "takahe/dhcpsrv/csv_lease_file.h"
#include "takahe/util/error.h"

namespace takahe::dhcpsrv::detail {

LeaseJournal::LeaseJournal() : header_(lease4CsvHeader()) {}

LeaseJournal::~LeaseJournal() { close(); }

void LeaseJournal::open(const std::string& path) {
  close();
  int fd = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    throw Error("cannot open lease file " + path + " for writing: " + errnoText(errno));
  }
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int err = errno;
    ::close(fd);
    throw Error("cannot stat lease file " + path + ": " + errnoText(err));
  }
  try {
    if (st.st_size == 0) {
      writeAll(fd, header_, path);
    } else {
      char last = '\n';
      if (::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') {
        writeAll(fd, "\n", path);
      }
    }
  } catch (...) {
    ::close(fd);
    throw;
  }
  fd_ = fd;
  path_ = path;
  torn_ = false;
}

void LeaseJournal::append(std::string_view rows) {
  if (fd_ < 0) {
    throw Error("lease file " + path_ + " is not open");
  }
  if (torn_) {
    writeAll(fd_, "\n", path_);
    torn_ = false;
  }
  try {
    writeAll(fd_, rows, path_);
  } catch (...) {
    torn_ = true;
    throw;
  }
}

void LeaseJournal::close() {
  if (fd_ >= 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

}  // namespace takahe::dhcpsrv::detail
