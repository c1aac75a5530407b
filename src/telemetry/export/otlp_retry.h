// Retry policy of the OTLP exporters: which answers are retryable (OTLP/HTTP status codes,
// gRPC status codes; otel-reference §2.7, §2.9), the server's hints (Retry-After, gRPC
// RetryInfo), exponential backoff with jitter, and the retry loop bounded by the export
// deadline (§2.10).
//
// Thread-safety: the free functions are pure; RunWithRetry runs on the calling thread and
// calls its callbacks there.
// Design: docs/design/otlp-export.md §5.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"

namespace klio::telemetry::exporter {

// Before attempt n ≥ 2 the loop waits
//   max(server hint, uniform(1 − jitter, 1 + jitter) × min(max_backoff, initial ×
//   multiplier^(n−2)))
// and never past the export deadline.
struct RetryPolicy {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{5000};
  double multiplier = 1.5;
  double jitter = 0.5;  // 0 = no jitter
};

// What one transport attempt produced.
struct AttemptOutcome {
  enum class Kind : std::uint8_t { kOk, kRetryable, kPermanent };
  Kind kind = Kind::kOk;
  Status status;  // non-OK unless kOk
  // The server's requested delay (Retry-After / RetryInfo.retry_delay), if any.
  std::optional<std::chrono::nanoseconds> retry_after;
  std::string body;  // the response body of a successful attempt

  static AttemptOutcome Ok(std::string body) {
    return {Kind::kOk, Status::Ok(), {}, std::move(body)};
  }
  static AttemptOutcome Retryable(Status s,
                                  std::optional<std::chrono::nanoseconds> hint = std::nullopt) {
    return {Kind::kRetryable, std::move(s), hint, {}};
  }
  static AttemptOutcome Permanent(Status s) { return {Kind::kPermanent, std::move(s), {}, {}}; }
};

// True for the OTLP/HTTP statuses a client retries: 429, 502, 503, 504.
bool IsRetryableHttpStatus(int http_status);

// True for the gRPC codes a client retries (CANCELLED, DEADLINE_EXCEEDED, ABORTED,
// OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS; RESOURCE_EXHAUSTED only with a RetryInfo detail).
bool IsRetryableGrpcCode(int grpc_code, bool has_retry_info);

// Parses a Retry-After header value: delta-seconds ("120") or an HTTP-date
// ("Wed, 21 Oct 2015 07:28:00 GMT", also the obsolete RFC 850 and asctime forms), relative
// to `now`. A date in the past is a zero delay. Returns nullopt when unparsable.
std::optional<std::chrono::nanoseconds> ParseRetryAfter(std::string_view value,
                                                        std::chrono::system_clock::time_point now);

// The backoff before retry number `retry` (1 = the wait before the second attempt), with
// `uniform01` ∈ [0, 1) choosing the jitter.
std::chrono::nanoseconds BackoffDelay(const RetryPolicy& policy, int retry, double uniform01);

// The hooks the retry loop needs from its owner.
struct RetryHooks {
  // One attempt that must finish by the given deadline.
  std::function<AttemptOutcome(std::chrono::steady_clock::time_point deadline)> attempt;
  // Blocks until the given time; returns false when woken early to give up (shutdown).
  std::function<bool(std::chrono::steady_clock::time_point until)> wait_until;
  // A uniform random number in [0, 1).
  std::function<double()> uniform01;
};

// Runs attempts until one succeeds (returns its outcome), one fails permanently, the
// attempts run out or the next wait would pass `deadline` (returns the last failure; a
// retryable failure that gives up is reported as Unavailable or DeadlineExceeded), or
// wait_until() returns false (Cancelled). Never blocks past `deadline` by itself.
AttemptOutcome RunWithRetry(const RetryPolicy& policy,
                            std::chrono::steady_clock::time_point deadline, const RetryHooks& hooks,
                            int* attempts_made = nullptr);

}  // namespace klio::telemetry::exporter
