// Protobuf wire format primitives for the hand-written OTLP codec: a growable byte buffer
// that writes fields and back-patches the length prefixes of nested messages
// (ProtoWriter), and a bounds-checked field reader (ProtoReader) for the small response
// messages we decode (Export*ServiceResponse, google.rpc.Status, RetryInfo).
//
// No libprotobuf: the encoding rules are those of otel-reference §2.1 and
// docs/design/otlp-export.md §2 (tag = field << 3 | wire type; varint, fixed64, fixed32,
// length-delimited).
//
// Thread-safety: ProtoWriter and ProtoReader are single-threaded values; use one per thread.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

namespace klio::telemetry::exporter {

enum class WireType : std::uint8_t {
  kVarint = 0,
  kFixed64 = 1,
  kLengthDelimited = 2,
  kFixed32 = 5,
};

// Returns the number of bytes the varint encoding of `v` takes (1..10).
inline std::size_t VarintSize(std::uint64_t v) {
  // 1 + floor(bit_width / 7), with bit_width(0) treated as 1.
  const int bits = 64 - __builtin_clzll(v | 1);
  return static_cast<std::size_t>((bits * 9 + 64) / 64);
}

// An append-only byte buffer with protobuf field writers. Nested messages are written in
// place: BeginMessage() reserves room for the length prefix, EndMessage() writes it and, if
// the length needs a different number of bytes than reserved, shifts the content (a memmove
// of that one message; the hints below make this rare). The output is canonical protobuf.
//
// Clear() keeps the allocation, so one writer reused across exports allocates only while
// it grows.
class ProtoWriter {
 public:
  // Where a nested message's content starts and how many bytes were reserved for its length.
  struct Mark {
    std::size_t start;
    std::size_t reserved;
  };

  ProtoWriter() = default;
  ProtoWriter(const ProtoWriter&) = delete;
  ProtoWriter& operator=(const ProtoWriter&) = delete;
  ProtoWriter(ProtoWriter&&) noexcept = default;
  ProtoWriter& operator=(ProtoWriter&&) noexcept = default;

  void Clear() { size_ = 0; }
  const char* data() const { return buf_.get(); }
  std::size_t size() const { return size_; }
  std::string_view view() const { return {buf_.get(), size_}; }
  std::string ToString() const { return std::string(view()); }

  // Raw writers.
  void Varint(std::uint64_t v) {
    Ensure(10);
    char* p = buf_.get() + size_;
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p++ = static_cast<char>(v);
    size_ = static_cast<std::size_t>(p - buf_.get());
  }
  void Tag(std::uint32_t field, WireType type) {
    Varint((static_cast<std::uint64_t>(field) << 3) | static_cast<std::uint32_t>(type));
  }
  void Raw(const void* p, std::size_t n) {
    if (n == 0) return;
    Ensure(n);
    std::memcpy(buf_.get() + size_, p, n);
    size_ += n;
  }
  void Fixed64(std::uint64_t v) {
    Ensure(8);
    char* p = buf_.get() + size_;
    for (int i = 0; i < 8; ++i) p[i] = static_cast<char>(v >> (8 * i));
    size_ += 8;
  }
  void Fixed32(std::uint32_t v) {
    Ensure(4);
    char* p = buf_.get() + size_;
    for (int i = 0; i < 4; ++i) p[i] = static_cast<char>(v >> (8 * i));
    size_ += 4;
  }

  // Field writers. The *Field forms omit proto3 default values (0, "", empty bytes);
  // the Always* forms write the field even when it is zero (oneof members, `optional`).
  void VarintField(std::uint32_t field, std::uint64_t v) {
    if (v != 0) AlwaysVarintField(field, v);
  }
  void AlwaysVarintField(std::uint32_t field, std::uint64_t v) {
    Tag(field, WireType::kVarint);
    Varint(v);
  }
  void Fixed64Field(std::uint32_t field, std::uint64_t v) {
    if (v != 0) AlwaysFixed64Field(field, v);
  }
  void AlwaysFixed64Field(std::uint32_t field, std::uint64_t v) {
    Tag(field, WireType::kFixed64);
    Fixed64(v);
  }
  void Fixed32Field(std::uint32_t field, std::uint32_t v) {
    if (v != 0) {
      Tag(field, WireType::kFixed32);
      Fixed32(v);
    }
  }
  void AlwaysDoubleField(std::uint32_t field, double v) {
    std::uint64_t bits;
    std::memcpy(&bits, &v, sizeof bits);
    AlwaysFixed64Field(field, bits);
  }
  void DoubleField(std::uint32_t field, double v) {
    if (v != 0.0 || std::signbit(v)) AlwaysDoubleField(field, v);
  }
  void AlwaysBytesField(std::uint32_t field, const void* p, std::size_t n) {
    Tag(field, WireType::kLengthDelimited);
    Varint(n);
    Raw(p, n);
  }
  void BytesField(std::uint32_t field, const void* p, std::size_t n) {
    if (n != 0) AlwaysBytesField(field, p, n);
  }
  void StringField(std::uint32_t field, std::string_view s) {
    BytesField(field, s.data(), s.size());
  }
  void AlwaysStringField(std::uint32_t field, std::string_view s) {
    AlwaysBytesField(field, s.data(), s.size());
  }

