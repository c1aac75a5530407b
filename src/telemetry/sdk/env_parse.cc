#include "telemetry/sdk/env_parse.h"

#include <charconv>
#include <cstdlib>

namespace klio::telemetry::sdk {
namespace {

constexpr std::int64_t kMaxInt = 2147483647;

void Warn(EnvWarnings* warnings, std::string_view name, std::string_view value,
          std::string_view expected) {
  if (warnings == nullptr) return;
  warnings->push_back(Status::InvalidArgument(std::string(name) + ": \"" + std::string(value) +
                                              "\" is not " + std::string(expected) +
                                              "; using the default"));
}

}  // namespace

EnvGetter ProcessEnvGetter() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

std::optional<std::string> EnvString(const EnvGetter& env, std::string_view name) {
  if (!env) return std::nullopt;
  std::optional<std::string> raw = env(name);
  if (!raw.has_value()) return std::nullopt;
  std::string_view v = *raw;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  return std::string(v);
}

std::optional<std::int64_t> EnvInt(const EnvGetter& env, std::string_view name,
                                   EnvWarnings* warnings) {
  std::optional<std::string> v = EnvString(env, name);
  if (!v.has_value()) return std::nullopt;
  std::int64_t out = 0;
  const char* end = v->data() + v->size();
  auto [ptr, ec] = std::from_chars(v->data(), end, out);
  if (ec != std::errc() || ptr != end || out < 0 || out > kMaxInt) {
    Warn(warnings, name, *v, "an integer in 0..2147483647");
    return std::nullopt;
  }
  return out;
}

std::optional<std::int64_t> EnvPositiveInt(const EnvGetter& env, std::string_view name,
                                           EnvWarnings* warnings) {
  std::optional<std::string> v = EnvString(env, name);
  if (!v.has_value()) return std::nullopt;
  std::optional<std::int64_t> n = EnvInt(env, name, nullptr);
  if (!n.has_value() || *n == 0) {
    Warn(warnings, name, *v, "an integer in 1..2147483647");
    return std::nullopt;
  }
  return n;
}

std::optional<std::chrono::milliseconds> EnvDuration(const EnvGetter& env, std::string_view name,
                                                     EnvWarnings* warnings) {
  std::optional<std::string> v = EnvString(env, name);
  if (!v.has_value()) return std::nullopt;
  std::optional<std::int64_t> n = EnvInt(env, name, nullptr);
  if (!n.has_value()) {
    Warn(warnings, name, *v, "a non-negative number of milliseconds");
    return std::nullopt;
  }
  return std::chrono::milliseconds(*n);
}

std::optional<std::chrono::milliseconds> EnvTimeout(const EnvGetter& env, std::string_view name,
                                                    EnvWarnings* warnings) {
  std::optional<std::chrono::milliseconds> d = EnvDuration(env, name, warnings);
  if (d.has_value() && d->count() == 0) return kNoTimeout;
  return d;
}

}  // namespace klio::telemetry::sdk
