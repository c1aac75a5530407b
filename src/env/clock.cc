#include "env/clock.h"

#include <thread>

#include "env/manual_clock.h"

namespace klio::env {

namespace {

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override {
    return std::chrono::system_clock::now();
  }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }
  void SleepFor(std::chrono::nanoseconds d) override {
    if (d > std::chrono::nanoseconds::zero()) std::this_thread::sleep_for(d);
  }
};

// 2024-01-01T00:00:00Z.
constexpr std::chrono::seconds kDefaultWallStart{1704067200};

}  // namespace

Clock& RealClock() {
  static Clock* const clock = new SystemClock();  // leaked: usable during static destruction
  return *clock;
}

ManualClock::ManualClock()
    : ManualClock(std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(kDefaultWallStart))) {}

ManualClock::ManualClock(std::chrono::system_clock::time_point wall_start)
    : wall_(wall_start), steady_(std::chrono::seconds(1000)) {}

std::chrono::system_clock::time_point ManualClock::Now() const {
  std::lock_guard lock(mu_);
  return wall_;
}

std::chrono::steady_clock::time_point ManualClock::SteadyNow() const {
  std::lock_guard lock(mu_);
  return steady_;
}

void ManualClock::SleepFor(std::chrono::nanoseconds d) {
  std::lock_guard lock(mu_);
  ++sleep_count_;
  if (d <= std::chrono::nanoseconds::zero()) return;
  total_slept_ += d;
  wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
}

void ManualClock::Advance(std::chrono::nanoseconds d) {
  if (d <= std::chrono::nanoseconds::zero()) return;
  std::lock_guard lock(mu_);
  wall_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
  steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d);
}

void ManualClock::SetNow(std::chrono::system_clock::time_point t) {
  std::lock_guard lock(mu_);
  wall_ = t;
}

void ManualClock::SetSteadyNow(std::chrono::steady_clock::time_point t) {
  std::lock_guard lock(mu_);
  steady_ = t;
}

std::uint64_t ManualClock::sleep_count() const {
  std::lock_guard lock(mu_);
  return sleep_count_;
}

std::chrono::nanoseconds ManualClock::total_slept() const {
  std::lock_guard lock(mu_);
  return total_slept_;
}

}  // namespace klio::env
