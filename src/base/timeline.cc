#include "base/timeline.h"

#include "base/escape.h"
#include "base/hex.h"

namespace klio {
namespace {

Status TimelineError(std::string_view text, std::string_view reason) {
  return Status::InvalidArgument("invalid timeline " + EscapeForMessage(text) + ": " +
                                 std::string(reason));
}

}  // namespace

Result<TimelineId> TimelineId::ParseHex(std::string_view text) {
  if (text.size() != 8) {
    return TimelineError(
        text, "want 8 uppercase hex digits, got " + std::to_string(text.size()) + " characters");
  }
  uint32_t value = 0;
  for (const char c : text) {
    const int digit = UpperHexDigitValue(c);
    if (digit < 0) return TimelineError(text, "want 8 uppercase hex digits");
    value = (value << 4) | static_cast<uint32_t>(digit);
  }
  if (value == 0) return TimelineError(text, "timeline 0 is invalid");
  return TimelineId(value);
}

Result<TimelineId> TimelineId::ParseDecimal(std::string_view text) {
  if (text.empty()) return TimelineError(text, "empty");
  uint64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return TimelineError(text, "want a decimal number");
    value = value * 10 + static_cast<uint64_t>(c - '0');
    // Checked per digit, so any number of leading zeros is fine and `value` never overflows.
    if (value > UINT32_MAX) return TimelineError(text, "larger than 4294967295");
  }
  if (value == 0) return TimelineError(text, "timeline 0 is invalid");
  return TimelineId(static_cast<uint32_t>(value));
}

std::string TimelineId::ToHex() const {
  std::string out;
  AppendUpperHex(value_, 8, &out);
  return out;
}

std::string TimelineId::ToString() const { return std::to_string(value_); }

}  // namespace klio
