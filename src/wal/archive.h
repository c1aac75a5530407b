// WalArchive: the Tier 1 WAL archive on the server's disk (docs/design/wal-archive.md; the
// resume point follows wal-protocol.md §4). One directory per cluster holding cluster.json,
// segments being written as `.partial`, complete segments, and history and backup files, all
// in the encrypted, framed format of segment_file.h. No networking.
//
// Durability (design doc §4): a byte is durable once the OpenSegment's writer Sync() returned
// an offset past it; CompleteSegment fsyncs, renames `.partial` to the final name and fsyncs
// the directory; small files and cluster.json are written with WriteFileAtomically. Recover()
// (at start-up) repairs torn tails and completes full-size partials.
//
// Thread-safety: WalArchive and ClusterArchive are safe to call from many threads. A segment
// has at most one writer: OpenSegmentForAppend refuses a segment that already has an
// OpenSegment in this ClusterArchive, and each OpenSegment is used by one thread at a time.
// Use one ClusterArchive per cluster per process (two objects for one cluster do not see each
// other's writers). Recover() refuses to run while writers are open. Readers (Get) may run
// while a segment is appended and see a prefix of it. The WalArchive must outlive its
// ClusterArchives, and a ClusterArchive its OpenSegments.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/bytes.h"
#include "base/lsn.h"
#include "base/result.h"
#include "base/timeline.h"
#include "base/wal_name.h"
#include "env/file_system.h"
#include "wal/archive_names.h"
#include "wal/cluster_metadata.h"
#include "wal/segment_file.h"

namespace klio::wal {

struct WalArchiveOptions {
  // The file system. Default (null): env::DefaultFileSystem().
  env::FileSystem* fs = nullptr;
  // The archive root (tier1.wal.path); must exist. Required.
  std::string root;
  // Key, compression and frame size for new files. Default: unencrypted (the server warns at
  // start-up), zstd level 1, 1 MiB frames.
  CodecOptions codec;
};

// The end of the archived WAL on one timeline (wal-protocol.md §4).
struct WalPosition {
  TimelineId timeline;
  SegmentNumber segno;   // the newest segment on the timeline
  Lsn end;               // the first byte not in the archive
  bool partial = false;  // the newest segment is a .partial

  friend bool operator==(const WalPosition&, const WalPosition&) = default;
};

// A file read back from the archive.
struct ArchiveFile {
  std::string name;      // the file read: the name asked for, or its .partial
  bool partial = false;  // a .partial: its WAL bytes only, NOT zero-padded (the client pads
                         // to the segment size, wal-protocol.md §6)
  Bytes data;            // decrypted, decompressed content
};

struct RepairedFile {
  std::string path;
  TailRepair repair;
};
struct FailedFile {
  std::string path;
  Status status;
};

// What Recover() did, for the caller to log.
struct RecoveryReport {
  std::vector<std::string> completed;  // full .partial files renamed to their final name
  std::vector<RepairedFile> repaired;  // torn tails cut off
  std::vector<std::string> removed;    // temp files of interrupted atomic writes
  std::vector<FailedFile> failed;      // left alone: corrupt, wrong key, unreadable
  std::vector<std::string> ignored;    // left alone: unexpected names, a .partial beside
                                       // its complete segment
};

class ClusterArchive;

// A segment open for appending (its `.partial`). Destroying it closes the writer without a
// sync and releases the segment.
class OpenSegment {
 public:
  ~OpenSegment();
  OpenSegment(const OpenSegment&) = delete;
  OpenSegment& operator=(const OpenSegment&) = delete;

  TimelineId timeline() const { return timeline_; }
  SegmentNumber segno() const { return segno_; }
  // The LSN of the segment's first byte.
  Lsn start_lsn() const { return start_; }
  // start_lsn() + logical bytes appended (buffered ones included).
  Lsn end_lsn() const { return start_ + writer_->logical_size(); }
  // start_lsn() + bytes made durable by the last Sync().
  Lsn durable_end_lsn() const { return start_ + writer_->durable_size(); }
  // Appends and syncs go through the writer (SegmentWriter::Append/Sync).
  SegmentWriter& writer() { return *writer_; }
  // What opening repaired (nullopt when nothing).
  const std::optional<TailRepair>& repair() const { return repair_; }
  // True once CompleteSegment renamed it.
  bool completed() const { return completed_; }

 private:
  friend class ClusterArchive;
  OpenSegment() = default;

  ClusterArchive* archive_ = nullptr;
  TimelineId timeline_;
  SegmentNumber segno_;
  Lsn start_;
  std::string partial_path_;
  std::string final_path_;
  std::unique_ptr<SegmentWriter> writer_;
  std::optional<TailRepair> repair_;
  bool completed_ = false;
};

class WalArchive;

// One cluster's part of the archive. Obtain it from WalArchive::OpenCluster.
class ClusterArchive {
 public:
  const ClusterName& name() const { return name_; }

  // The metadata, or nullopt when the cluster has none yet (never negotiated).
  std::optional<ClusterMetadata> metadata() const;

  // Creates the cluster's directories (0750; each new entry fsynced) and writes cluster.json
  // atomically (0600). InvalidArgument when `metadata` does not validate or names another
  // cluster; AlreadyExists when metadata exists. Blocking (several fsyncs).
  Status CreateMetadata(const ClusterMetadata& metadata);

