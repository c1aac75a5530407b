// Tests for the OTLP retry policy: retryable codes, Retry-After parsing, backoff with jitter
// and the retry loop's stop conditions (with fake waits: no real sleeping).
#include "telemetry/export/otlp_retry.h"

#include <gtest/gtest.h>

#include <deque>

namespace klio::telemetry::exporter {
namespace {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

TEST(OtlpRetryTest, RetryableHttpStatuses) {
  for (int code : {429, 502, 503, 504}) EXPECT_TRUE(IsRetryableHttpStatus(code)) << code;
  for (int code : {200, 400, 401, 403, 404, 408, 413, 500, 501, 505}) {
    EXPECT_FALSE(IsRetryableHttpStatus(code)) << code;
  }
}

TEST(OtlpRetryTest, RetryableGrpcCodes) {
  // otel-reference §2.9: index = code.
  const bool want[17] = {false, true, false, false, true,  false, false, false, false,
                         false, true, true,  false, false, true,  true,  false};
  for (int code = 0; code <= 16; ++code) {
    EXPECT_EQ(IsRetryableGrpcCode(code, false), want[code]) << code;
  }
  EXPECT_TRUE(IsRetryableGrpcCode(8, true));  // RESOURCE_EXHAUSTED with RetryInfo
  EXPECT_FALSE(IsRetryableGrpcCode(3, true));
}

TEST(OtlpRetryTest, ParseRetryAfter) {
  // 2015-10-21 07:28:00 UTC.
  const auto now = std::chrono::system_clock::from_time_t(1445412480);
  EXPECT_EQ(ParseRetryAfter("120", now), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), seconds(0));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:28:03 GMT", now), seconds(3));
  EXPECT_EQ(ParseRetryAfter("Wednesday, 21-Oct-15 07:28:10 GMT", now), seconds(10));
  EXPECT_EQ(ParseRetryAfter("Wed Oct 21 07:29:00 2015", now), seconds(60));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2015 07:00:00 GMT", now), nanoseconds(0));    // past
  EXPECT_EQ(ParseRetryAfter("99999999999999999999999", now), std::chrono::hours(24));  // capped
  EXPECT_FALSE(ParseRetryAfter("", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("-5", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("1.5", now).has_value());
  EXPECT_FALSE(ParseRetryAfter("soon", now).has_value());
}

TEST(OtlpRetryTest, BackoffGrowsCapsAndJitters) {
  RetryPolicy p;  // 1 s, ×1.5, max 5 s, ±50 %
  EXPECT_EQ(BackoffDelay(p, 1, 0.5), seconds(1));
  EXPECT_EQ(BackoffDelay(p, 2, 0.5), milliseconds(1500));
  EXPECT_EQ(BackoffDelay(p, 3, 0.5), milliseconds(2250));
  EXPECT_EQ(BackoffDelay(p, 10, 0.5), seconds(5));
  EXPECT_EQ(BackoffDelay(p, 1, 0.0), milliseconds(500));
  EXPECT_EQ(BackoffDelay(p, 10, 1.0), milliseconds(7500));
  p.jitter = 0;
  EXPECT_EQ(BackoffDelay(p, 1, 0.0), seconds(1));
}

// A scripted attempt sequence with recorded waits; waits "pass" instantly.
struct Script {
  std::deque<AttemptOutcome> outcomes;
  std::vector<nanoseconds> waits;
  bool cancel_waits = false;
  int attempts = 0;

  RetryHooks Hooks() {
    RetryHooks h;
    h.attempt = [this](steady_clock::time_point) {
      ++attempts;
      AttemptOutcome o = outcomes.front();
      if (outcomes.size() > 1) outcomes.pop_front();
      return o;
    };
    h.wait_until = [this](steady_clock::time_point until) {
      waits.push_back(until - steady_clock::now());
      return !cancel_waits;
    };
    h.uniform01 = [] { return 0.5; };
    return h;
  }
};

RetryPolicy FastPolicy() {
  RetryPolicy p;
  p.initial_backoff = milliseconds(10);
  p.max_backoff = milliseconds(40);
  p.jitter = 0;
  return p;
}

TEST(OtlpRetryTest, RetriesUntilSuccess) {
  Script s;
  s.outcomes = {AttemptOutcome::Retryable(Status::Unavailable("503")),
                AttemptOutcome::Retryable(Status::Unavailable("503")), AttemptOutcome::Ok("body")};
  int made = 0;
  AttemptOutcome o =
      RunWithRetry(FastPolicy(), steady_clock::now() + seconds(10), s.Hooks(), &made);
  EXPECT_EQ(o.kind, AttemptOutcome::Kind::kOk);
  EXPECT_EQ(o.body, "body");
  EXPECT_EQ(made, 3);
  ASSERT_EQ(s.waits.size(), 2u);
  EXPECT_GT(s.waits[0], milliseconds(9));
  EXPECT_LE(s.waits[0], milliseconds(10));
  EXPECT_GT(s.waits[1], milliseconds(14));
  EXPECT_LE(s.waits[1], milliseconds(15));
}

TEST(OtlpRetryTest, PermanentFailureIsNotRetried) {
  Script s;
  s.outcomes = {AttemptOutcome::Permanent(Status::InvalidArgument("400"))};
  AttemptOutcome o = RunWithRetry(FastPolicy(), steady_clock::now() + seconds(10), s.Hooks());
  EXPECT_EQ(o.kind, AttemptOutcome::Kind::kPermanent);
  EXPECT_EQ(o.status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.attempts, 1);
  EXPECT_TRUE(s.waits.empty());
}

TEST(OtlpRetryTest, AttemptsRunOut) {
  Script s;
  s.outcomes = {AttemptOutcome::Retryable(Status::Unavailable("503 from peer"))};
  AttemptOutcome o = RunWithRetry(FastPolicy(), steady_clock::now() + seconds(10), s.Hooks());
  EXPECT_EQ(s.attempts, 5);
  EXPECT_EQ(o.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(o.status.message().find("gave up after 5 attempts"), std::string::npos);
  EXPECT_NE(o.status.message().find("503 from peer"), std::string::npos);
}

TEST(OtlpRetryTest, ServerHintIsHonouredWhenLonger) {
  Script s;
  s.outcomes = {AttemptOutcome::Retryable(Status::Unavailable("429"), milliseconds(300)),
                AttemptOutcome::Retryable(Status::Unavailable("429"), milliseconds(1)),
                AttemptOutcome::Ok("")};
  AttemptOutcome o = RunWithRetry(FastPolicy(), steady_clock::now() + seconds(10), s.Hooks());
  EXPECT_EQ(o.kind, AttemptOutcome::Kind::kOk);
  ASSERT_EQ(s.waits.size(), 2u);
  EXPECT_GT(s.waits[0], milliseconds(290));
  EXPECT_LE(s.waits[1], milliseconds(15));  // backoff beats the shorter hint
  EXPECT_GT(s.waits[1], milliseconds(10));
}

TEST(OtlpRetryTest, GivesUpAtOnceWhenTheWaitWouldPassTheDeadline) {
  Script s;
  s.outcomes = {AttemptOutcome::Retryable(Status::Unavailable("503"), seconds(30))};
  const auto start = steady_clock::now();
  AttemptOutcome o = RunWithRetry(FastPolicy(), start + seconds(2), s.Hooks());
  EXPECT_EQ(s.attempts, 1);
  EXPECT_TRUE(s.waits.empty());
  EXPECT_EQ(o.status.code(), StatusCode::kUnavailable);
  EXPECT_NE(o.status.message().find("deadline"), std::string::npos);
}

TEST(OtlpRetryTest, TimeoutOfTheLastAttemptIsDeadlineExceeded) {
  Script s;
  s.outcomes = {AttemptOutcome::Retryable(Status::DeadlineExceeded("timed out"))};
  RetryPolicy p = FastPolicy();
  p.max_attempts = 1;
  AttemptOutcome o = RunWithRetry(p, steady_clock::now() + seconds(2), s.Hooks());
  EXPECT_EQ(o.status.code(), StatusCode::kDeadlineExceeded);
}

TEST(OtlpRetryTest, CancelledWaitStops) {
  Script s;
  s.outcomes = {AttemptOutcome::Retryable(Status::Unavailable("503"))};
  s.cancel_waits = true;
  AttemptOutcome o = RunWithRetry(FastPolicy(), steady_clock::now() + seconds(10), s.Hooks());
  EXPECT_EQ(s.attempts, 1);
  EXPECT_EQ(o.status.code(), StatusCode::kCancelled);
}

TEST(OtlpRetryTest, PassedDeadlineMakesNoAttempt) {
  Script s;
  s.outcomes = {AttemptOutcome::Ok("")};
  AttemptOutcome o = RunWithRetry(FastPolicy(), steady_clock::now() - seconds(1), s.Hooks());
  EXPECT_EQ(s.attempts, 0);
  EXPECT_EQ(o.status.code(), StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace klio::telemetry::exporter
