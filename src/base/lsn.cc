#include "base/lsn.h"

#include <fmt/format.h>

#include "base/escape.h"
#include "base/hex.h"

namespace klio {
namespace {

constexpr size_t kMaxHalfDigits = 8;

Status LsnError(std::string_view text, std::string_view reason) {
  return Status::InvalidArgument("invalid lsn " + EscapeForMessage(text) + ": " +
                                 std::string(reason) + " (want HI/LO, 1 to 8 hex digits each)");
}

// Parses the hex digits at the front of `*rest` (one half of an LSN) and removes them.
// Returns the value, or the error for `text` (the whole input) naming `which` half.
Result<uint32_t> ParseHalf(std::string_view text, std::string_view* rest, std::string_view which) {
  uint32_t value = 0;
  size_t n = 0;
  while (n < rest->size() && HexDigitValue((*rest)[n]) >= 0) {
    if (n == kMaxHalfDigits) {
      return LsnError(text,
                      fmt::format("{} half has more than {} hex digits", which, kMaxHalfDigits));
    }
    value = (value << 4) | static_cast<uint32_t>(HexDigitValue((*rest)[n]));
    ++n;
  }
  if (n == 0) {
    if (rest->empty() || rest->front() == '/') {
      return LsnError(text, fmt::format("{} half is empty", which));
    }
    const char c = rest->front();
    if (c == '+' || c == '-') return LsnError(text, "sign not allowed");
    return LsnError(text, fmt::format("{} half starts with non-hex character {}", which,
                                      EscapeForMessage(rest->substr(0, 1))));
  }
  rest->remove_prefix(n);
  return value;
}

}  // namespace

Result<Lsn> Lsn::Parse(std::string_view text) {
  if (text.empty()) return LsnError(text, "empty");
  if (text.find('/') == std::string_view::npos) return LsnError(text, "missing '/'");
  std::string_view rest = text;
  KLIO_ASSIGN_OR_RETURN(const uint32_t hi, ParseHalf(text, &rest, "high"));
  if (rest.front() != '/') {
    return LsnError(text, fmt::format("unexpected character {} after the high half",
                                      EscapeForMessage(rest.substr(0, 1))));
  }
  rest.remove_prefix(1);
  KLIO_ASSIGN_OR_RETURN(const uint32_t lo, ParseHalf(text, &rest, "low"));
  if (!rest.empty()) {
    return LsnError(text, fmt::format("trailing characters {}", EscapeForMessage(rest)));
  }
  return FromParts(hi, lo);
}

std::string Lsn::ToString() const { return fmt::format("{:X}/{:X}", hi(), lo()); }

Result<Lsn> Lsn::CheckedAdd(uint64_t bytes) const {
  if (bytes > UINT64_MAX - value_) {
    return Status::InvalidArgument(fmt::format(
        "lsn {} + {} bytes is past the end of the wal address space", ToString(), bytes));
  }
  return Lsn(value_ + bytes);
}

}  // namespace klio
