#include "wal/archive_names.h"

#include "base/escape.h"
#include "base/hex.h"
#include "env/file_system.h"

namespace klio::wal {
namespace {

constexpr std::size_t kMaxClusterNameLen = 63;
constexpr std::size_t kSegmentDirNameLen = 16;

bool IsClusterChar(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return !first && (c == '_' || c == '-');
}

Status NameError(std::string_view name, std::string_view reason) {
  return Status::InvalidArgument("invalid cluster name " + EscapeForMessage(name) + ": " +
                                 std::string(reason));
}

}  // namespace

Result<ClusterName> ClusterName::Parse(std::string_view name) {
  if (name.empty()) return NameError(name, "empty");
  if (name.size() > kMaxClusterNameLen) {
    return NameError(name, "longer than 63 characters");
  }
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!IsClusterChar(name[i], i == 0)) {
      return NameError(name, i == 0 ? "must start with a lowercase letter or digit"
                                    : "character at offset " + std::to_string(i) +
                                          " is not one of a-z, 0-9, '_' or '-'");
    }
  }
  return ClusterName(std::string(name));
}

std::string ArchivePaths::ClusterDir(const ClusterName& cluster) const {
  return env::JoinPath(root_, cluster.str());
}

std::string ArchivePaths::MetadataPath(const ClusterName& cluster) const {
  return env::JoinPath(ClusterDir(cluster), kMetadataFileName);
}

std::string ArchivePaths::WalDir(const ClusterName& cluster) const {
  return env::JoinPath(ClusterDir(cluster), kWalDirName);
}

Result<std::string> ArchivePaths::SegmentDir(const ClusterName& cluster, TimelineId timeline,
                                             SegmentNumber segno, uint64_t seg_size) const {
  const WalFileName name = WalFileName::Segment(timeline, segno);
  KLIO_RETURN_IF_ERROR(name.Validate(seg_size));
  return env::JoinPath(WalDir(cluster), SegmentDirName(name, seg_size));
}

Result<std::string> ArchivePaths::FilePath(const ClusterName& cluster, const WalFileName& name,
                                           uint64_t seg_size) const {
  KLIO_RETURN_IF_ERROR(name.Validate(seg_size));
  const std::string file = name.ToString(seg_size);
  switch (name.kind) {
    case WalFileKind::kSegment:
    case WalFileKind::kPartial:
      return env::JoinPath(env::JoinPath(WalDir(cluster), SegmentDirName(name, seg_size)), file);
    case WalFileKind::kHistory:
    case WalFileKind::kBackup:
      return env::JoinPath(WalDir(cluster), file);
  }
  return Status::Internal("unknown wal file kind");
}

Result<std::string> FileIdentity(const WalFileName& name, uint64_t seg_size) {
  KLIO_RETURN_IF_ERROR(name.Validate(seg_size));
  if (name.kind == WalFileKind::kPartial) {
    return WalFileName::Segment(name.timeline, name.segno).ToString(seg_size);
  }
  return name.ToString(seg_size);
}

std::string SegmentDirName(const WalFileName& name, uint64_t seg_size) {
  return WalFileName::Segment(name.timeline, name.segno)
      .ToString(seg_size)
      .substr(0, kSegmentDirNameLen);
}

bool IsSegmentDirName(std::string_view name) {
  if (name.size() != kSegmentDirNameLen) return false;
  for (char c : name) {
    if (UpperHexDigitValue(c) < 0) return false;
  }
  return name.substr(0, 8) != "00000000";
}

TimelineId SegmentDirTimeline(std::string_view name) {
  return TimelineId::ParseHex(name.substr(0, 8)).value();
}

Result<WalFileName> ParseSegmentDirEntry(std::string_view dir, std::string_view file,
                                         uint64_t seg_size) {
  KLIO_ASSIGN_OR_RETURN(WalFileName name, WalFileName::Parse(file, seg_size));
  if (name.kind != WalFileKind::kSegment && name.kind != WalFileKind::kPartial) {
    return Status::InvalidArgument(EscapeForMessage(file) + " is a " +
                                   std::string(WalFileKindName(name.kind)) +
                                   " file inside a segment directory");
  }
  if (SegmentDirName(name, seg_size) != dir) {
    return Status::InvalidArgument(EscapeForMessage(file) + " does not belong in directory " +
                                   EscapeForMessage(dir));
  }
  return name;
}

Result<WalFileName> ParseWalDirEntry(std::string_view file, uint64_t seg_size) {
  KLIO_ASSIGN_OR_RETURN(WalFileName name, WalFileName::Parse(file, seg_size));
  if (name.kind != WalFileKind::kHistory && name.kind != WalFileKind::kBackup) {
    return Status::InvalidArgument(EscapeForMessage(file) + " is a " +
                                   std::string(WalFileKindName(name.kind)) +
                                   " file outside a segment directory");
  }
  return name;
}

}  // namespace klio::wal
