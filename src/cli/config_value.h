// Typed configuration values: the value types a configuration key can have, and the parsers
// and formatters for their textual forms (the same text in a YAML file, an environment
// variable or a flag). docs/configuration.md §Value types describes the accepted syntax.
//
// Thread-safety: pure functions and plain values.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace klio::cli {

enum class ValueType {
  kString,    // any text
  kInt,       // decimal integer, optionally range-checked
  kBool,      // true/false (also yes/no, on/off, 1/0)
  kDuration,  // "10s", "200ms", "1h30m"
  kByteSize,  // "2MiB", "512KiB", "1GB", "4096"
  kPath,      // a non-empty file-system path
  kEnum,      // one of a fixed set of lowercase words
};

// "string", "int", "bool", "duration", "byte size", "path", "enum".
std::string_view ValueTypeName(ValueType type);

// A parsed value. `text` is the canonical textual form (what `klio config show` prints and
// what parses back to the same value); the typed member that matches `type` is set.
struct Value {
  ValueType type = ValueType::kString;
  std::string text;
  std::int64_t int_value = 0;            // kInt
  bool bool_value = false;               // kBool
  std::chrono::nanoseconds duration{0};  // kDuration
  std::uint64_t size_bytes = 0;          // kByteSize
};

// Each parser returns the value, or InvalidArgument whose message is only the reason
// ("expected a duration such as 10s or 200ms") — never the input, which may be a secret.
Result<bool> ParseBool(std::string_view text);
Result<std::int64_t> ParseInt(std::string_view text);
// Non-negative; units ns, us, ms, s, m, h, d; several parts add up ("1h30m"); a part may
// have a decimal fraction ("1.5s"); a bare "0" is zero.
Result<std::chrono::nanoseconds> ParseDuration(std::string_view text);
// A whole number with an optional unit: B, KiB, MiB, GiB, TiB (powers of 1024) or kB, MB,
// GB, TB (powers of 1000); units are case-insensitive; no unit means bytes.
Result<std::uint64_t> ParseByteSize(std::string_view text);

// Canonical forms: "1h30m", "200ms", "0s"; "2MiB", "1500B".
std::string FormatDuration(std::chrono::nanoseconds d);
std::string FormatByteSize(std::uint64_t size_bytes);

}  // namespace klio::cli
