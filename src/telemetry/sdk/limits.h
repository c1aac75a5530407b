// Attribute, event and link limits for spans and log records (OTEL_*_LIMIT variables), and the
// helpers that apply them while a span or record is built, counting what they drop.
//
// Rules (otel-reference §1.4): a new key beyond the count limit is dropped and counted (an
// existing key is still replaced); string values (and each string of an array) longer than the
// value-length limit are truncated to that many characters (UTF-8 code points); other types
// are untouched. Model-specific variables win over the generic OTEL_ATTRIBUTE_* ones.
//
// Thread-safety: plain values and pure functions.
// Design: docs/design/telemetry.md §4.3.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <string_view>

#include "telemetry/common.h"
#include "telemetry/sdk/env_parse.h"

namespace klio::telemetry::sdk {

inline constexpr std::uint32_t kNoLimit = std::numeric_limits<std::uint32_t>::max();

struct SpanLimits {
  std::uint32_t attribute_count = 128;              // OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT
  std::uint32_t attribute_value_length = kNoLimit;  // OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT
  std::uint32_t event_count = 128;                  // OTEL_SPAN_EVENT_COUNT_LIMIT
  std::uint32_t link_count = 128;                   // OTEL_SPAN_LINK_COUNT_LIMIT
  std::uint32_t event_attribute_count = 128;        // OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT
  std::uint32_t link_attribute_count = 128;         // OTEL_LINK_ATTRIBUTE_COUNT_LIMIT
};

struct LogRecordLimits {
  std::uint32_t attribute_count = 128;              // OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT
  std::uint32_t attribute_value_length = kNoLimit;  // ..._ATTRIBUTE_VALUE_LENGTH_LIMIT
};

// Each limit from its model-specific variable, else the generic OTEL_ATTRIBUTE_COUNT_LIMIT /
// OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT (for every attribute count and length), else the default.
// Invalid values are reported in `warnings` and ignored.
SpanLimits SpanLimitsFromEnv(const EnvGetter& env, EnvWarnings* warnings);
LogRecordLimits LogRecordLimitsFromEnv(const EnvGetter& env, EnvWarnings* warnings);

// Truncates string values (element-wise for string arrays) to `max_chars` code points.
void TruncateValue(AttributeValue* value, std::uint32_t max_chars);

// Sets `key` in `attributes`: replaces the value of an existing key; appends a new key while
// fewer than `count_limit` are held, else increments *dropped. Truncates the value first.
void SetLimitedAttribute(Attributes* attributes, std::string_view key, AttributeValue value,
                         std::uint32_t count_limit, std::uint32_t value_length_limit,
                         std::uint32_t* dropped);

// Applies the limits to `attributes` in place, without allocating: later duplicates replace
// earlier ones (keeping the first position), keys beyond `count_limit` are dropped and counted,
// strings are truncated.
void NormalizeAttributes(Attributes* attributes, std::uint32_t count_limit,
                         std::uint32_t value_length_limit, std::uint32_t* dropped);

// Builds a limited attribute list from `in` (later duplicates replace earlier ones).
Attributes LimitedAttributes(std::span<const KeyValue> in, std::uint32_t count_limit,
                             std::uint32_t value_length_limit, std::uint32_t* dropped);

}  // namespace klio::telemetry::sdk
