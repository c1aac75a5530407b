// Cluster metadata: the content of <root>/<cluster>/cluster.json in the Tier 1 WAL archive
// (docs/design/wal-archive.md §1) and its JSON encoding.
//
//   {"format":1,"cluster":"a","system_id":"7391...","segment_size":16777216,
//    "created":"2024-05-01T12:00:00Z","gaps":[{"start":"0/3000000","end":"0/9000000",
//    "time":"..."}]}
// The system id is a decimal string (a 64-bit integer does not survive every JSON reader).
// Times are opaque RFC 3339 strings supplied by the caller (the archive has no clock).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/lsn.h"
#include "base/result.h"

namespace klio::wal {

inline constexpr int kClusterMetadataFormat = 1;

// WAL known to be missing from the archive, recorded by a reset (wal-protocol.md §4).
struct WalGap {
  Lsn start;
  Lsn end;
  std::string time;

  friend bool operator==(const WalGap&, const WalGap&) = default;
};

struct ClusterMetadata {
  std::string cluster;             // the cluster name (must match its directory)
  std::uint64_t system_id = 0;     // PostgreSQL's IDENTIFY_SYSTEM systemid, not 0
  std::uint64_t segment_size = 0;  // wal_segment_size in bytes
  std::string created;             // RFC 3339, when the archive was created
  std::vector<WalGap> gaps;

  friend bool operator==(const ClusterMetadata&, const ClusterMetadata&) = default;
};

// OK when the fields are usable: valid cluster name, system id not 0, valid segment size, each
// gap with start < end. InvalidArgument naming the field otherwise.
Status ValidateClusterMetadata(const ClusterMetadata& metadata);

// The JSON text (one line, ending in a newline). Requires ValidateClusterMetadata to pass.
std::string EncodeClusterMetadata(const ClusterMetadata& metadata);

// Parses JSON text; Corruption "<what>: <reason>" for malformed JSON, a missing or mistyped
// field, an unknown format, or values that do not validate.
Result<ClusterMetadata> DecodeClusterMetadata(std::string_view json, std::string_view what);

}  // namespace klio::wal
