// TimelineId: a PostgreSQL timeline (TimeLineID), the history branch a WAL position belongs to.
//
// Valid timelines are 1..0xFFFFFFFF; 0 is never used by PostgreSQL and means "no timeline".
// Two text forms: 8 uppercase hex digits as in WAL file names ("0000001A"), and decimal as in
// recovery_target_timeline and IDENTIFY_SYSTEM ("26").
//
// Thread-safety: an immutable value type.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace klio {

class TimelineId {
 public:
  static const TimelineId kInvalid;  // 0

  constexpr TimelineId() = default;  // kInvalid
  constexpr explicit TimelineId(uint32_t value) : value_(value) {}

  // Parses exactly 8 uppercase hex digits, not all zero ("00000001"). Returns InvalidArgument
  // naming the input otherwise (wrong length, lowercase, non-hex, timeline 0).
  static Result<TimelineId> ParseHex(std::string_view text);

  // Parses a decimal number 1..4294967295: digits only (leading zeros allowed), no sign, no
  // whitespace. Returns InvalidArgument naming the input otherwise (empty, non-digit, 0, too
  // large).
  static Result<TimelineId> ParseDecimal(std::string_view text);

  // 8 uppercase hex digits ("0000001A"); ParseHex(ToHex()) round-trips for valid ids.
  std::string ToHex() const;
  // Decimal ("26"); ParseDecimal(ToString()) round-trips for valid ids.
  std::string ToString() const;

  constexpr uint32_t value() const { return value_; }
  constexpr bool valid() const { return value_ != 0; }

  friend constexpr auto operator<=>(TimelineId a, TimelineId b) = default;

 private:
  uint32_t value_ = 0;
};

inline constexpr TimelineId TimelineId::kInvalid = TimelineId(0);

}  // namespace klio
