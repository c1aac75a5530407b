// FaultFileSystem: wraps another FileSystem to inject errors and to simulate a power cut.
// LevelDB's FaultInjectionTestEnv is the model (own code).
//
// 1. Error injection. Every call counts as one operation, including calls on the files it
//    hands out (WritableFile Append/Sync/Close, ReadableFile ReadAt/Size) and calls that fail.
//    WritableFile::Size() is not an operation. A call can be made to fail:
//      - FailNthOp(n): the n-th operation from now fails, once;
//      - FailFromNthOp(n): the n-th operation from now and every later one fail ("the disk
//        died at op n"), until ClearFaults();
//      - AddRule(rule): every operation matching an op kind and/or a path prefix fails.
//    An injected failure returns the chosen Status unchanged (default IoError "injected
//    fault") and does not reach the wrapped file system, with one exception: an injected
//    Close failure still closes the wrapped file (as close(2) releases the descriptor even
//    when it reports an error). File operations match rules by the path the file was opened
//    with. Paths are compared after CleanPath(); a prefix matches textually.
//
// 2. Power cut. SimulatePowerCut() turns the wrapped file system into what a machine would
//    find after losing power at this instant, under this model:
//      - File data: a file is truncated to its length at its last successful Sync(); a file
//        never synced is truncated to 0. Files that existed before they were first touched
//        through this wrapper are taken as fully synced. Truncate(path, n) and opening an
//        existing file with kTruncate count as durable immediately (the synced length drops
//        to at most n, resp. 0): the bytes cut off are gone either way.
//      - Directory entries: creating a file, renaming a file and removing a file are durable
//        only once SyncDir() succeeds on the containing directory after them (for a rename,
//        on both directories). Operations not yet durable are undone, newest first:
//        created files are removed; renames are reverted, and a destination the rename
//        replaced is restored with the content it had synced; removed files are restored
//        with their synced content. Restored content is kept in memory, so removing large
//        files under this wrapper costs memory until the directory is synced.
//      - Not modelled: directories themselves (CreateDirs, RemoveDir and renames of
//        directories are durable at once; tracked paths under a renamed directory follow
//        it), permissions (durable at once), partially persisted writes (a torn sector),
//        and reordering between files beyond the rules above.
//    Every WritableFile open at the cut is closed underneath (its buffered bytes reach the
//    wrapped file system and are then cut off like any unsynced data) and fails every later
//    call with IoError. Injection rules stay active; call ClearFaults() to check the result.
//    The undo work goes straight to the wrapped file system and is never counted or failed.
//
// Thread-safety: safe from many threads; one mutex serialises all calls (including the I/O
// they forward), which is fine for a test tool. The wrapped FileSystem must outlive this
// object, and this object must outlive every file it hands out.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "env/file_system.h"

namespace klio::env {

class FaultWritableFile;

enum class FaultOp : std::uint8_t {
  kNewWritableFile,
  kNewReadableFile,
  kExists,
  kFileSize,
  kListDir,
  kCreateDirs,
  kRemoveFile,
  kRemoveDir,
  kRename,
  kTruncate,
  kSyncDir,
  kSetPermissions,
  kAppend,    // WritableFile::Append
  kSync,      // WritableFile::Sync
  kClose,     // WritableFile::Close
  kReadAt,    // ReadableFile::ReadAt
  kReadSize,  // ReadableFile::Size
};
inline constexpr std::size_t kFaultOpCount = 17;

// Stable lowercase name ("sync_dir", "append", ...).
std::string_view FaultOpName(FaultOp op);

// The default injected error: IoError "injected fault".
Status InjectedFault();

struct FaultRule {
  std::optional<FaultOp> op;  // default: any kind
  std::string path_prefix;    // default (empty): any path; for Rename, either path matches
  Status status = InjectedFault();
};

class FaultFileSystem final : public FileSystem {
 public:
  explicit FaultFileSystem(FileSystem& base);
  ~FaultFileSystem() override;
  FaultFileSystem(const FaultFileSystem&) = delete;
  FaultFileSystem& operator=(const FaultFileSystem&) = delete;

