#include "base/hex.h"

#include "base/escape.h"

namespace klio {

std::string HexEncode(ByteView data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.resize(data.size() * 2);
  for (size_t i = 0; i < data.size(); ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0x0F];
  }
  return out;
}

Result<Bytes> HexDecode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return Status::InvalidArgument("hex decode: odd length " + std::to_string(text.size()));
  }
  Bytes out(text.size() / 2);
  for (size_t i = 0; i < text.size(); i += 2) {
    const int hi = HexDigitValue(text[i]);
    const int lo = HexDigitValue(text[i + 1]);
    if (hi < 0 || lo < 0) {
      const size_t bad = hi < 0 ? i : i + 1;
      return Status::InvalidArgument("hex decode: invalid digit " +
                                     EscapeForMessage(text.substr(bad, 1)) + " at offset " +
                                     std::to_string(bad));
    }
    out[i / 2] = static_cast<uint8_t>((hi << 4) | lo);
  }
  return out;
}

void AppendUpperHex(uint64_t value, int digits, std::string* out) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  char buf[16];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = kDigits[value & 0x0F];
    value >>= 4;
  }
  out->append(buf, static_cast<size_t>(digits));
}

}  // namespace klio
