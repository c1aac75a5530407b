// Reconnector: retries a streaming attempt with bounded, jittered exponential backoff while
// its failures are retryable (docs/design/errors.md: Unavailable, DeadlineExceeded,
// ResourceExhausted), so send-wal survives PostgreSQL restarts without a supervisor.
//
// An attempt reports whether it made progress (for WalReceiver: received WAL); progress
// resets the delay to `initial_delay`, so a long healthy stream that breaks is retried
// quickly, while a server that stays down is asked less and less often.
//
// Thread-safety: one Run() at a time; the stop token may be requested from any thread.
// docs/design/pg-replication.md §5.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <stop_token>

#include "base/status.h"
#include "env/clock.h"
#include "env/random.h"

namespace klio::pg {

struct BackoffOptions {
  // Delay after the first failure. Default 500 ms.
  std::chrono::milliseconds initial_delay = std::chrono::milliseconds(500);
  // The delay never exceeds this. Default 30 s.
  std::chrono::milliseconds max_delay = std::chrono::seconds(30);
  // Growth factor per consecutive failure. Default 2.
  double multiplier = 2.0;
  // Each delay is scaled by a uniform factor in [1 - jitter, 1 + jitter]. Default 0.2.
  double jitter = 0.2;
  // Give up after this many consecutive failed attempts without progress; 0 = never.
  // Default 0.
  uint32_t max_attempts = 0;
};

class Reconnector {
 public:
  // `clock` and `random` must outlive the Reconnector (tests pass a ManualClock and a
  // SeededRandom).
  Reconnector(BackoffOptions options, env::Clock& clock, env::Random& random);

  // An attempt: does the work and returns its status; sets *progressed when it got somewhere.
  using Attempt = std::function<Status(bool* progressed)>;

  // Calls `attempt` until it returns OK (returns OK), a non-retryable error (returns it), or
  // max_attempts consecutive retryable failures (returns the last one). Between attempts it
  // sleeps on the clock in slices of at most 100 ms, checking `stop`; when `stop` is
  // requested it returns OK without another attempt (a requested stop is a clean exit).
  Status Run(const Attempt& attempt, const std::stop_token& stop);

  // The delay before the next retry, advancing the backoff state (exposed for tests).
  std::chrono::milliseconds NextDelay();
  // Back to initial_delay.
  void Reset() { failures_ = 0; }

  // Attempts made by Run() so far (all runs).
  uint64_t attempts() const { return attempts_; }

 private:
  BackoffOptions options_;
  env::Clock& clock_;
  env::Random& random_;
  uint32_t failures_ = 0;
  uint64_t attempts_ = 0;
};

}  // namespace klio::pg