  // Starts a length-delimited sub-message in `field`. `length_bytes_hint` is the expected
  // size of its length prefix (1 for < 128 bytes, 2 for < 16 KiB, ...).
  Mark BeginMessage(std::uint32_t field, std::size_t length_bytes_hint = 1) {
    Tag(field, WireType::kLengthDelimited);
    Ensure(length_bytes_hint);
    size_ += length_bytes_hint;
    return Mark{size_, length_bytes_hint};
  }
  // Finishes the sub-message begun at `mark` (marks must be closed innermost first).
  void EndMessage(Mark mark) {
    const std::size_t len = size_ - mark.start;
    const std::size_t need = VarintSize(len);
    if (need != mark.reserved) {
      if (need > mark.reserved) Ensure(need - mark.reserved);
      char* base = buf_.get();
      std::memmove(base + mark.start - mark.reserved + need, base + mark.start, len);
      size_ = size_ + need - mark.reserved;
    }
    char* p = buf_.get() + mark.start - mark.reserved;
    std::uint64_t v = len;
    while (v >= 0x80) {
      *p++ = static_cast<char>(v | 0x80);
      v >>= 7;
    }
    *p = static_cast<char>(v);
  }
  // Closes a sub-message and removes it entirely (tag included) when it turned out empty;
  // `tag_start` is size() before BeginMessage().
  void EndMessageOrDrop(Mark mark, std::size_t tag_start) {
    if (size_ == mark.start) {
      size_ = tag_start;
      return;
    }
    EndMessage(mark);
  }

 private:
  void Ensure(std::size_t n) {
    if (cap_ - size_ < n) Grow(n);
  }
  void Grow(std::size_t n);

  std::unique_ptr<char[]> buf_;
  std::size_t size_ = 0;
  std::size_t cap_ = 0;
};

// Reads the fields of one protobuf message in order. Malformed input (truncated varint,
// length past the end, unsupported wire type) stops iteration and sets ok() to false.
//
//   ProtoReader r(bytes);
//   while (r.Next()) { switch (r.field()) { case 1: x = r.varint(); break; ... } }
//   if (!r.ok()) ...
class ProtoReader {
 public:
  explicit ProtoReader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}

  // Advances to the next field. Returns false at the end of input or on malformed input.
  bool Next();
  // True unless malformed input was seen.
  bool ok() const { return ok_; }

  std::uint32_t field() const { return field_; }
  WireType wire_type() const { return type_; }
  // The value of the current field; valid for the matching wire type only
  // (varint(): kVarint, fixed64(): kFixed64, fixed32(): kFixed32, bytes(): kLengthDelimited).
  std::uint64_t varint() const { return value_; }
  std::uint64_t fixed64() const { return value_; }
  std::uint32_t fixed32() const { return static_cast<std::uint32_t>(value_); }
  double as_double() const {
    double d;
    std::memcpy(&d, &value_, sizeof d);
    return d;
  }
  std::string_view bytes() const { return bytes_; }

 private:
  bool ReadVarint(std::uint64_t* out);
  bool Fail() {
    ok_ = false;
    p_ = end_;
    return false;
  }

  const char* p_;
  const char* end_;
  bool ok_ = true;
  std::uint32_t field_ = 0;
  WireType type_ = WireType::kVarint;
  std::uint64_t value_ = 0;
  std::string_view bytes_;
};

}  // namespace klio::telemetry::exporter
