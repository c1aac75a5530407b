#include "telemetry/sdk/limits.h"

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

namespace klio::telemetry::sdk {
namespace {

// Cuts `s` after `max_chars` UTF-8 code points (a code point starts at any byte that is not a
// continuation byte 10xxxxxx).
void TruncateString(std::string* s, std::uint32_t max_chars) {
  if (s->size() <= max_chars) return;  // fewer bytes than the limit: fewer code points too
  std::uint32_t chars = 0;
  for (std::size_t i = 0; i < s->size(); ++i) {
    if ((static_cast<unsigned char>((*s)[i]) & 0xc0) != 0x80) {
      if (chars == max_chars) {
        s->resize(i);
        return;
      }
      ++chars;
    }
  }
}

std::uint32_t Pick(const EnvGetter& env, std::string_view specific, std::string_view generic,
                   std::uint32_t fallback, EnvWarnings* warnings) {
  if (auto v = EnvInt(env, specific, warnings)) return static_cast<std::uint32_t>(*v);
  if (!generic.empty()) {
    if (auto v = EnvInt(env, generic, nullptr)) return static_cast<std::uint32_t>(*v);
  }
  return fallback;
}

constexpr std::string_view kGenericCount = "OTEL_ATTRIBUTE_COUNT_LIMIT";
constexpr std::string_view kGenericLength = "OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT";

}  // namespace

SpanLimits SpanLimitsFromEnv(const EnvGetter& env, EnvWarnings* warnings) {
  // Validate the generic variables once, so a bad value is reported once.
  (void)EnvInt(env, kGenericCount, warnings);
  (void)EnvInt(env, kGenericLength, warnings);
  SpanLimits d;
  SpanLimits out;
  out.attribute_count =
      Pick(env, "OTEL_SPAN_ATTRIBUTE_COUNT_LIMIT", kGenericCount, d.attribute_count, warnings);
  out.attribute_value_length = Pick(env, "OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT", kGenericLength,
                                    d.attribute_value_length, warnings);
  out.event_count = Pick(env, "OTEL_SPAN_EVENT_COUNT_LIMIT", "", d.event_count, warnings);
  out.link_count = Pick(env, "OTEL_SPAN_LINK_COUNT_LIMIT", "", d.link_count, warnings);
  out.event_attribute_count = Pick(env, "OTEL_EVENT_ATTRIBUTE_COUNT_LIMIT", kGenericCount,
                                   d.event_attribute_count, warnings);
  out.link_attribute_count =
      Pick(env, "OTEL_LINK_ATTRIBUTE_COUNT_LIMIT", kGenericCount, d.link_attribute_count, warnings);
  return out;
}

LogRecordLimits LogRecordLimitsFromEnv(const EnvGetter& env, EnvWarnings* warnings) {
  (void)EnvInt(env, kGenericCount, warnings);
  (void)EnvInt(env, kGenericLength, warnings);
  LogRecordLimits d;
  LogRecordLimits out;
  out.attribute_count =
      Pick(env, "OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT", kGenericCount, d.attribute_count, warnings);
  out.attribute_value_length = Pick(env, "OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT",
                                    kGenericLength, d.attribute_value_length, warnings);
  return out;
}

void TruncateValue(AttributeValue* value, std::uint32_t max_chars) {
  if (max_chars == kNoLimit) return;
  if (auto* s = std::get_if<std::string>(value)) {
    TruncateString(s, max_chars);
  } else if (auto* v = std::get_if<std::vector<std::string>>(value)) {
    for (std::string& e : *v) TruncateString(&e, max_chars);
  }
}

void SetLimitedAttribute(Attributes* attributes, std::string_view key, AttributeValue value,
                         std::uint32_t count_limit, std::uint32_t value_length_limit,
                         std::uint32_t* dropped) {
  TruncateValue(&value, value_length_limit);
  for (KeyValue& kv : *attributes) {
    if (kv.key == key) {
      kv.value = std::move(value);
      return;
    }
  }
  if (attributes->size() >= count_limit) {
    ++*dropped;
    return;
  }
  attributes->emplace_back(std::string(key), std::move(value));
}

void NormalizeAttributes(Attributes* attributes, std::uint32_t count_limit,
                         std::uint32_t value_length_limit, std::uint32_t* dropped) {
  Attributes& a = *attributes;
  std::size_t kept = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::size_t j = 0;
    while (j < kept && a[j].key != a[i].key) ++j;
    if (j < kept) {
      a[j].value = std::move(a[i].value);  // a later duplicate replaces the value
    } else if (kept < count_limit) {
      if (kept != i) a[kept] = std::move(a[i]);
      ++kept;
    } else {
      ++*dropped;
    }
  }
  a.erase(a.begin() + static_cast<std::ptrdiff_t>(kept), a.end());
  if (value_length_limit != kNoLimit) {
    for (KeyValue& kv : a) TruncateValue(&kv.value, value_length_limit);
  }
}

Attributes LimitedAttributes(std::span<const KeyValue> in, std::uint32_t count_limit,
                             std::uint32_t value_length_limit, std::uint32_t* dropped) {
  Attributes out;
  out.reserve(std::min<std::size_t>(in.size(), count_limit));
  for (const KeyValue& kv : in) {
    SetLimitedAttribute(&out, kv.key, kv.value, count_limit, value_length_limit, dropped);
  }
  return out;
}

}  // namespace klio::telemetry::sdk