  // --- Injection (all take effect at once; none does I/O) ---
  // The n-th operation from now (n >= 1; 1 = the next one) fails with `status`, once.
  void FailNthOp(std::uint64_t n, Status status = InjectedFault());
  // The n-th operation from now and every later one fail with `status` until ClearFaults().
  void FailFromNthOp(std::uint64_t n, Status status = InjectedFault());
  // Every later operation matching `rule` fails until ClearFaults().
  void AddRule(FaultRule rule);
  // Removes every pending FailNthOp/FailFromNthOp and every rule.
  void ClearFaults();

  // --- Counters ---
  // Operations done since construction or ResetCounters(), in total and of one kind.
  std::uint64_t op_count() const;
  std::uint64_t op_count(FaultOp op) const;
  // Operations that failed by injection.
  std::uint64_t injected_count() const;
  // Sets all counters to zero (pending faults keep counting from when they were set).
  void ResetCounters();

  // --- Power cut (see the header comment for the exact model) ---
  // Drops every unsynced byte and undoes every directory operation not made durable, going
  // straight to the wrapped file system. Returns the first error met while undoing (undo
  // continues past errors). Blocking.
  Status SimulatePowerCut();

  // --- FileSystem: each call is one counted operation, then forwarded ---
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
  Status SyncDir(const std::string& path) override;
  Status SetPermissions(const std::string& path, unsigned mode) override;

 private:
  friend class FaultWritableFile;
  friend class FaultReadableFile;

  // What survives a power cut of one file's data. Shared with the open files of that file, so
  // a Sync through a handle updates it even after the name changed.
  struct FileState {
    std::uint64_t synced_size = 0;
  };
  // A directory operation not yet made durable by SyncDir.
  struct PendingDirOp {
    enum class Kind { kCreate, kRemove, kRename } kind;
    std::string path;                  // the file (kRename: the source)
    std::string to;                    // kRename: the destination
    std::optional<std::string> saved;  // kRemove: the removed file's synced bytes;
                                       // kRename: the replaced destination's synced bytes
    bool path_dir_synced = false;
    bool to_dir_synced = false;  // kRename only
  };

  // Counts one operation and returns the injected failure for it, or OK. Requires mu_.
  Status CheckOp(FaultOp op, const std::string& path, const std::string& path2 = {});
  // The tracked state of an existing file, created from its current size on first use
  // (pre-existing files are taken as synced); null when the file cannot be sized. Requires mu_.
  std::shared_ptr<FileState> StateFor(const std::string& path);
  // The durable bytes of a file that is about to lose its name; nullopt when unreadable.
  // Requires mu_.
  std::optional<std::string> SyncedContent(const std::string& path);
  // Undo helpers for SimulatePowerCut. Require mu_.
  Status Undo(const PendingDirOp& op);
  Status RestoreFile(const std::string& path, const std::string& content);
  void RekeyTree(const std::string& from, const std::string& to);

  FileSystem& base_;
  mutable std::mutex mu_;
  // --- all below guarded by mu_ ---
  std::uint64_t ops_ = 0;
  std::array<std::uint64_t, kFaultOpCount> ops_by_kind_{};
  std::uint64_t injected_ = 0;
  std::uint64_t nth_countdown_ = 0;  // 0: none pending
  bool nth_sticky_ = false;
  bool failing_all_ = false;  // FailFromNthOp reached
  Status nth_status_;
  std::vector<FaultRule> rules_;
  std::map<std::string, std::shared_ptr<FileState>> files_;  // by cleaned path
  std::vector<PendingDirOp> pending_;                        // oldest first
  std::set<FaultWritableFile*> open_files_;
};

}  // namespace klio::env
