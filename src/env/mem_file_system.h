// MemFileSystem: an in-memory FileSystem for fast, hermetic tests.
//
// Semantics follow PosixFileSystem (the conformance suite in file_system_test.cc runs against
// both): NotFound for missing paths or parents, AlreadyExists for kExclusive, ListDir sorted,
// RemoveDir fails on a non-empty directory, Rename replaces the destination, and a file's
// parent directory must exist to create it. Error codes and messages are built with
// Status::FromErrno from the errno the kernel would return, so they match the real thing.
//
// Model: one namespace rooted at "/"; relative paths are resolved against "/" and paths are
// cleaned lexically (no symlinks). Files are inodes: an open file keeps writing to (and a
// reader keeps reading) its inode after the name is renamed or removed, as on POSIX.
// Nothing is ever lost, so Sync() and SyncDir() only check their argument; pair this with
// FaultFileSystem to model crashes.
//
// Thread-safety: safe from many threads (one mutex for the namespace, one per inode).
// File objects are used by one thread at a time and may outlive the file system.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "env/file_system.h"

namespace klio::env {

class MemFileSystem final : public FileSystem {
 public:
  // An empty file system holding only the root directory "/".
  MemFileSystem();
  ~MemFileSystem() override;
  MemFileSystem(const MemFileSystem&) = delete;
  MemFileSystem& operator=(const MemFileSystem&) = delete;

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        OpenMode mode) override;
  Result<std::unique_ptr<ReadableFile>> NewReadableFile(const std::string& path) override;
  Status Exists(const std::string& path) override;
  Result<std::uint64_t> FileSize(const std::string& path) override;
  Result<std::vector<DirEntry>> ListDir(const std::string& path) override;
  Status CreateDirs(const std::string& path) override;
  Status RemoveFile(const std::string& path) override;
  Status RemoveDir(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override;
  Status Truncate(const std::string& path, std::uint64_t size) override;
  // Checks that `path` is a directory; nothing to flush.
  Status SyncDir(const std::string& path) override;
  Status SetPermissions(const std::string& path, unsigned mode) override;

  // Test accessor: the permission bits of `path` (0644 for new files, 0755 for directories).
  Result<unsigned> Permissions(const std::string& path);

  struct Inode;  // a file's bytes; defined in the .cc

 private:
  struct Node {
    bool is_dir = false;
    unsigned mode = 0;
    std::shared_ptr<Inode> file;  // null for directories
  };
  using NodeMap = std::map<std::string, Node>;

  // Looks up a cleaned path; null when missing. Requires mu_.
  Node* Find(const std::string& key);
  // errno for creating an entry at `key`: 0 when the parent is a directory. Requires mu_.
  int ParentErrno(const std::string& key);
  // Iterator range of every node strictly below `key`. Requires mu_.
  std::pair<NodeMap::iterator, NodeMap::iterator> Descendants(const std::string& key);

  std::mutex mu_;
  NodeMap nodes_;  // guarded by mu_; keys are cleaned absolute paths
};

}  // namespace klio::env
