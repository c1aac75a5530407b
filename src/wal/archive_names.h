// Archive names: the only place that builds and parses paths in the Tier 1 WAL archive
// (docs/design/wal-archive.md §1), LevelDB's db/filename.h in spirit.
//
//   <root>/<cluster>/cluster.json
//   <root>/<cluster>/wal/TTTTTTTT.history, <root>/<cluster>/wal/<segment>.OOOOOOOO.backup
//   <root>/<cluster>/wal/<TTTTTTTTXXXXXXXX>/<segment>[.partial]
//
// Every path is assembled from a ClusterName (validated on construction) and a WalFileName
// (validated before formatting), never from unvalidated text, so a name received from the
// network cannot escape its cluster directory.
//
// Thread-safety: pure functions and immutable values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "base/wal_name.h"

namespace klio::wal {

// A cluster name that passed validation: ^[a-z0-9][a-z0-9_-]{0,62}$ (so never "." or "..",
// never a '/').
class ClusterName {
 public:
  // Returns the name, or InvalidArgument naming the (escaped) input and the rule it breaks.
  static Result<ClusterName> Parse(std::string_view name);

  const std::string& str() const { return name_; }
  friend bool operator==(const ClusterName&, const ClusterName&) = default;
  friend auto operator<=>(const ClusterName&, const ClusterName&) = default;

 private:
  explicit ClusterName(std::string name) : name_(std::move(name)) {}
  std::string name_;
};

inline constexpr std::string_view kMetadataFileName = "cluster.json";
inline constexpr std::string_view kWalDirName = "wal";

// The paths of one archive root. `root` is trusted configuration (tier1.wal.path).
class ArchivePaths {
 public:
  explicit ArchivePaths(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  // <root>/<cluster>
  std::string ClusterDir(const ClusterName& cluster) const;
  // <root>/<cluster>/cluster.json
  std::string MetadataPath(const ClusterName& cluster) const;
  // <root>/<cluster>/wal
  std::string WalDir(const ClusterName& cluster) const;
  // <root>/<cluster>/wal/<TTTTTTTTXXXXXXXX>: the directory of a segment and its .partial.
  // InvalidArgument when (timeline, segno) is not a valid segment for seg_size.
  Result<std::string> SegmentDir(const ClusterName& cluster, TimelineId timeline,
                                 SegmentNumber segno, uint64_t seg_size) const;
  // The path of any archived WAL file: segments and partials in their segment directory,
  // history and backup files directly in wal/. InvalidArgument when `name` does not validate.
  Result<std::string> FilePath(const ClusterName& cluster, const WalFileName& name,
                               uint64_t seg_size) const;

 private:
  std::string root_;
};

// The identity a file's frames are bound to (design doc §3, in the AAD): the segment name for
// a segment or its .partial (so completing a segment by renaming keeps it valid), the file name
// for history and backup files. InvalidArgument when `name` does not validate.
Result<std::string> FileIdentity(const WalFileName& name, uint64_t seg_size);

// The 16-character directory name of a segment: timeline and log id ("0000000100000000").
// Requires name to be a valid segment or partial (as WalFileName::ToString).
std::string SegmentDirName(const WalFileName& name, uint64_t seg_size);

// True when `name` is a segment directory name: 16 uppercase hex digits, timeline not 0.
bool IsSegmentDirName(std::string_view name);

// The timeline of a segment directory name; requires IsSegmentDirName(name).
TimelineId SegmentDirTimeline(std::string_view name);

// Parses an entry found in the segment directory `dir`: a segment or partial whose name starts
// with `dir`. InvalidArgument for anything else (another kind, or a file in the wrong
// directory).
Result<WalFileName> ParseSegmentDirEntry(std::string_view dir, std::string_view file,
                                         uint64_t seg_size);

// Parses an entry found directly in wal/: a history or backup file. InvalidArgument otherwise.
Result<WalFileName> ParseWalDirEntry(std::string_view file, uint64_t seg_size);

}  // namespace klio::wal
