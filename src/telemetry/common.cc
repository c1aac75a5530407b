// Definitions of the id helpers declared in common.h.
//
// FromHex accepts exactly 32 (trace) or 16 (span) *lowercase* hex digits: the W3C formats and
// OTLP/JSON use lowercase only, and accepting uppercase here would let an invalid traceparent
// slip through any caller that validates with FromHex. All-zero ids parse (IsValid says no).
#include "telemetry/common.h"

#include <cstring>

namespace klio::telemetry {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

constexpr int LowerHexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Word-wise: validity is checked on every span start.
template <std::size_t N>
bool AllZero(const std::array<std::uint8_t, N>& bytes) {
  static_assert(N % 8 == 0);
  std::uint64_t acc = 0;
  for (std::size_t i = 0; i < N; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    acc |= word;
  }
  return acc == 0;
}

template <std::size_t N>
std::string BytesToHex(const std::array<std::uint8_t, N>& bytes) {
  std::string out(N * 2, '\0');
  for (std::size_t i = 0; i < N; ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0x0f];
  }
  return out;
}

template <std::size_t N>
bool HexToBytes(std::string_view hex, std::array<std::uint8_t, N>* out) {
  if (hex.size() != N * 2) return false;
  std::array<std::uint8_t, N> bytes{};
  for (std::size_t i = 0; i < N; ++i) {
    int hi = LowerHexValue(hex[2 * i]);
    int lo = LowerHexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    bytes[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  *out = bytes;
  return true;
}

}  // namespace

bool TraceId::IsValid() const { return !AllZero(bytes); }
std::string TraceId::ToHex() const { return BytesToHex(bytes); }
bool TraceId::FromHex(std::string_view hex, TraceId* out) { return HexToBytes(hex, &out->bytes); }

bool SpanId::IsValid() const { return !AllZero(bytes); }
std::string SpanId::ToHex() const { return BytesToHex(bytes); }
bool SpanId::FromHex(std::string_view hex, SpanId* out) { return HexToBytes(hex, &out->bytes); }

}  // namespace klio::telemetry
