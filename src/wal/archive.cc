#include "wal/archive.h"

#include <utility>

#include "env/atomic_write.h"

namespace klio::wal {
namespace {

constexpr unsigned kDirPermissions = 0750;
constexpr unsigned kFilePermissions = 0600;

// Runs a function on scope exit unless dismissed.
template <typename F>
class ScopeExit {
 public:
  explicit ScopeExit(F f) : f_(std::move(f)) {}
  ~ScopeExit() {
    if (armed_) f_();
  }
  void Dismiss() { armed_ = false; }

 private:
  F f_;
  bool armed_ = true;
};

// Creates `dir` (0750) and fsyncs `parent`, so the new entry survives a crash. Repeating it is
// harmless, which keeps a retry after a failed SyncDir correct.
Status CreateDurableDir(env::FileSystem& fs, const std::string& dir, const std::string& parent) {
  KLIO_RETURN_IF_ERROR(fs.CreateDirs(dir));
  KLIO_RETURN_IF_ERROR(fs.SetPermissions(dir, kDirPermissions));
  return fs.SyncDir(parent);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// WalArchive

WalArchive::WalArchive(WalArchiveOptions options)
    : options_(std::move(options)),
      fs_(options_.fs != nullptr ? options_.fs : &env::DefaultFileSystem()),
      paths_(options_.root) {}

Result<std::unique_ptr<ClusterArchive>> WalArchive::OpenCluster(std::string_view cluster) {
  KLIO_ASSIGN_OR_RETURN(ClusterName name, ClusterName::Parse(cluster));
  const std::string path = paths_.MetadataPath(name);
  std::optional<ClusterMetadata> metadata;
  Result<std::string> json = fs_->ReadFile(path);
  if (json.ok()) {
    KLIO_ASSIGN_OR_RETURN(metadata, DecodeClusterMetadata(*json, path));
    if (metadata->cluster != name.str()) {
      return Status::Corruption(path + ": names cluster " + metadata->cluster);
    }
  } else if (!json.status().IsNotFound()) {
    return json.status();
  }
  return std::unique_ptr<ClusterArchive>(
      new ClusterArchive(*this, std::move(name), std::move(metadata)));
}

Result<std::vector<ClusterName>> WalArchive::ListClusters() {
  KLIO_ASSIGN_OR_RETURN(std::vector<env::DirEntry> entries, fs_->ListDir(paths_.root()));
  std::vector<ClusterName> out;
  for (const env::DirEntry& e : entries) {
    if (!e.is_dir) continue;
    Result<ClusterName> name = ClusterName::Parse(e.name);
    if (name.ok()) out.push_back(*std::move(name));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// OpenSegment

OpenSegment::~OpenSegment() {
  writer_.reset();  // closes without a sync when Close() was not called
  if (archive_ != nullptr) archive_->Release(timeline_, segno_);
}

// ---------------------------------------------------------------------------------------------
// ClusterArchive: metadata

ClusterArchive::ClusterArchive(WalArchive& archive, ClusterName name,
                               std::optional<ClusterMetadata> metadata)
    : archive_(archive),
      fs_(archive.fs()),
      name_(std::move(name)),
      metadata_(std::move(metadata)) {}

std::optional<ClusterMetadata> ClusterArchive::metadata() const {
  std::lock_guard lock(mu_);
  return metadata_;
}

Result<std::uint64_t> ClusterArchive::SegmentSize() const {
  std::lock_guard lock(mu_);
  if (!metadata_.has_value()) {
    return Status::FailedPrecondition("cluster " + name_.str() + ": no cluster metadata yet");
  }
  return metadata_->segment_size;
}

Status ClusterArchive::CreateMetadata(const ClusterMetadata& metadata) {
  KLIO_RETURN_IF_ERROR(ValidateClusterMetadata(metadata));
  if (metadata.cluster != name_.str()) {
    return Status::InvalidArgument("cluster " + name_.str() + ": metadata names cluster " +
                                   metadata.cluster);
  }
  std::lock_guard lock(mu_);
  const ArchivePaths& paths = archive_.paths();
  const std::string path = paths.MetadataPath(name_);
  Status exists = fs_.Exists(path);
  if (metadata_.has_value() || exists.ok()) {
    return Status::AlreadyExists("cluster " + name_.str() + ": metadata already exists");
  }
  if (!exists.IsNotFound()) return exists;
  KLIO_RETURN_IF_ERROR(CreateDurableDir(fs_, paths.ClusterDir(name_), paths.root()));
  KLIO_RETURN_IF_ERROR(CreateDurableDir(fs_, paths.WalDir(name_), paths.ClusterDir(name_)));
  KLIO_RETURN_IF_ERROR(env::WriteFileAtomically(fs_, path, EncodeClusterMetadata(metadata),
                                                {.permissions = kFilePermissions}));
  metadata_ = metadata;
  return Status::Ok();
}

Status ClusterArchive::UpdateMetadata(const ClusterMetadata& metadata) {
  KLIO_RETURN_IF_ERROR(ValidateClusterMetadata(metadata));
  std::lock_guard lock(mu_);
  if (!metadata_.has_value()) {
    return Status::FailedPrecondition("cluster " + name_.str() + ": no cluster metadata yet");
  }
  if (metadata.cluster != name_.str() || metadata.system_id != metadata_->system_id ||
      metadata.segment_size != metadata_->segment_size) {
    return Status::FailedPrecondition("cluster " + name_.str() +
                                      ": cluster name, system id and segment size are fixed");
  }
  KLIO_RETURN_IF_ERROR(env::WriteFileAtomically(fs_, archive_.paths().MetadataPath(name_),
                                                EncodeClusterMetadata(metadata),
                                                {.permissions = kFilePermissions}));
  metadata_ = metadata;
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// ClusterArchive: appending

Result<std::unique_ptr<OpenSegment>> ClusterArchive::OpenSegmentForAppend(TimelineId timeline,
                                                                          SegmentNumber segno) {
  KLIO_ASSIGN_OR_RETURN(const std::uint64_t seg_size, SegmentSize());
  const WalFileName segment = WalFileName::Segment(timeline, segno);
  KLIO_RETURN_IF_ERROR(segment.Validate(seg_size));
  const std::string display = "cluster " + name_.str() + ": " + segment.ToString(seg_size);
  {
    std::lock_guard lock(mu_);
    if (recovering_) return Status::FailedPrecondition(display + ": recovery is running");
    if (!writers_.emplace(timeline.value(), segno.value()).second) {
      return Status::FailedPrecondition(display + ": already open for append");
    }
  }
  ScopeExit release([&] { Release(timeline, segno); });

  const ArchivePaths& paths = archive_.paths();
  std::unique_ptr<OpenSegment> seg(new OpenSegment());
  seg->timeline_ = timeline;
  seg->segno_ = segno;
  KLIO_ASSIGN_OR_RETURN(seg->start_, SegmentStart(segno, seg_size));
  KLIO_ASSIGN_OR_RETURN(seg->final_path_, paths.FilePath(name_, segment, seg_size));
  KLIO_ASSIGN_OR_RETURN(seg->partial_path_,
                        paths.FilePath(name_, WalFileName::Partial(timeline, segno), seg_size));
  KLIO_ASSIGN_OR_RETURN(std::string file_id, FileIdentity(segment, seg_size));

  Status final_exists = fs_.Exists(seg->final_path_);
  if (final_exists.ok()) return Status::AlreadyExists(display + ": segment is already complete");
  if (!final_exists.IsNotFound()) return final_exists;
  Status partial_exists = fs_.Exists(seg->partial_path_);
  const auto seg_size32 = static_cast<std::uint32_t>(seg_size);
  if (partial_exists.ok()) {
    KLIO_ASSIGN_OR_RETURN(seg->writer_, SegmentWriter::OpenForAppend(
                                            fs_, seg->partial_path_, std::move(file_id), seg_size32,
                                            archive_.codec_options(), &seg->repair_));
  } else if (partial_exists.IsNotFound()) {
    KLIO_ASSIGN_OR_RETURN(std::string dir, paths.SegmentDir(name_, timeline, segno, seg_size));
    KLIO_RETURN_IF_ERROR(CreateDurableDir(fs_, dir, paths.WalDir(name_)));
    KLIO_ASSIGN_OR_RETURN(
        seg->writer_, SegmentWriter::Create(fs_, seg->partial_path_, std::move(file_id), seg_size32,
                                            archive_.codec_options()));
  } else {
    return partial_exists;
  }
  release.Dismiss();
  seg->archive_ = this;
  return seg;
}

void ClusterArchive::Release(TimelineId timeline, SegmentNumber segno) {
  std::lock_guard lock(mu_);
  writers_.erase({timeline.value(), segno.value()});
}

Status ClusterArchive::CompleteSegment(OpenSegment& seg) {
  const std::string dir = env::ParentDir(seg.final_path_);
  if (seg.completed_) return fs_.SyncDir(dir);
  SegmentWriter& w = *seg.writer_;
  if (!w.full()) {
    return Status::FailedPrecondition(seg.partial_path_ + ": holds " +
                                      std::to_string(w.logical_size()) + " of " +
                                      std::to_string(w.segment_size()) + " bytes; not complete");
  }
  KLIO_RETURN_IF_ERROR(w.Close());
  KLIO_RETURN_IF_ERROR(fs_.Rename(seg.partial_path_, seg.final_path_));
  seg.completed_ = true;
  return fs_.SyncDir(dir);
}

// ---------------------------------------------------------------------------------------------
// ClusterArchive: small files and reading

Result<std::unique_ptr<SegmentReader>> ClusterArchive::OpenReader(const WalFileName& name,
                                                                  std::uint64_t seg_size) {
  KLIO_ASSIGN_OR_RETURN(std::string path, archive_.paths().FilePath(name_, name, seg_size));
  KLIO_ASSIGN_OR_RETURN(std::string file_id, FileIdentity(name, seg_size));
  ReaderOptions options;
  switch (name.kind) {
    case WalFileKind::kSegment:
      options.require_complete = true;
      options.expected_segment_size = static_cast<std::uint32_t>(seg_size);
      break;
    case WalFileKind::kPartial:
      options.allow_incomplete_tail = true;
      options.expected_segment_size = static_cast<std::uint32_t>(seg_size);
      break;
    case WalFileKind::kHistory:
    case WalFileKind::kBackup:
      options.expected_segment_size = 0;
      break;
  }
  auto reader =
      SegmentReader::Open(fs_, path, std::move(file_id), archive_.codec_options().key, options);
  if (!reader.ok() && reader.status().IsNotFound()) {
    return Status::NotFound("cluster " + name_.str() + ": " + name.ToString(seg_size) +
                            " is not in the archive");
  }
  return reader;
}

Result<std::unique_ptr<SegmentReader>> ClusterArchive::OpenForRead(std::string_view name,
                                                                   bool allow_partial,
                                                                   ArchiveFile* file) {
  KLIO_ASSIGN_OR_RETURN(const std::uint64_t seg_size, SegmentSize());
  KLIO_ASSIGN_OR_RETURN(WalFileName parsed, WalFileName::Parse(name, seg_size));
  auto reader = OpenReader(parsed, seg_size);
  if (!reader.ok() && reader.status().IsNotFound() && allow_partial &&
      parsed.kind == WalFileKind::kSegment) {
    parsed.kind = WalFileKind::kPartial;
    reader = OpenReader(parsed, seg_size);
  }
  if (!reader.ok()) return reader.status();
  file->name = parsed.ToString(seg_size);
  file->partial = parsed.kind == WalFileKind::kPartial;
  file->data.clear();
  return reader;
}

Result<ArchiveFile> ClusterArchive::Get(std::string_view name, bool allow_partial) {
  ArchiveFile file;
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<SegmentReader> reader,
                        OpenForRead(name, allow_partial, &file));
  KLIO_ASSIGN_OR_RETURN(file.data, reader->ReadAll());
  return file;
}

Status ClusterArchive::PutSmallFile(std::string_view name, ByteView content) {
  KLIO_ASSIGN_OR_RETURN(const std::uint64_t seg_size, SegmentSize());
  KLIO_ASSIGN_OR_RETURN(WalFileName parsed, WalFileName::Parse(name, seg_size));
  if (parsed.kind != WalFileKind::kHistory && parsed.kind != WalFileKind::kBackup) {
    return Status::InvalidArgument("cluster " + name_.str() + ": " + std::string(name) +
                                   " is not a history or backup file");
  }
  KLIO_ASSIGN_OR_RETURN(std::string path, archive_.paths().FilePath(name_, parsed, seg_size));
  KLIO_ASSIGN_OR_RETURN(std::string file_id, FileIdentity(parsed, seg_size));

  // History and backup files never change: a resend is fine, a different content is not.
  auto existing = OpenReader(parsed, seg_size);
  if (existing.ok()) {
    KLIO_ASSIGN_OR_RETURN(Bytes old, (*existing)->ReadAll());
    if (old.size() == content.size() && std::equal(old.begin(), old.end(), content.begin())) {
      return Status::Ok();
    }
    return Status::AlreadyExists("cluster " + name_.str() + ": " + std::string(name) +
                                 " already exists with different content");
  }
  if (!existing.status().IsNotFound()) return existing.status();
  KLIO_ASSIGN_OR_RETURN(Bytes encoded,
                        EncodeWholeFile(std::move(file_id), content, archive_.codec_options()));
  return env::WriteFileAtomically(fs_, path, ByteView(encoded), {.permissions = kFilePermissions});
}

}  // namespace klio::wal
