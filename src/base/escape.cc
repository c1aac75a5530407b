#include "base/escape.h"

#include "base/hex.h"

namespace klio {

std::string EscapeForMessage(std::string_view text) {
  const bool truncated = text.size() > kEscapeMaxShownBytes;
  const std::string_view shown = truncated ? text.substr(0, kEscapeMaxShownBytes) : text;
  std::string out;
  out.reserve(shown.size() + 2);
  out += '"';
  for (const char c : shown) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte >= 0x20 && byte < 0x7F) {
      out += c;
    } else {
      out += "\\x";
      AppendUpperHex(byte, 2, &out);
    }
  }
  out += '"';
  if (truncated) {
    out += "... (";
    out += std::to_string(text.size());
    out += " bytes)";
  }
  return out;
}

}  // namespace klio
