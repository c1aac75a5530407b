#include "env/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "env/manual_clock.h"

namespace klio::env {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ManualClockTest, StartsAtAFixedTime) {
  ManualClock clock;
  EXPECT_EQ(std::chrono::duration_cast<seconds>(clock.Now().time_since_epoch()).count(),
            1704067200);
  EXPECT_GT(clock.SteadyNow().time_since_epoch(), std::chrono::steady_clock::duration::zero());
  const auto t = std::chrono::system_clock::time_point(seconds(42));
  EXPECT_EQ(ManualClock(t).Now(), t);
}

TEST(ManualClockTest, SleepForAdvancesBothTimesWithoutBlocking) {
  ManualClock clock;
  const auto wall = clock.Now();
  const auto steady = clock.SteadyNow();
  const auto real_before = std::chrono::steady_clock::now();
  clock.SleepFor(std::chrono::hours(5));
  clock.SleepFor(milliseconds(250));
  EXPECT_LT(std::chrono::steady_clock::now() - real_before, seconds(5));
  EXPECT_EQ(clock.Now() - wall, std::chrono::hours(5) + milliseconds(250));
  EXPECT_EQ(clock.SteadyNow() - steady, std::chrono::hours(5) + milliseconds(250));
  EXPECT_EQ(clock.sleep_count(), 2u);
  EXPECT_EQ(clock.total_slept(), std::chrono::hours(5) + milliseconds(250));
}

TEST(ManualClockTest, NonPositiveSleepsAreCountedButDoNotMoveTime) {
  ManualClock clock;
  const auto steady = clock.SteadyNow();
  clock.SleepFor(milliseconds(-5));
  clock.SleepFor(milliseconds(0));
  EXPECT_EQ(clock.SteadyNow(), steady);
  EXPECT_EQ(clock.sleep_count(), 2u);
  EXPECT_EQ(clock.total_slept(), milliseconds(0));
}

TEST(ManualClockTest, AdvanceAndSetters) {
  ManualClock clock;
  const auto steady = clock.SteadyNow();
  clock.Advance(seconds(3));
  clock.Advance(seconds(-10));  // ignored
  EXPECT_EQ(clock.SteadyNow() - steady, seconds(3));
  EXPECT_EQ(clock.sleep_count(), 0u);

  const auto wall = std::chrono::system_clock::time_point(seconds(1000));
  clock.SetNow(wall);  // the wall clock may jump backwards
  EXPECT_EQ(clock.Now(), wall);
  EXPECT_EQ(clock.SteadyNow() - steady, seconds(3));  // unaffected

  const auto later = steady + seconds(100);
  clock.SetSteadyNow(later);
  EXPECT_EQ(clock.SteadyNow(), later);
  EXPECT_EQ(clock.Now(), wall);
}

TEST(ManualClockTest, UsableThroughTheInterfaceFromManyThreads) {
  ManualClock manual;
  Clock& clock = manual;
  const auto start = clock.SteadyNow();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) clock.SleepFor(milliseconds(1));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(clock.SteadyNow() - start, seconds(4));
  EXPECT_EQ(manual.sleep_count(), 4000u);
}

TEST(RealClockTest, MonotonicAndSleeps) {
  Clock& clock = RealClock();
  EXPECT_EQ(&clock, &RealClock());
  const auto a = clock.SteadyNow();
  clock.SleepFor(milliseconds(20));
  const auto b = clock.SteadyNow();
  EXPECT_GE(b - a, milliseconds(20));
  // Wall time is close to the system's.
  const auto diff = clock.Now() - std::chrono::system_clock::now();
  EXPECT_LT(std::chrono::abs(diff), seconds(5));
}

}  // namespace
}  // namespace klio::env
