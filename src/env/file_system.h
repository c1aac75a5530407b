// FileSystem: the only way klio touches files, so tests can swap in an in-memory or a
// fault-injecting implementation (LevelDB's Env is the model).
//
// Implementations: PosixFileSystem (the real one), MemFileSystem (tests, fast),
// FaultFileSystem (wraps another: fails the Nth operation, and simulates a power cut by
// dropping every byte and directory entry that was not fsynced).
//
// Thread-safety: every FileSystem is safe to call from many threads. A WritableFile or
// ReadableFile object is used by one thread at a time.
//
// Paths are plain '/'-separated strings. Errors are Status codes: NotFound, AlreadyExists,
// PermissionDenied, ResourceExhausted (ENOSPC), IoError; messages name the path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace klio::env {

// A file open for appending. Bytes are durable only after Sync() returns OK.
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  // Appends `data`. May buffer; not durable until Sync().
  virtual Status Append(std::span<const std::uint8_t> data) = 0;
  Status Append(std::string_view data) {
    return Append(std::span(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
  }
  // Flushes buffers and fsyncs (fdatasync) the file's data. Blocking.
  virtual Status Sync() = 0;
  // Closes the file; further calls fail. Does not sync. Called by the destructor if needed.
  virtual Status Close() = 0;
  // Bytes in the file (including unsynced appends).
  virtual std::uint64_t Size() const = 0;
};

// A file open for positional reads.
class ReadableFile {
 public:
  virtual ~ReadableFile() = default;
  // Reads up to out.size() bytes at `offset`; returns the number read (0 at end of file).
  virtual Result<std::size_t> ReadAt(std::uint64_t offset, std::span<std::uint8_t> out) = 0;
  virtual Result<std::uint64_t> Size() = 0;
};

enum class OpenMode {
  kTruncate,   // create or truncate
  kAppend,     // create or keep contents, append at the end
  kExclusive,  // create; AlreadyExists when the file exists
};

struct DirEntry {
  std::string name;
  bool is_dir = false;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                OpenMode mode) = 0;
  virtual Result<std::unique_ptr<ReadableFile>> NewReadableFile(const std::string& path) = 0;

  // OK when the path exists (file or directory), NotFound when not, other errors otherwise.
  virtual Status Exists(const std::string& path) = 0;
  virtual Result<std::uint64_t> FileSize(const std::string& path) = 0;
  // Entries of a directory, sorted by name, without "." and "..".
  virtual Result<std::vector<DirEntry>> ListDir(const std::string& path) = 0;
  // Creates the directory and missing parents; OK when it already exists. Not synced.
  virtual Status CreateDirs(const std::string& path) = 0;
  virtual Status RemoveFile(const std::string& path) = 0;
  // Removes an empty directory.
  virtual Status RemoveDir(const std::string& path) = 0;
  // Atomically renames (replacing `to` if it exists). Durable only after SyncDir(parent).
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Truncates a file to `size` bytes. Not synced.
  virtual Status Truncate(const std::string& path, std::uint64_t size) = 0;
  // fsyncs a directory, making creates, renames and removals inside it durable.
  virtual Status SyncDir(const std::string& path) = 0;
  // Sets permission bits (e.g. 0600 for keys).
  virtual Status SetPermissions(const std::string& path, unsigned mode) = 0;

  // Convenience: whole-file read.
  Result<std::string> ReadFile(const std::string& path);
};

// The process-wide real file system (never null, never destroyed).
FileSystem& DefaultFileSystem();

// Splits "a/b/c" into "a/b" and "c". The parent of "c" is ".".
std::string ParentDir(std::string_view path);
std::string BaseName(std::string_view path);
std::string JoinPath(std::string_view a, std::string_view b);

}  // namespace klio::env
