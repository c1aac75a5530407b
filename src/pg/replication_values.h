// Parsing and validation of the values klio exchanges with PostgreSQL's replication commands:
// slot names, the `SHOW wal_segment_size` answer, and the decimal system identifier.
//
// These are the places where text from the server or from configuration becomes a typed
// value; everything else in src/pg uses the typed value (docs/design/pg-replication.md §5).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace klio::pg {

inline constexpr size_t kMaxSlotNameLength = 63;  // PostgreSQL's NAMEDATALEN - 1

// OK when `name` matches ^[a-z0-9_]{1,63}$ (what PostgreSQL accepts for a slot name, and safe
// to splice into a replication command without quoting). Otherwise InvalidArgument naming the
// (escaped) input and the reason.
Status ValidateSlotName(std::string_view name);

// Parses PostgreSQL's display of wal_segment_size: a decimal number with an optional unit
// "B", "kB", "MB", "GB" or "TB" (powers of 1024; "KB" is accepted too), e.g. "16MB", "1GB",
// "1024kB", "16777216". Returns the size in bytes, which must also pass
// IsValidWalSegmentSize. InvalidArgument naming the input otherwise (empty, no digits,
// unknown unit, overflow, not a valid segment size).
Result<uint64_t> ParseWalSegmentSize(std::string_view text);

// Parses IDENTIFY_SYSTEM's `systemid`: 1 to 20 decimal digits whose value fits 64 bits.
// InvalidArgument naming the input otherwise.
Result<uint64_t> ParseSystemId(std::string_view text);

}  // namespace klio::pg
