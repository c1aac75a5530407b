// Clock: wall time and monotonic time behind an interface, so tests control time.
//
// Thread-safety: all implementations are safe to call from many threads.
#pragma once

#include <chrono>

namespace klio::env {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (for timestamps shown to people and stored in metadata).
  virtual std::chrono::system_clock::time_point Now() const = 0;
  // Monotonic time (for durations and deadlines).
  virtual std::chrono::steady_clock::time_point SteadyNow() const = 0;
  // Blocks for `d` (a ManualClock advances itself instead of sleeping).
  virtual void SleepFor(std::chrono::nanoseconds d) = 0;
};

// The real clock (never null, never destroyed).
Clock& RealClock();

}  // namespace klio::env
