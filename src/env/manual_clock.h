// ManualClock: a Clock for tests whose time moves only when told to.
//
// SleepFor(d) never blocks: it advances both the wall and the monotonic time by `d` and
// records the call, so code with backoff loops runs instantly and deterministically.
//
// Thread-safety: safe from many threads (one mutex).
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>

#include "env/clock.h"

namespace klio::env {

class ManualClock final : public Clock {
 public:
  // Starts at `wall_start` (default 2024-01-01T00:00:00Z) and a monotonic time of 1000 s after
  // the steady clock's epoch (non-zero, so "time_point{}" never looks like a real reading).
  ManualClock();
  explicit ManualClock(std::chrono::system_clock::time_point wall_start);

  // Returns the current manual wall time. Non-blocking.
  std::chrono::system_clock::time_point Now() const override;
  // Returns the current manual monotonic time. Non-blocking.
  std::chrono::steady_clock::time_point SteadyNow() const override;
  // Advances both times by `d` (negative or zero: no change) and counts the call. Never blocks.
  void SleepFor(std::chrono::nanoseconds d) override;

  // Advances both times by `d`; a negative `d` is ignored (time never runs backwards here).
  void Advance(std::chrono::nanoseconds d);
  // Sets the wall time; may move it backwards (as NTP can). The monotonic time is unchanged.
  void SetNow(std::chrono::system_clock::time_point t);
  // Sets the monotonic time. A test may move it backwards to check defensive code, although a
  // real steady clock never does. The wall time is unchanged.
  void SetSteadyNow(std::chrono::steady_clock::time_point t);

  // Number of SleepFor calls so far, and the sum of their (positive) durations.
  std::uint64_t sleep_count() const;
  std::chrono::nanoseconds total_slept() const;

 private:
  mutable std::mutex mu_;
  std::chrono::system_clock::time_point wall_;    // guarded by mu_
  std::chrono::steady_clock::time_point steady_;  // guarded by mu_
  std::uint64_t sleep_count_ = 0;                 // guarded by mu_
  std::chrono::nanoseconds total_slept_{0};       // guarded by mu_
};

}  // namespace klio::env
