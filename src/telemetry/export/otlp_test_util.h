// Test-only helpers for the OTLP encoder tests: a tiny protobuf field walker built on
// ProtoReader, to look into encoded messages by field number.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "telemetry/export/otlp_wire.h"

namespace klio::telemetry::exporter::testing {

struct WireField {
  std::uint32_t number = 0;
  WireType type = WireType::kVarint;
  std::uint64_t value = 0;  // varint / fixed64 / fixed32
  std::string_view bytes;   // length-delimited
};

// All fields of `message` in wire order; an empty vector and *ok=false on malformed input.
inline std::vector<WireField> Fields(std::string_view message, bool* ok = nullptr) {
  std::vector<WireField> out;
  ProtoReader r(message);
  while (r.Next()) {
    out.push_back(WireField{r.field(), r.wire_type(), r.varint(), r.bytes()});
    if (r.wire_type() != WireType::kLengthDelimited) out.back().bytes = {};
  }
  if (ok != nullptr) *ok = r.ok();
  return out;
}

// The payloads of every length-delimited field `number`.
inline std::vector<std::string_view> Messages(std::string_view message, std::uint32_t number) {
  std::vector<std::string_view> out;
  for (const WireField& f : Fields(message)) {
    if (f.number == number && f.type == WireType::kLengthDelimited) out.push_back(f.bytes);
  }
  return out;
}

// The first length-delimited field `number` ("" when absent).
inline std::string_view Message(std::string_view message, std::uint32_t number) {
  auto all = Messages(message, number);
  return all.empty() ? std::string_view() : all.front();
}

// The number of occurrences of field `number`.
inline std::size_t Count(std::string_view message, std::uint32_t number) {
  std::size_t n = 0;
  for (const WireField& f : Fields(message)) n += f.number == number ? 1 : 0;
  return n;
}

// The value of the first scalar field `number`, or `fallback` when absent.
inline std::uint64_t Scalar(std::string_view message, std::uint32_t number,
                            std::uint64_t fallback = 0) {
  for (const WireField& f : Fields(message)) {
    if (f.number == number && f.type != WireType::kLengthDelimited) return f.value;
  }
  return fallback;
}

inline double AsDouble(std::uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}

}  // namespace klio::telemetry::exporter::testing
