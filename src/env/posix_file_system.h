// PosixFileSystem: the real FileSystem over POSIX system calls (Linux).
//
// Every descriptor is opened with O_CLOEXEC; calls interrupted by a signal (EINTR) are retried;
// short writes are continued. WritableFile buffers up to 64 KiB in memory; Size() counts the
// buffered bytes. Sync() flushes the buffer and calls fdatasync(2); SyncDir() calls fsync(2)
// on the directory. New files get mode 0644 and new directories 0755 (minus the umask).
// Errors come from Status::FromErrno(errno, "<op> <path>").
//
// Thread-safety: the file system object is stateless and safe from many threads; each file
// object is used by one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "env/file_system.h"

namespace klio::env {

class PosixFileSystem final : public FileSystem {
 public:
  // Opens (creating per `mode`) a file for appending. Fails with NotFound when the parent
  // directory is missing and AlreadyExists for kExclusive when the file exists. No fsync.
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        OpenMode mode) override;
  // Opens an existing regular file for positional reads (a directory is an error).
  Result<std::unique_ptr<ReadableFile>> NewReadableFile(const std::string& path) override;
  Status Exists(const std::string& path) override;
  // Size of a regular file; a directory is an error.
  Result<std::uint64_t> FileSize(const std::string& path) override;
  Result<std::vector<DirEntry>> ListDir(const std::string& path) override;
  Status CreateDirs(const std::string& path) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Truncate(const std::string& path, std::uint64_t size) override;
  // fsync(2) of the directory. Blocking.
  Status SyncDir(const std::string& path) override;
  Status SetPermissions(const std::string& path, unsigned mode) override;
};

}  // namespace klio::env
