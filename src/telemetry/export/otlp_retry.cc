// OTLP retry policy and loop (see otlp_retry.h).
#include "telemetry/export/otlp_retry.h"

#include <time.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

namespace klio::telemetry::exporter {

using std::chrono::nanoseconds;
using std::chrono::steady_clock;

constexpr std::uint64_t kMaxRetryAfterSeconds = std::uint64_t{24} * 3600;

bool IsRetryableHttpStatus(int http_status) {
  return http_status == 429 || http_status == 502 || http_status == 503 || http_status == 504;
}

bool IsRetryableGrpcCode(int grpc_code, bool has_retry_info) {
  switch (grpc_code) {
    case 1:   // CANCELLED
    case 4:   // DEADLINE_EXCEEDED
    case 10:  // ABORTED
    case 11:  // OUT_OF_RANGE
    case 14:  // UNAVAILABLE
    case 15:  // DATA_LOSS
      return true;
    case 8:  // RESOURCE_EXHAUSTED: only when the server says it can recover
      return has_retry_info;
    default:
      return false;
  }
}

std::optional<nanoseconds> ParseRetryAfter(std::string_view value,
                                           std::chrono::system_clock::time_point now) {
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t' || value.back() == '\r' ||
                            value.back() == '\n')) {
    value.remove_suffix(1);
  }
  if (value.empty()) return std::nullopt;
  if (std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    std::uint64_t seconds = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      seconds = kMaxRetryAfterSeconds;  // absurdly large: cap (the deadline decides anyway)
    }
    seconds = std::min<std::uint64_t>(seconds, kMaxRetryAfterSeconds);
    return std::chrono::seconds(seconds);
  }
  // HTTP-date: IMF-fixdate, obsolete RFC 850 and asctime forms (RFC 9110 §5.6.7).
  static constexpr const char* kFormats[] = {
      "%a, %d %b %Y %H:%M:%S GMT",
      "%A, %d-%b-%y %H:%M:%S GMT",
      "%a %b %e %H:%M:%S %Y",
  };
  const std::string text(value);
  for (const char* format : kFormats) {
    struct tm tm = {};
    const char* end = strptime(text.c_str(), format, &tm);
    if (end == nullptr || *end != '\0') continue;
    const time_t when = timegm(&tm);
    if (when == static_cast<time_t>(-1)) continue;
    const auto at = std::chrono::system_clock::from_time_t(when);
    if (at <= now) return nanoseconds(0);
    return std::min<nanoseconds>(std::chrono::duration_cast<nanoseconds>(at - now),
                                 std::chrono::hours(24));
  }
  return std::nullopt;
}

nanoseconds BackoffDelay(const RetryPolicy& policy, int retry, double uniform01) {
  const double initial = static_cast<double>(nanoseconds(policy.initial_backoff).count());
  const double cap = static_cast<double>(nanoseconds(policy.max_backoff).count());
  const double base = std::min(
      cap, initial * std::pow(policy.multiplier, static_cast<double>(std::max(0, retry - 1))));
  const double jitter = std::clamp(policy.jitter, 0.0, 1.0);
  const double factor = 1.0 - jitter + 2.0 * jitter * std::clamp(uniform01, 0.0, 1.0);
  return nanoseconds(static_cast<std::int64_t>(base * factor));
}

AttemptOutcome RunWithRetry(const RetryPolicy& policy, steady_clock::time_point deadline,
                            const RetryHooks& hooks, int* attempts_made) {
  const int max_attempts = std::max(1, policy.max_attempts);
  AttemptOutcome last = AttemptOutcome::Retryable(
      Status::DeadlineExceeded("otlp export: deadline passed before the first attempt"));
  auto give_up = [&](int attempts, std::string_view why) {
    const StatusCode code = last.status.code() == StatusCode::kDeadlineExceeded
                                ? StatusCode::kDeadlineExceeded
                                : StatusCode::kUnavailable;
    return AttemptOutcome::Retryable(
        Status(code, "otlp export: gave up after " + std::to_string(attempts) + " attempt" +
                         (attempts == 1 ? "" : "s") + " (" + std::string(why) +
                         "): " + last.status.message()));
  };
  for (int attempt = 1;; ++attempt) {
    if (attempts_made != nullptr) *attempts_made = attempt - 1;
    if (steady_clock::now() >= deadline) {
      return attempt == 1 ? last : give_up(attempt - 1, "export deadline reached");
    }
    if (attempts_made != nullptr) *attempts_made = attempt;
    last = hooks.attempt(deadline);
    if (last.kind != AttemptOutcome::Kind::kRetryable) return last;
    if (attempt >= max_attempts) return give_up(attempt, "attempts exhausted");
    nanoseconds delay = BackoffDelay(policy, attempt, hooks.uniform01 ? hooks.uniform01() : 0.5);
    if (last.retry_after) delay = std::max(delay, *last.retry_after);
    const auto wake = steady_clock::now() + delay;
    // Give up at once when the wait alone would pass the deadline (no point sleeping).
    if (wake >= deadline) return give_up(attempt, "next retry would pass the export deadline");
    if (!hooks.wait_until(wake)) {
      return AttemptOutcome::Permanent(Status::Cancelled("otlp export: cancelled by shutdown"));
    }
  }
}

}  // namespace klio::telemetry::exporter
