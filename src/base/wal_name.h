// PostgreSQL WAL segment arithmetic and WAL file names (PostgreSQL's xlog_internal.h).
//
// The WAL is cut into segments of a fixed, cluster-wide size (wal_segment_size: a power of two
// from 1 MiB to 1 GiB, 16 MiB by default). Segment number N holds the LSNs
// [N * size, (N + 1) * size). The files in pg_wal and in an archive are named:
//   segment   TTTTTTTTXXXXXXXXYYYYYYYY             000000010000000A000000FF
//   partial   TTTTTTTTXXXXXXXXYYYYYYYY.partial     (a segment cut short by a timeline switch)
//   history   TTTTTTTT.history                     00000002.history
//   backup    TTTTTTTTXXXXXXXXYYYYYYYY.OOOOOOOO.backup  (backup history file)
// with T the timeline, X = segno / segments-per-xlogid, Y = segno % segments-per-xlogid
// (segments-per-xlogid = 0x100000000 / size, so Y < 0x100 for 16 MiB) and O the backup's start
// offset within its segment, all uppercase hex.
//
// WalFileName::Parse is a security boundary: names arrive from the network and become paths.
// It accepts exactly the four forms above and nothing else (no lowercase, no '/', no "..", no
// NUL, no whitespace, no extra characters), so a name that parses is always a safe file name.
//
// Functions that take `seg_size` require IsValidWalSegmentSize(seg_size): validate sizes where
// they enter the process (ValidateWalSegmentSize). Passing an invalid size to anything but
// Parse is a programming error and aborts the process.
//
// Thread-safety: pure functions and immutable value types.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/lsn.h"
#include "base/result.h"
#include "base/status.h"
#include "base/timeline.h"

namespace klio {

inline constexpr uint64_t kMinWalSegmentSize = uint64_t{1} << 20;       // 1 MiB
inline constexpr uint64_t kMaxWalSegmentSize = uint64_t{1} << 30;       // 1 GiB
inline constexpr uint64_t kDefaultWalSegmentSize = uint64_t{16} << 20;  // 16 MiB

// True when `bytes` is a power of two from 1 MiB to 1 GiB (PostgreSQL's IsValidWalSegSize).
constexpr bool IsValidWalSegmentSize(uint64_t bytes) {
  return bytes >= kMinWalSegmentSize && bytes <= kMaxWalSegmentSize && (bytes & (bytes - 1)) == 0;
}

// OK for a valid size; otherwise InvalidArgument "invalid wal segment size N bytes: ...".
Status ValidateWalSegmentSize(uint64_t bytes);

// The index of a WAL segment (PostgreSQL's XLogSegNo) on any timeline.
class SegmentNumber {
 public:
  constexpr SegmentNumber() = default;
  constexpr explicit SegmentNumber(uint64_t value) : value_(value) {}

  constexpr uint64_t value() const { return value_; }
  // The following segment. Past MaxSegmentNumber() it names no real segment (see Validate).
  constexpr SegmentNumber Next() const { return SegmentNumber(value_ + 1); }
  // Decimal, for messages.
  std::string ToString() const { return std::to_string(value_); }

  friend constexpr auto operator<=>(SegmentNumber a, SegmentNumber b) = default;

 private:
  uint64_t value_ = 0;
};

// 0x100000000 / seg_size: how many segments share one XXXXXXXX ("log id") value in a name.
uint64_t WalSegmentsPerXLogId(uint64_t seg_size);
// The last segment number whose LSNs fit in 64 bits: 2^64 / seg_size - 1.
SegmentNumber MaxSegmentNumber(uint64_t seg_size);
// The segment that holds `lsn` (XLByteToSeg). A segment boundary belongs to the next segment.
SegmentNumber SegmentOf(Lsn lsn, uint64_t seg_size);
// `lsn`'s byte offset within its segment (XLogSegmentOffset).
uint64_t SegmentOffset(Lsn lsn, uint64_t seg_size);
// The first LSN of `segno` (XLogSegNoOffsetToRecPtr with offset 0). InvalidArgument when segno
// is past MaxSegmentNumber(seg_size), whose start would not fit in 64 bits.
Result<Lsn> SegmentStart(SegmentNumber segno, uint64_t seg_size);

enum class WalFileKind : uint8_t {
  kSegment,  // TTTTTTTTXXXXXXXXYYYYYYYY
  kPartial,  // TTTTTTTTXXXXXXXXYYYYYYYY.partial
  kHistory,  // TTTTTTTT.history
  kBackup,   // TTTTTTTTXXXXXXXXYYYYYYYY.OOOOOOOO.backup
};

// Returns "segment", "partial", "history" or "backup".
std::string_view WalFileKindName(WalFileKind kind);

// A parsed WAL file name. Fields not used by a kind are zero, so equal names compare equal.
struct WalFileName {
  WalFileKind kind = WalFileKind::kSegment;
  TimelineId timeline;
  SegmentNumber segno;         // 0 for kHistory
  uint32_t backup_offset = 0;  // kBackup only: start of the backup within segment `segno`

  static WalFileName Segment(TimelineId tli, SegmentNumber segno) {
    return {WalFileKind::kSegment, tli, segno, 0};
  }
  static WalFileName Partial(TimelineId tli, SegmentNumber segno) {
    return {WalFileKind::kPartial, tli, segno, 0};
  }
  static WalFileName History(TimelineId tli) {
    return {WalFileKind::kHistory, tli, SegmentNumber(0), 0};
  }
  static WalFileName Backup(TimelineId tli, SegmentNumber segno, uint32_t offset) {
    return {WalFileKind::kBackup, tli, segno, offset};
  }
  // The backup history file of a base backup that started at `start` (as PostgreSQL names it).
  static WalFileName BackupAt(TimelineId tli, Lsn start, uint64_t seg_size);

  // Parses a WAL file name for segments of `seg_size` bytes. Returns InvalidArgument naming the
  // input (escaped) and the reason for anything that is not exactly one of the four forms:
  // wrong length or suffix, a character that is not an uppercase hex digit, timeline 0, a
  // YYYYYYYY part not below WalSegmentsPerXLogId(seg_size), a backup offset not below
  // seg_size, or an invalid seg_size. An accepted name is canonical:
  // Parse(name)->ToString(seg_size) == name.
  static Result<WalFileName> Parse(std::string_view name, uint64_t seg_size);

  // OK when the fields describe a real file for `seg_size`: valid timeline and segment size,
  // segno <= MaxSegmentNumber, and backup_offset < seg_size for kBackup (0 otherwise); segno is
  // 0 for kHistory. Otherwise InvalidArgument saying which field is wrong.
  Status Validate(uint64_t seg_size) const;

  // The file name. Requires Validate(seg_size).ok(): call Validate first when the fields were
  // computed from untrusted input. An invalid name is a programming error and aborts the
  // process, because formatting it would name the wrong file.
  std::string ToString(uint64_t seg_size) const;

  friend bool operator==(const WalFileName& a, const WalFileName& b) = default;
};

}  // namespace klio
