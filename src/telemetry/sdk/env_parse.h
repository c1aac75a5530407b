// Reading the standard OTEL_* variables of the trace and log SDK through an injected getter,
// with the parsing rules of otel-reference §1.1: an empty value is unset; integers are
// 0..2^31-1; durations are non-negative milliseconds; a timeout of 0 means "no limit". A bad
// value is never fatal: it is reported as a warning (a Status naming the variable and echoing
// the value) and the setting falls back to its default, as the specification requires.
//
// Thread-safety: pure functions (the getter is called on the calling thread).
// Design: docs/design/telemetry.md §4.5 (configuration).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace klio::telemetry::sdk {

// Returns the value of an environment variable, or nullopt when unset.
using EnvGetter = std::function<std::optional<std::string>(std::string_view name)>;

// An EnvGetter over the process environment (getenv).
EnvGetter ProcessEnvGetter();

// Where warnings about ignored values go; may be null (warnings are then dropped).
using EnvWarnings = std::vector<Status>;

// A timeout of 0 ("no limit"): INT32_MAX milliseconds, about 24.8 days.
inline constexpr std::chrono::milliseconds kNoTimeout{2147483647};

// The value of `name` with surrounding whitespace removed; nullopt when unset or empty.
std::optional<std::string> EnvString(const EnvGetter& env, std::string_view name);

// An integer in 0..2^31-1; nullopt (plus a warning) for anything else.
std::optional<std::int64_t> EnvInt(const EnvGetter& env, std::string_view name,
                                   EnvWarnings* warnings);

// A positive integer (queue and batch sizes); nullopt (plus a warning) for 0 or anything else.
std::optional<std::int64_t> EnvPositiveInt(const EnvGetter& env, std::string_view name,
                                           EnvWarnings* warnings);

// Milliseconds; nullopt (plus a warning) when negative or not an integer.
std::optional<std::chrono::milliseconds> EnvDuration(const EnvGetter& env, std::string_view name,
                                                     EnvWarnings* warnings);

// Like EnvDuration, but 0 becomes kNoTimeout.
std::optional<std::chrono::milliseconds> EnvTimeout(const EnvGetter& env, std::string_view name,
                                                    EnvWarnings* warnings);

}  // namespace klio::telemetry::sdk
