// Byte strings and big-endian integer coding.
//
// ByteView is a non-owning view of bytes, Bytes an owned buffer. PutBE*/LoadBE* write and read
// fixed-width big-endian (network order) integers; ByteReader walks a ByteView and reports a
// short buffer as Corruption instead of reading past the end. The PostgreSQL replication
// protocol and klio's own formats are decoded with these.
//
// Thread-safety: the free functions are pure. A ByteReader is a cursor used by one thread at a
// time; it never owns the bytes it reads, which must outlive it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace klio {

using ByteView = std::span<const uint8_t>;
using Bytes = std::vector<uint8_t>;

// Views the characters of `s` as bytes (no copy; `s` must outlive the view).
inline ByteView AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Views bytes as characters (no copy; `b` must outlive the view).
inline std::string_view AsStringView(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

// Copies the characters of `s` into an owned byte buffer.
inline Bytes ToBytes(std::string_view s) { return Bytes(s.begin(), s.end()); }

// Copies bytes into a std::string.
inline std::string BytesToString(ByteView b) { return std::string(AsStringView(b)); }

// Append `value` to `out` in big-endian order (2, 4 or 8 bytes).
void PutBE16(Bytes* out, uint16_t value);
void PutBE32(Bytes* out, uint32_t value);
void PutBE64(Bytes* out, uint64_t value);

// Appends raw bytes to `out`.
inline void PutBytes(Bytes* out, ByteView data) {
  out->insert(out->end(), data.begin(), data.end());
}

// Read a big-endian integer from `p`, which must point at 2, 4 or 8 readable bytes. No bounds
// check: use ByteReader for data of unknown length.
constexpr uint16_t LoadBE16(const uint8_t* p) {
  return static_cast<uint16_t>((uint16_t{p[0]} << 8) | uint16_t{p[1]});
}
constexpr uint32_t LoadBE32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}
constexpr uint64_t LoadBE64(const uint8_t* p) {
  return (uint64_t{LoadBE32(p)} << 32) | uint64_t{LoadBE32(p + 4)};
}

// A forward-only, bounds-checked cursor over a ByteView.
//
// Every Read* either consumes exactly the bytes it decodes and returns the value, or consumes
// nothing and returns Corruption:
//   "<context>: truncated: need N bytes at offset O, have M"
// where O is the cursor position and M the bytes left (the "<context>: " prefix only when a
// context was given). Offsets count from the start of the view given to the constructor.
class ByteReader {
 public:
  // `context` names what is being decoded ("XLogData message") and appears in error messages;
  // it is copied, so a temporary is fine.
  explicit ByteReader(ByteView data, std::string_view context = {})
      : data_(data), context_(context) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool empty() const { return pos_ == data_.size(); }

  Result<uint8_t> ReadU8();
  Result<uint16_t> ReadBE16();
  Result<uint32_t> ReadBE32();
  Result<uint64_t> ReadBE64();
  // Two's-complement signed variants (the PostgreSQL protocol's Int32 and Int64).
  Result<int32_t> ReadBEI32();
  Result<int64_t> ReadBEI64();

  // The next `n` bytes, as a view into the underlying data.
  Result<ByteView> ReadBytes(size_t n);
  // A NUL-terminated string (the PostgreSQL protocol's String): returns the characters before
  // the NUL and consumes the NUL too. Corruption when there is no NUL before the end.
  Result<std::string_view> ReadCString();
  // Everything not yet read (possibly empty); never fails.
  ByteView ReadRest();
  // Consumes `n` bytes without decoding them.
  Status Skip(size_t n);

  // Corruption unless every byte was consumed: "<context>: N unexpected trailing bytes at
  // offset O". For decoders of fixed-layout messages.
  Status ExpectEnd() const;

 private:
  // OK when `n` bytes remain; otherwise the truncation error.
  Status Need(size_t n) const;
  Status Error(std::string message) const;

  ByteView data_;
  size_t pos_ = 0;
  std::string context_;
};

}  // namespace klio