  // Replaces cluster.json atomically (to record a gap). FailedPrecondition when there is no
  // metadata or when the system id or segment size would change. Blocking (fsyncs).
  Status UpdateMetadata(const ClusterMetadata& metadata);

  // Opens the `.partial` of (timeline, segno) for appending: created (with its directory,
  // fsynced) when absent, else opened with torn-tail repair (SegmentWriter::OpenForAppend; its
  // errors pass through). FailedPrecondition without metadata or when this segment already has
  // an OpenSegment; AlreadyExists when the complete segment exists; InvalidArgument for a
  // segment number out of range. A returned segment may already be full (a crash before its
  // completion): check writer().full() and call CompleteSegment. Blocking (reads, fsyncs).
  Result<std::unique_ptr<OpenSegment>> OpenSegmentForAppend(TimelineId timeline,
                                                            SegmentNumber segno);

  // Completes a full segment: Close() (fsync), rename `.partial` to the final name, fsync the
  // directory. FailedPrecondition when the segment is not full. Idempotent: once renamed, a
  // repeated call only fsyncs the directory again. Blocking.
  Status CompleteSegment(OpenSegment& segment);

  // Start-up recovery for this cluster; requires that no OpenSegment exists (else
  // FailedPrecondition). Removes temp files of interrupted atomic writes; opens every
  // `.partial` with torn-tail repair (which fsyncs it) and completes the full ones. Files that
  // fail (corrupt, wrong key) are listed in the report and left untouched; I/O errors on the
  // directories abort with their status. No-op without metadata. Blocking.
  Result<RecoveryReport> Recover();

  // Writes a history or backup file (`name` is parsed; other kinds and malformed names are
  // InvalidArgument) atomically in the archive format, 0600. When the file exists with the
  // same content it is left as is (OK); with different content: AlreadyExists. Blocking.
  Status PutSmallFile(std::string_view name, ByteView content);

  // Reads and decrypts a complete segment, history or backup file, or a `.partial` asked for by
  // name. With allow_partial, a missing segment falls back to its `.partial` (see
  // ArchiveFile::partial: not zero-padded). NotFound when absent; InvalidArgument for a bad
  // name; Corruption for any failed check (a complete segment must hold exactly segment_size
  // bytes); FailedPrecondition for a wrong key. A `.partial` is read up to its last complete
  // frame (it may be being written). Blocking; holds the whole file in memory.
  Result<ArchiveFile> Get(std::string_view name, bool allow_partial);

  // Like Get, but returns a reader for streaming the content frame by frame; `*file` receives
  // the name read and whether it is a .partial (its data left empty).
  Result<std::unique_ptr<SegmentReader>> OpenForRead(std::string_view name, bool allow_partial,
                                                     ArchiveFile* file);

  // The end of the archived WAL on `timeline`, or on the newest timeline that has a segment
  // when nullopt; nullopt when there is no segment. For a `.partial` the end is its verified
  // logical size (a last frame cut short is not counted); the bytes are durable when no writer
  // is open and Recover() ran or the writers were closed. Corruption when that .partial fails
  // verification. Blocking (decrypts the newest .partial).
  Result<std::optional<WalPosition>> Newest(std::optional<TimelineId> timeline = std::nullopt);

 private:
  friend class WalArchive;
  friend class OpenSegment;
  ClusterArchive(WalArchive& archive, ClusterName name, std::optional<ClusterMetadata> metadata);

  // The segment size, or FailedPrecondition without metadata.
  Result<std::uint64_t> SegmentSize() const;
  Status CreateDirIfMissing(const std::string& dir, const std::string& parent);
  void Release(TimelineId timeline, SegmentNumber segno);
  Result<std::unique_ptr<SegmentReader>> OpenReader(const WalFileName& name,
                                                    std::uint64_t seg_size);
  Status RecoverSegmentDir(const std::string& dir, std::string_view dir_name,
                           std::uint64_t seg_size, RecoveryReport* report);
  Status RemoveTempFiles(const std::string& dir, RecoveryReport* report);

  WalArchive& archive_;
  env::FileSystem& fs_;
  const ClusterName name_;

  mutable std::mutex mu_;
  std::optional<ClusterMetadata> metadata_;                    // guarded by mu_
  std::set<std::pair<std::uint32_t, std::uint64_t>> writers_;  // guarded by mu_
  bool recovering_ = false;                                    // guarded by mu_
};

class WalArchive {
 public:
  explicit WalArchive(WalArchiveOptions options);

  // Validates `cluster` (InvalidArgument, nothing touched) and reads its cluster.json when
  // present (Corruption when unreadable or naming another cluster). Creates nothing.
  Result<std::unique_ptr<ClusterArchive>> OpenCluster(std::string_view cluster);

  // The clusters with a directory under the root, sorted; entries that are not valid cluster
  // names are skipped.
  Result<std::vector<ClusterName>> ListClusters();

  const ArchivePaths& paths() const { return paths_; }
  env::FileSystem& fs() const { return *fs_; }
  const CodecOptions& codec_options() const { return options_.codec; }

 private:
  WalArchiveOptions options_;
  env::FileSystem* fs_;
  ArchivePaths paths_;
};

}  // namespace klio::wal
