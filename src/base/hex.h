// Hexadecimal encoding of byte strings, and the small digit helpers that klio's text formats
// (LSNs, timeline ids, WAL file names) are built from.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"

namespace klio {

// Returns `data` as lowercase hex, two digits per byte ("" for no bytes). Never fails.
std::string HexEncode(ByteView data);

// Decodes hex text in either case ("0aFF" -> {0x0a, 0xff}). Returns InvalidArgument on an odd
// length or a character that is not a hex digit; the message gives its offset. The input is
// never echoed (it may be key material), only the offending character, which is not a digit.
Result<Bytes> HexDecode(std::string_view text);

// The value of one hex digit in either case, or -1 for any other character.
constexpr int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The value of one uppercase hex digit ('0'-'9', 'A'-'F'), or -1 for any other character,
// lowercase included. WAL file names and timeline ids are uppercase only.
constexpr int UpperHexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the low `digits` nibbles of `value` as uppercase hex, zero-padded
// (AppendUpperHex(0x1A, 8, &s) appends "0000001A"). `digits` is 1..16.
void AppendUpperHex(uint64_t value, int digits, std::string* out);

}  // namespace klio
