#include "pg/replication_values.h"

#include <charconv>
#include <string>

#include "base/escape.h"
#include "base/wal_name.h"

namespace klio::pg {
namespace {

// Strict unsigned decimal: digits only, no sign or space, fits 64 bits.
bool ParseDecimal(std::string_view text, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Status ValidateSlotName(std::string_view name) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("replication slot name " + EscapeForMessage(name) + ": " +
                                   std::string(why));
  };
  if (name.empty()) return bad("empty");
  if (name.size() > kMaxSlotNameLength) {
    return bad("longer than " + std::to_string(kMaxSlotNameLength) + " characters");
  }
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return bad("only lowercase letters, digits and underscores are allowed");
    }
  }
  return Status::Ok();
}

Result<uint64_t> ParseWalSegmentSize(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument("wal_segment_size " + EscapeForMessage(text) + ": " +
                                   std::string(why));
  };
  size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) return bad("expected a number of bytes with an optional unit");
  uint64_t number = 0;
  if (!ParseDecimal(text.substr(0, digits), &number)) return bad("number too large");
  const std::string_view unit = text.substr(digits);
  int shift;
  if (unit.empty() || unit == "B") {
    shift = 0;
  } else if (unit == "kB" || unit == "KB") {
    shift = 10;
  } else if (unit == "MB") {
    shift = 20;
  } else if (unit == "GB") {
    shift = 30;
  } else if (unit == "TB") {
    shift = 40;
  } else {
    return bad("unknown unit (expected B, kB, MB, GB or TB)");
  }
  if (number > (UINT64_MAX >> shift)) return bad("number too large");
  const uint64_t bytes = number << shift;
  if (!IsValidWalSegmentSize(bytes)) {
    return bad(std::to_string(bytes) +
               " bytes is not a valid segment size (a power of two from 1MB to 1GB)");
  }
  return bytes;
}

Result<uint64_t> ParseSystemId(std::string_view text) {
  uint64_t id = 0;
  if (!ParseDecimal(text, &id)) {
    return Status::InvalidArgument("system identifier " + EscapeForMessage(text) +
                                   ": expected an unsigned 64-bit decimal number");
  }
  return id;
}

}  // namespace klio::pg
