// Lsn: a PostgreSQL write-ahead log position (XLogRecPtr), a byte offset into the WAL stream.
//
// Text form is PostgreSQL's: two hex numbers "HI/LO" for the high and low 32 bits, uppercase,
// without padding ("0/16B3748", "1A/FF000000"). 0/0 is InvalidXLogRecPtr and means "no
// position".
//
// Thread-safety: an immutable value type.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace klio {

class Lsn {
 public:
  static const Lsn kInvalid;  // 0/0
  static const Lsn kMax;      // FFFFFFFF/FFFFFFFF

  constexpr Lsn() = default;  // kInvalid
  constexpr explicit Lsn(uint64_t value) : value_(value) {}
  static constexpr Lsn FromParts(uint32_t hi, uint32_t lo) {
    return Lsn((uint64_t{hi} << 32) | lo);
  }

  // Parses "HI/LO": each half is 1 to 8 hex digits (either case, as PostgreSQL's pg_lsn input
  // accepts), nothing before, between or after. Returns InvalidArgument naming the input and
  // the reason (empty, missing slash, empty half, more than 8 digits, non-hex character, sign,
  // whitespace, trailing garbage). "0/0" parses to kInvalid; callers that need a real position
  // check valid().
  static Result<Lsn> Parse(std::string_view text);

  // "HI/LO" in uppercase hex without leading zeros ("0/0" for kInvalid). Parse(ToString())
  // returns the same Lsn.
  std::string ToString() const;

  constexpr uint64_t value() const { return value_; }
  constexpr uint32_t hi() const { return static_cast<uint32_t>(value_ >> 32); }
  constexpr uint32_t lo() const { return static_cast<uint32_t>(value_); }
  constexpr bool valid() const { return value_ != 0; }

  // This position advanced by `bytes`, or InvalidArgument when that passes kMax.
  Result<Lsn> CheckedAdd(uint64_t bytes) const;

  friend constexpr auto operator<=>(Lsn a, Lsn b) = default;

  // `lsn + bytes` saturates at kMax: it never wraps around to a small position. Where running
  // past the end must be reported rather than clamped, use CheckedAdd.
  friend constexpr Lsn operator+(Lsn lsn, uint64_t bytes) {
    return Lsn(bytes > UINT64_MAX - lsn.value_ ? UINT64_MAX : lsn.value_ + bytes);
  }
  constexpr Lsn& operator+=(uint64_t bytes) { return *this = *this + bytes; }

  // `a - b` is the number of WAL bytes from b up to a, and 0 when a <= b (never wraps).
  friend constexpr uint64_t operator-(Lsn a, Lsn b) {
    return a.value_ > b.value_ ? a.value_ - b.value_ : 0;
  }

 private:
  uint64_t value_ = 0;
};

inline constexpr Lsn Lsn::kInvalid = Lsn(0);
inline constexpr Lsn Lsn::kMax = Lsn(UINT64_MAX);

}  // namespace klio
