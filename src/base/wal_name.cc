#include "base/wal_name.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "base/escape.h"
#include "base/hex.h"

namespace klio {
namespace {

constexpr uint64_t kXLogIdSpan = uint64_t{1} << 32;  // LSN bytes per XXXXXXXX value
constexpr size_t kHexPart = 8;                       // TTTTTTTT, XXXXXXXX, YYYYYYYY, OOOOOOOO
constexpr size_t kSegmentNameLen = 3 * kHexPart;     // 24
constexpr std::string_view kPartialSuffix = ".partial";
constexpr std::string_view kHistorySuffix = ".history";
constexpr std::string_view kBackupSuffix = ".backup";
constexpr size_t kPartialNameLen = kSegmentNameLen + kPartialSuffix.size();               // 32
constexpr size_t kHistoryNameLen = kHexPart + kHistorySuffix.size();                      // 16
constexpr size_t kBackupNameLen = kSegmentNameLen + 1 + kHexPart + kBackupSuffix.size();  // 40

// Callers are required to pass a valid size. Checking costs nothing next to the division it
// guards, and an invalid size would otherwise divide by zero or produce wrong names silently.
void RequireValidSegSize(uint64_t seg_size, const char* function) {
  if (IsValidWalSegmentSize(seg_size)) return;
  std::fprintf(stderr, "klio: %s called with invalid wal segment size %llu\n", function,
               static_cast<unsigned long long>(seg_size));
  std::abort();
}

// "16 MiB", "1 GiB": sizes are powers of two of at least 1 MiB.
std::string FormatSegSize(uint64_t seg_size) {
  if (seg_size >= (uint64_t{1} << 30) && seg_size % (uint64_t{1} << 30) == 0) {
    return fmt::format("{} GiB", seg_size >> 30);
  }
  if (seg_size % (uint64_t{1} << 20) == 0) return fmt::format("{} MiB", seg_size >> 20);
  return fmt::format("{} bytes", seg_size);
}

Status NameError(std::string_view name, std::string_view reason) {
  return Status::InvalidArgument("invalid wal file name " + EscapeForMessage(name) + ": " +
                                 std::string(reason));
}

// Decodes the 8 uppercase hex digits of `name` starting at `pos`, or returns the error naming
// the first bad character.
Result<uint32_t> HexPart(std::string_view name, size_t pos) {
  uint32_t value = 0;
  for (size_t i = pos; i < pos + kHexPart; ++i) {
    const int digit = UpperHexDigitValue(name[i]);
    if (digit < 0) {
      return NameError(name, fmt::format("character {} at offset {} is not an uppercase hex digit",
                                         EscapeForMessage(name.substr(i, 1)), i));
    }
    value = (value << 4) | static_cast<uint32_t>(digit);
  }
  return value;
}

Result<TimelineId> TimelinePart(std::string_view name) {
  KLIO_ASSIGN_OR_RETURN(const uint32_t tli, HexPart(name, 0));
  if (tli == 0) return NameError(name, "timeline 0 is invalid");
  return TimelineId(tli);
}

// Decodes XXXXXXXXYYYYYYYY at offset 8 into a segment number for `seg_size`.
Result<SegmentNumber> SegnoPart(std::string_view name, uint64_t seg_size) {
  KLIO_ASSIGN_OR_RETURN(const uint32_t log, HexPart(name, kHexPart));
  KLIO_ASSIGN_OR_RETURN(const uint32_t seg, HexPart(name, 2 * kHexPart));
  const uint64_t per_log = WalSegmentsPerXLogId(seg_size);
  if (seg >= per_log) {
    return NameError(name, fmt::format("segment part {:08X} is out of range for {} segments "
                                       "(must be below {:08X})",
                                       seg, FormatSegSize(seg_size), per_log));
  }
  // log < 2^32 and seg < per_log, so this is at most 2^64 / seg_size - 1: no overflow.
  return SegmentNumber(uint64_t{log} * per_log + seg);
}

bool HasSuffix(std::string_view name, std::string_view suffix) {
  return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
}

}  // namespace

Status ValidateWalSegmentSize(uint64_t bytes) {
  if (IsValidWalSegmentSize(bytes)) return Status::Ok();
  return Status::InvalidArgument(fmt::format(
      "invalid wal segment size {} bytes: must be a power of two from 1 MiB to 1 GiB", bytes));
}

uint64_t WalSegmentsPerXLogId(uint64_t seg_size) {
  RequireValidSegSize(seg_size, "WalSegmentsPerXLogId");
  return kXLogIdSpan / seg_size;
}

SegmentNumber MaxSegmentNumber(uint64_t seg_size) {
  RequireValidSegSize(seg_size, "MaxSegmentNumber");
  return SegmentNumber(UINT64_MAX / seg_size);
}

SegmentNumber SegmentOf(Lsn lsn, uint64_t seg_size) {
  RequireValidSegSize(seg_size, "SegmentOf");
  return SegmentNumber(lsn.value() / seg_size);
}

uint64_t SegmentOffset(Lsn lsn, uint64_t seg_size) {
  RequireValidSegSize(seg_size, "SegmentOffset");
  return lsn.value() % seg_size;
}

Result<Lsn> SegmentStart(SegmentNumber segno, uint64_t seg_size) {
  if (segno > MaxSegmentNumber(seg_size)) {
    return Status::InvalidArgument(
        fmt::format("segment number {} is past the last segment ({}) for {} segments",
                    segno.value(), MaxSegmentNumber(seg_size).value(), FormatSegSize(seg_size)));
  }
  return Lsn(segno.value() * seg_size);
}

std::string_view WalFileKindName(WalFileKind kind) {
  switch (kind) {
    case WalFileKind::kSegment:
      return "segment";
    case WalFileKind::kPartial:
      return "partial";
    case WalFileKind::kHistory:
      return "history";
    case WalFileKind::kBackup:
      return "backup";
  }
  return "unknown";
}

WalFileName WalFileName::BackupAt(TimelineId tli, Lsn start, uint64_t seg_size) {
  // The offset is below seg_size <= 1 GiB, so it fits in 32 bits.
  return Backup(tli, SegmentOf(start, seg_size),
                static_cast<uint32_t>(SegmentOffset(start, seg_size)));
}

Result<WalFileName> WalFileName::Parse(std::string_view name, uint64_t seg_size) {
  if (!IsValidWalSegmentSize(seg_size)) {
    return NameError(name, ValidateWalSegmentSize(seg_size).message());
  }
  // Dispatch on the exact length first: every form has a fixed length, so anything else
  // (including huge inputs) is rejected before looking at its bytes.
  WalFileName out;
  switch (name.size()) {
    case kSegmentNameLen:
      out.kind = WalFileKind::kSegment;
      break;
    case kPartialNameLen:
      if (!HasSuffix(name, kPartialSuffix)) return NameError(name, "unknown suffix");
      out.kind = WalFileKind::kPartial;
      break;
    case kHistoryNameLen:
      if (!HasSuffix(name, kHistorySuffix)) return NameError(name, "unknown suffix");
      out.kind = WalFileKind::kHistory;
      break;
    case kBackupNameLen:
      if (name[kSegmentNameLen] != '.' || !HasSuffix(name, kBackupSuffix)) {
        return NameError(name, "unknown suffix");
      }
      out.kind = WalFileKind::kBackup;
      break;
    default:
      return NameError(name, fmt::format("length {} matches no wal segment, partial, history or "
                                         "backup file name",
                                         name.size()));
  }
  KLIO_ASSIGN_OR_RETURN(out.timeline, TimelinePart(name));
  if (out.kind == WalFileKind::kHistory) return out;
  KLIO_ASSIGN_OR_RETURN(out.segno, SegnoPart(name, seg_size));
  if (out.kind == WalFileKind::kBackup) {
    KLIO_ASSIGN_OR_RETURN(out.backup_offset, HexPart(name, kSegmentNameLen + 1));
    if (out.backup_offset >= seg_size) {
      return NameError(name, fmt::format("backup offset {:08X} is beyond a {} segment",
                                         out.backup_offset, FormatSegSize(seg_size)));
    }
  }
  return out;
}

Status WalFileName::Validate(uint64_t seg_size) const {
  KLIO_RETURN_IF_ERROR(ValidateWalSegmentSize(seg_size));
  // Built only on failure: ToString validates on every call.
  const auto error = [this](std::string_view reason) {
    return Status::InvalidArgument(
        fmt::format("wal {} file name: {}", WalFileKindName(kind), reason));
  };
  if (!timeline.valid()) return error("timeline 0 is invalid");
  switch (kind) {
    case WalFileKind::kHistory:
      if (segno.value() != 0 || backup_offset != 0) {
        return error("segment number and backup offset must be 0");
      }
      return Status::Ok();
    case WalFileKind::kSegment:
    case WalFileKind::kPartial:
    case WalFileKind::kBackup:
      break;
    default:
      return Status::InvalidArgument(
          fmt::format("wal file name: unknown kind {}", static_cast<unsigned>(kind)));
  }
  if (segno > MaxSegmentNumber(seg_size)) {
    return error(fmt::format("segment number {} is past the last segment ({}) for {} segments",
                             segno.value(), MaxSegmentNumber(seg_size).value(),
                             FormatSegSize(seg_size)));
  }
  if (kind == WalFileKind::kBackup) {
    if (backup_offset >= seg_size) {
      return error(fmt::format("backup offset {} is beyond a {} segment", backup_offset,
                               FormatSegSize(seg_size)));
    }
  } else if (backup_offset != 0) {
    return error("backup offset must be 0");
  }
  return Status::Ok();
}

std::string WalFileName::ToString(uint64_t seg_size) const {
  if (const Status s = Validate(seg_size); !s.ok()) {
    std::fprintf(stderr, "klio: WalFileName::ToString on an invalid name: %s\n",
                 s.ToString().c_str());
    std::abort();
  }
  std::string out;
  out.reserve(kBackupNameLen);
  AppendUpperHex(timeline.value(), kHexPart, &out);
  if (kind == WalFileKind::kHistory) {
    out += kHistorySuffix;
    return out;
  }
  const uint64_t per_log = WalSegmentsPerXLogId(seg_size);
  AppendUpperHex(segno.value() / per_log, kHexPart, &out);
  AppendUpperHex(segno.value() % per_log, kHexPart, &out);
  if (kind == WalFileKind::kPartial) {
    out += kPartialSuffix;
  } else if (kind == WalFileKind::kBackup) {
    out += '.';
    AppendUpperHex(backup_offset, kHexPart, &out);
    out += kBackupSuffix;
  }
  return out;
}

}  // namespace klio
