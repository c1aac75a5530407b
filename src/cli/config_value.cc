#include "cli/config_value.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>

namespace klio::cli {
namespace {

std::string Lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

struct Unit {
  std::string_view name;
  std::int64_t nanos;
};

constexpr std::int64_t kNs = 1;
constexpr std::int64_t kUs = 1000 * kNs;
constexpr std::int64_t kMs = 1000 * kUs;
constexpr std::int64_t kSec = 1000 * kMs;
constexpr std::int64_t kMin = 60 * kSec;
constexpr std::int64_t kHour = 60 * kMin;
constexpr std::int64_t kDay = 24 * kHour;

// Longest names first so "ms" is not read as "m".
constexpr std::array<Unit, 8> kDurationUnits = {{
    {"ns", kNs},
    {"us", kUs},
    {"\xC2\xB5s", kUs},
    {"ms", kMs},
    {"s", kSec},
    {"m", kMin},
    {"h", kHour},
    {"d", kDay},
}};

struct SizeUnit {
  std::string_view name;  // lowercase
  std::uint64_t multiplier;
};

constexpr std::array<SizeUnit, 9> kSizeUnits = {{
    {"b", 1},
    {"kib", 1ULL << 10},
    {"mib", 1ULL << 20},
    {"gib", 1ULL << 30},
    {"tib", 1ULL << 40},
    {"kb", 1000ULL},
    {"mb", 1000ULL * 1000},
    {"gb", 1000ULL * 1000 * 1000},
    {"tb", 1000ULL * 1000 * 1000 * 1000},
}};

Status DurationError() {
  return Status::InvalidArgument("expected a duration such as 10s, 200ms or 1h30m");
}

}  // namespace

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kInt:
      return "int";
    case ValueType::kBool:
      return "bool";
    case ValueType::kDuration:
      return "duration";
    case ValueType::kByteSize:
      return "byte size";
    case ValueType::kPath:
      return "path";
    case ValueType::kEnum:
      return "enum";
  }
  return "unknown";
}

Result<bool> ParseBool(std::string_view text) {
  const std::string t = Lowercase(text);
  if (t == "true" || t == "yes" || t == "on" || t == "1") return true;
  if (t == "false" || t == "no" || t == "off" || t == "0") return false;
  return Status::InvalidArgument("expected true or false");
}

Result<std::int64_t> ParseInt(std::string_view text) {
  std::string_view digits = text;
  if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
  std::int64_t value = 0;
  const char* end = digits.data() + digits.size();
  auto [ptr, ec] = std::from_chars(digits.data(), end, value);
  if (digits.empty() || ptr != end || (ec != std::errc() && ec != std::errc::result_out_of_range)) {
    return Status::InvalidArgument("expected an integer");
  }
  if (ec == std::errc::result_out_of_range) {
    return Status::InvalidArgument("integer out of range");
  }
  return value;
}

Result<std::chrono::nanoseconds> ParseDuration(std::string_view text) {
  if (text == "0") return std::chrono::nanoseconds(0);
  if (text.empty()) return DurationError();
  long double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    // A number: digits, optionally a fraction.
    const std::size_t start = i;
    long double whole = 0;
    while (i < text.size() && IsDigit(text[i])) whole = whole * 10 + (text[i++] - '0');
    long double fraction = 0;
    long double scale = 1;
    bool has_fraction_digits = false;
    if (i < text.size() && text[i] == '.') {
      ++i;
      while (i < text.size() && IsDigit(text[i])) {
        scale /= 10;
        fraction += (text[i++] - '0') * scale;
        has_fraction_digits = true;
      }
      if (!has_fraction_digits) return DurationError();
    }
    if (i == start) return DurationError();
    // A unit (mandatory).
    const Unit* unit = nullptr;
    for (const Unit& u : kDurationUnits) {
      if (text.substr(i, u.name.size()) == u.name &&
          (unit == nullptr || u.name.size() > unit->name.size())) {
        unit = &u;
      }
    }
    if (unit == nullptr) return DurationError();
    i += unit->name.size();
    total += (whole + fraction) * static_cast<long double>(unit->nanos);
    if (total >= static_cast<long double>(std::numeric_limits<std::int64_t>::max())) {
      return Status::InvalidArgument("duration out of range");
    }
  }
  return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(total)));
}

Result<std::uint64_t> ParseByteSize(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size() && IsDigit(text[i])) ++i;
  if (i == 0) return Status::InvalidArgument("expected a byte size such as 4096, 512KiB or 2MiB");
  std::uint64_t number = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + i, number);
  if (ec != std::errc()) return Status::InvalidArgument("byte size out of range");
  std::string_view rest = text.substr(i);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  std::uint64_t multiplier = 1;
  if (!rest.empty()) {
    const std::string unit = Lowercase(rest);
    bool found = false;
    for (const SizeUnit& u : kSizeUnits) {
      if (unit == u.name) {
        multiplier = u.multiplier;
        found = true;
      }
    }
    if (!found) {
      return Status::InvalidArgument(
          "unknown byte size unit (use B, KiB, MiB, GiB, TiB, kB, MB, GB or TB)");
    }
  }
  if (number > std::numeric_limits<std::uint64_t>::max() / multiplier) {
    return Status::InvalidArgument("byte size out of range");
  }
  return number * multiplier;
}

std::string FormatDuration(std::chrono::nanoseconds d) {
  std::int64_t n = d.count();
  if (n == 0) return "0s";
  std::string out;
  if (n < 0) {
    out = "-";
    n = -n;
  }
  constexpr std::array<Unit, 6> kParts = {{
      {"h", kHour},
      {"m", kMin},
      {"s", kSec},
      {"ms", kMs},
      {"us", kUs},
      {"ns", kNs},
  }};
  for (const Unit& part : kParts) {
    if (n >= part.nanos) {
      out += std::to_string(n / part.nanos);
      out += part.name;
      n %= part.nanos;
    }
  }
  return out;
}

std::string FormatByteSize(std::uint64_t size_bytes) {
  constexpr std::array<SizeUnit, 4> kBinary = {{
      {"TiB", 1ULL << 40},
      {"GiB", 1ULL << 30},
      {"MiB", 1ULL << 20},
      {"KiB", 1ULL << 10},
  }};
  if (size_bytes != 0) {
    for (const SizeUnit& u : kBinary) {
      if (size_bytes % u.multiplier == 0) {
        return std::to_string(size_bytes / u.multiplier) + std::string(u.name);
      }
    }
  }
  return std::to_string(size_bytes) + "B";
}

}  // namespace klio::cli
