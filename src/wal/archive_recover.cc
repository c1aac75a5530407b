// ClusterArchive::Recover and ::Newest: the start-up scan of a cluster's directories
// (docs/design/wal-archive.md §4) and the resume point (wal-protocol.md §4).
#include <algorithm>
#include <map>

#include "env/atomic_write.h"
#include "wal/archive.h"

namespace klio::wal {
namespace {

// Errors that describe one file's content rather than the disk: recorded, not fatal.
bool IsFileContentError(const Status& st) {
  return st.code() == StatusCode::kCorruption || st.code() == StatusCode::kFailedPrecondition;
}

}  // namespace

Status ClusterArchive::RemoveTempFiles(const std::string& dir, RecoveryReport* report) {
  KLIO_ASSIGN_OR_RETURN(std::vector<env::DirEntry> entries, fs_.ListDir(dir));
  for (const env::DirEntry& e : entries) {
    if (e.is_dir || !env::IsAtomicWriteTempName(e.name)) continue;
    const std::string path = env::JoinPath(dir, e.name);
    KLIO_RETURN_IF_ERROR(fs_.RemoveFile(path));
    report->removed.push_back(path);
  }
  return Status::Ok();
}

Status ClusterArchive::RecoverSegmentDir(const std::string& dir, std::string_view dir_name,
                                         std::uint64_t seg_size, RecoveryReport* report) {
  KLIO_ASSIGN_OR_RETURN(std::vector<env::DirEntry> entries, fs_.ListDir(dir));
  std::set<std::string> names;
  for (const env::DirEntry& e : entries) names.insert(e.name);
  for (const env::DirEntry& e : entries) {
    const std::string path = env::JoinPath(dir, e.name);
    Result<WalFileName> name = ParseSegmentDirEntry(dir_name, e.name, seg_size);
    if (e.is_dir || !name.ok()) {
      report->ignored.push_back(path);
      continue;
    }
    if (name->kind != WalFileKind::kPartial) continue;
    const WalFileName segment = WalFileName::Segment(name->timeline, name->segno);
    if (names.count(segment.ToString(seg_size)) != 0) {
      report->ignored.push_back(path);  // beside its complete segment: keep both for a human
      continue;
    }
    std::optional<TailRepair> repair;
    auto writer = SegmentWriter::OpenForAppend(fs_, path, segment.ToString(seg_size),
                                               static_cast<std::uint32_t>(seg_size),
                                               archive_.codec_options(), &repair);
    if (!writer.ok()) {
      if (!IsFileContentError(writer.status())) return writer.status();
      report->failed.push_back({path, writer.status()});
      continue;
    }
    if (repair.has_value()) report->repaired.push_back({path, *repair});
    const bool full = (*writer)->full();
    KLIO_RETURN_IF_ERROR((*writer)->Close());
    if (full) {
      KLIO_RETURN_IF_ERROR(fs_.Rename(path, env::JoinPath(dir, segment.ToString(seg_size))));
      KLIO_RETURN_IF_ERROR(fs_.SyncDir(dir));
      report->completed.push_back(path);
    }
  }
  return Status::Ok();
}

Result<RecoveryReport> ClusterArchive::Recover() {
  RecoveryReport report;
  std::uint64_t seg_size = 0;
  {
    std::lock_guard lock(mu_);
    if (!metadata_.has_value()) return report;
    if (!writers_.empty() || recovering_) {
      return Status::FailedPrecondition("cluster " + name_.str() +
                                        ": recovery needs every segment writer closed");
    }
    recovering_ = true;
    seg_size = metadata_->segment_size;
  }
  struct Done {
    ClusterArchive* self;
    ~Done() {
      std::lock_guard lock(self->mu_);
      self->recovering_ = false;
    }
  } done{this};

  const ArchivePaths& paths = archive_.paths();
  const std::string wal_dir = paths.WalDir(name_);
  KLIO_RETURN_IF_ERROR(RemoveTempFiles(paths.ClusterDir(name_), &report));
  KLIO_RETURN_IF_ERROR(RemoveTempFiles(wal_dir, &report));
  KLIO_ASSIGN_OR_RETURN(std::vector<env::DirEntry> entries, fs_.ListDir(wal_dir));
  for (const env::DirEntry& e : entries) {
    const std::string path = env::JoinPath(wal_dir, e.name);
    if (e.is_dir && IsSegmentDirName(e.name)) {
      KLIO_RETURN_IF_ERROR(RecoverSegmentDir(path, e.name, seg_size, &report));
    } else if (e.is_dir ||
               (!env::IsAtomicWriteTempName(e.name) && !ParseWalDirEntry(e.name, seg_size).ok())) {
      report.ignored.push_back(path);
    }
  }
  return report;
}

Result<std::optional<WalPosition>> ClusterArchive::Newest(std::optional<TimelineId> timeline) {
  KLIO_ASSIGN_OR_RETURN(const std::uint64_t seg_size, SegmentSize());
  const std::string wal_dir = archive_.paths().WalDir(name_);
  KLIO_ASSIGN_OR_RETURN(std::vector<env::DirEntry> entries, fs_.ListDir(wal_dir));
  // Fixed-width uppercase hex: name order is (timeline, log id) order. Newest first.
  std::reverse(entries.begin(), entries.end());
  for (const env::DirEntry& e : entries) {
    if (!e.is_dir || !IsSegmentDirName(e.name)) continue;
    if (timeline.has_value() && SegmentDirTimeline(e.name) != *timeline) continue;
    KLIO_ASSIGN_OR_RETURN(std::vector<env::DirEntry> files,
                          fs_.ListDir(env::JoinPath(wal_dir, e.name)));
    std::optional<WalFileName> newest;
    for (const env::DirEntry& f : files) {
      Result<WalFileName> name = ParseSegmentDirEntry(e.name, f.name, seg_size);
      if (f.is_dir || !name.ok()) continue;
      // The highest segment wins; for one segment the complete file beats its .partial.
      if (!newest.has_value() || name->segno > newest->segno ||
          (name->segno == newest->segno && name->kind == WalFileKind::kSegment)) {
        newest = *name;
      }
    }
    if (!newest.has_value()) continue;

    WalPosition pos;
    pos.timeline = newest->timeline;
    pos.segno = newest->segno;
    pos.partial = newest->kind == WalFileKind::kPartial;
    KLIO_ASSIGN_OR_RETURN(const Lsn start, SegmentStart(newest->segno, seg_size));
    if (!pos.partial) {
      pos.end = start + seg_size;
      return std::optional<WalPosition>(pos);
    }
    KLIO_ASSIGN_OR_RETURN(std::unique_ptr<SegmentReader> reader, OpenReader(*newest, seg_size));
    Bytes scratch;
    while (true) {
      scratch.clear();
      KLIO_ASSIGN_OR_RETURN(bool more, reader->ReadChunk(&scratch));
      if (!more) break;
    }
    pos.end = start + reader->position();
    return std::optional<WalPosition>(pos);
  }
  return std::optional<WalPosition>();
}

}  // namespace klio::wal
