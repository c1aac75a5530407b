#include "base/bytes.h"

#include <cstring>

namespace klio {

void PutBE16(Bytes* out, uint16_t value) {
  out->push_back(static_cast<uint8_t>(value >> 8));
  out->push_back(static_cast<uint8_t>(value));
}

void PutBE32(Bytes* out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<uint8_t>(value >> shift));
}

void PutBE64(Bytes* out, uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<uint8_t>(value >> shift));
}

Status ByteReader::Error(std::string message) const {
  if (context_.empty()) return Status::Corruption(std::move(message));
  return Status::Corruption(context_ + ": " + message);
}

Status ByteReader::Need(size_t n) const {
  if (n <= remaining()) return Status::Ok();
  return Error("truncated: need " + std::to_string(n) + " bytes at offset " + std::to_string(pos_) +
               ", have " + std::to_string(remaining()));
}

Result<uint8_t> ByteReader::ReadU8() {
  KLIO_RETURN_IF_ERROR(Need(1));
  return data_[pos_++];
}

Result<uint16_t> ByteReader::ReadBE16() {
  KLIO_RETURN_IF_ERROR(Need(2));
  const uint16_t v = LoadBE16(data_.data() + pos_);
  pos_ += 2;
  return v;
}

Result<uint32_t> ByteReader::ReadBE32() {
  KLIO_RETURN_IF_ERROR(Need(4));
  const uint32_t v = LoadBE32(data_.data() + pos_);
  pos_ += 4;
  return v;
}

Result<uint64_t> ByteReader::ReadBE64() {
  KLIO_RETURN_IF_ERROR(Need(8));
  const uint64_t v = LoadBE64(data_.data() + pos_);
  pos_ += 8;
  return v;
}

// Unsigned-to-signed conversion is modular since C++20, so these are exact two's complement.
Result<int32_t> ByteReader::ReadBEI32() {
  KLIO_ASSIGN_OR_RETURN(const uint32_t v, ReadBE32());
  return static_cast<int32_t>(v);
}

Result<int64_t> ByteReader::ReadBEI64() {
  KLIO_ASSIGN_OR_RETURN(const uint64_t v, ReadBE64());
  return static_cast<int64_t>(v);
}

Result<ByteView> ByteReader::ReadBytes(size_t n) {
  KLIO_RETURN_IF_ERROR(Need(n));
  const ByteView out = data_.subspan(pos_, n);
  pos_ += n;
  return out;
}

Result<std::string_view> ByteReader::ReadCString() {
  const ByteView rest = data_.subspan(pos_);
  const void* nul = rest.empty() ? nullptr : std::memchr(rest.data(), 0, rest.size());
  if (nul == nullptr) {
    return Error("truncated: string at offset " + std::to_string(pos_) +
                 " has no NUL terminator in the " + std::to_string(rest.size()) + " bytes left");
  }
  const auto len = static_cast<size_t>(static_cast<const uint8_t*>(nul) - rest.data());
  const std::string_view out = AsStringView(rest.first(len));
  pos_ += len + 1;
  return out;
}

ByteView ByteReader::ReadRest() {
  const ByteView out = data_.subspan(pos_);
  pos_ = data_.size();
  return out;
}

Status ByteReader::Skip(size_t n) {
  KLIO_RETURN_IF_ERROR(Need(n));
  pos_ += n;
  return Status::Ok();
}

Status ByteReader::ExpectEnd() const {
  if (empty()) return Status::Ok();
  return Error(std::to_string(remaining()) + " unexpected trailing bytes at offset " +
               std::to_string(pos_));
}

}  // namespace klio
