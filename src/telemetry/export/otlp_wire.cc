// ProtoWriter growth and ProtoReader field decoding (see otlp_wire.h).
#include "telemetry/export/otlp_wire.h"

#include <algorithm>

namespace klio::telemetry::exporter {

void ProtoWriter::Grow(std::size_t n) {
  const std::size_t cap = std::max<std::size_t>({cap_ * 2, size_ + n, 256});
  std::unique_ptr<char[]> bigger(new char[cap]);
  if (size_ != 0) std::memcpy(bigger.get(), buf_.get(), size_);
  buf_ = std::move(bigger);
  cap_ = cap;
}

bool ProtoReader::ReadVarint(std::uint64_t* out) {
  std::uint64_t v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ == end_) return false;
    const auto b = static_cast<std::uint8_t>(*p_++);
    v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) {
      *out = v;
      return true;
    }
  }
  return false;  // more than 10 bytes
}

bool ProtoReader::Next() {
  if (!ok_ || p_ == end_) return false;
  std::uint64_t tag;
  if (!ReadVarint(&tag)) return Fail();
  const std::uint64_t field = tag >> 3;
  if (field == 0 || field > 0x1FFFFFFF) return Fail();
  field_ = static_cast<std::uint32_t>(field);
  switch (tag & 7) {
    case 0:
      type_ = WireType::kVarint;
      if (!ReadVarint(&value_)) return Fail();
      return true;
    case 1: {
      type_ = WireType::kFixed64;
      if (end_ - p_ < 8) return Fail();
      std::uint64_t v = 0;
      for (int i = 0; i < 8; ++i) {
        v |= static_cast<std::uint64_t>(static_cast<std::uint8_t>(p_[i])) << (8 * i);
      }
      value_ = v;
      p_ += 8;
      return true;
    }
    case 2: {
      type_ = WireType::kLengthDelimited;
      std::uint64_t len;
      if (!ReadVarint(&len)) return Fail();
      if (len > static_cast<std::uint64_t>(end_ - p_)) return Fail();
      bytes_ = std::string_view(p_, static_cast<std::size_t>(len));
      value_ = len;
      p_ += len;
      return true;
    }
    case 5: {
      type_ = WireType::kFixed32;
      if (end_ - p_ < 4) return Fail();
      std::uint32_t v = 0;
      for (int i = 0; i < 4; ++i) {
        v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(p_[i])) << (8 * i);
      }
      value_ = v;
      p_ += 4;
      return true;
    }
    default:  // groups (3, 4) are not used by any message we read
      return Fail();
  }
}

}  // namespace klio::telemetry::exporter
