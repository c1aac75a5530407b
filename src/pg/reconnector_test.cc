#include "pg/reconnector.h"

#include <gtest/gtest.h>

#include "env/manual_clock.h"
#include "env/random.h"

namespace klio::pg {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ReconnectorTest, DelaysGrowWithJitterAndStopAtTheCap) {
  env::ManualClock clock;
  env::SeededRandom random(7);
  Reconnector r(
      {.initial_delay = milliseconds(500), .max_delay = seconds(8), .multiplier = 2, .jitter = 0.2},
      clock, random);
  const int64_t bases[] = {500, 1000, 2000, 4000, 8000, 8000, 8000};
  for (int64_t base : bases) {
    const int64_t d = r.NextDelay().count();
    EXPECT_GE(d, base * 8 / 10) << base;
    EXPECT_LE(d, base * 12 / 10) << base;
  }
  for (int i = 0; i < 2000; ++i) EXPECT_LE(r.NextDelay(), milliseconds(9600));  // no overflow
  r.Reset();
  EXPECT_LE(r.NextDelay(), milliseconds(600));
}

TEST(ReconnectorTest, RetriesRetryableErrorsUntilSuccess) {
  env::ManualClock clock;
  env::SeededRandom random(1);
  Reconnector r({.initial_delay = seconds(1), .max_delay = seconds(60), .jitter = 0}, clock,
                random);
  int calls = 0;
  const auto t0 = clock.SteadyNow();
  Status s = r.Run(
      [&](bool*) {
        ++calls;
        return calls < 4 ? Status::Unavailable("postgres down") : Status::Ok();
      },
      {});
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(r.attempts(), 4u);
  EXPECT_EQ(clock.SteadyNow() - t0, seconds(1 + 2 + 4));
}

TEST(ReconnectorTest, ProgressResetsTheBackoff) {
  env::ManualClock clock;
  env::SeededRandom random(1);
  Reconnector r({.initial_delay = seconds(1), .jitter = 0}, clock, random);
  int calls = 0;
  std::vector<std::chrono::steady_clock::time_point> at;
  Status s = r.Run(
      [&](bool* progressed) {
        at.push_back(clock.SteadyNow());
        ++calls;
        *progressed = calls == 3;  // the third attempt streamed for a while, then broke
        return calls < 5 ? Status::Unavailable("x") : Status::Ok();
      },
      {});
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(at.size(), 5u);
  EXPECT_EQ(at[1] - at[0], seconds(1));
  EXPECT_EQ(at[2] - at[1], seconds(2));
  EXPECT_EQ(at[3] - at[2], seconds(1));  // reset by progress
  EXPECT_EQ(at[4] - at[3], seconds(2));
}

TEST(ReconnectorTest, NonRetryableErrorsAndMaxAttemptsEndTheRun) {
  env::ManualClock clock;
  env::SeededRandom random(1);
  Reconnector r({.max_attempts = 3}, clock, random);
  int calls = 0;
  Status s = r.Run(
      [&](bool*) {
        ++calls;
        return Status::FailedPrecondition("requested WAL segment has already been removed");
      },
      {});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(calls, 1);

  calls = 0;
  s = r.Run(
      [&](bool*) {
        ++calls;
        return Status::DeadlineExceeded("slow");
      },
      {});
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_EQ(calls, 3);
}

TEST(ReconnectorTest, StopDuringTheBackoffIsACleanExit) {
  // A clock that requests the stop once a second of backoff has been slept.
  struct StoppingClock : env::Clock {
    env::ManualClock inner;
    std::stop_source stop;
    std::chrono::system_clock::time_point Now() const override { return inner.Now(); }
    std::chrono::steady_clock::time_point SteadyNow() const override { return inner.SteadyNow(); }
    void SleepFor(std::chrono::nanoseconds d) override {
      inner.SleepFor(d);
      if (inner.total_slept() >= seconds(1)) stop.request_stop();
    }
  } clock;
  env::SeededRandom random(1);
  Reconnector r({.initial_delay = seconds(30), .jitter = 0}, clock, random);
  int calls = 0;
  Status s = r.Run(
      [&](bool*) {
        ++calls;
        return Status::Unavailable("down");
      },
      clock.stop.get_token());
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(calls, 1);
  EXPECT_LE(clock.inner.total_slept(), milliseconds(1100));  // slices of at most 100 ms
}

}  // namespace
}  // namespace klio::pg
