#include "cli/config_value.h"

#include <gtest/gtest.h>

#include <chrono>

#include "cli/edit_distance.h"

namespace klio::cli {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

TEST(ParseBool, AcceptsCommonSpellings) {
  for (const char* t : {"true", "TRUE", "yes", "on", "1", "True"}) {
    ASSERT_TRUE(ParseBool(t).ok()) << t;
    EXPECT_TRUE(*ParseBool(t)) << t;
  }
  for (const char* f : {"false", "no", "OFF", "0"}) {
    ASSERT_TRUE(ParseBool(f).ok()) << f;
    EXPECT_FALSE(*ParseBool(f)) << f;
  }
}

TEST(ParseBool, RejectsOtherWords) {
  for (const char* bad : {"", "2", "tru", "enabled", " true"}) {
    Result<bool> r = ParseBool(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(r.status().message(), "expected true or false");
  }
}

TEST(ParseInt, ParsesSignedDecimal) {
  EXPECT_EQ(*ParseInt("42"), 42);
  EXPECT_EQ(*ParseInt("+7"), 7);
  EXPECT_EQ(*ParseInt("-3"), -3);
  EXPECT_EQ(*ParseInt("007"), 7);
  EXPECT_EQ(*ParseInt("9223372036854775807"), INT64_MAX);
}

TEST(ParseInt, RejectsGarbageAndOverflow) {
  for (const char* bad : {"", "x", "1.5", "12a", "0x10", " 1", "+", "-"}) {
    Result<std::int64_t> r = ParseInt(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), "expected an integer") << bad;
  }
  Result<std::int64_t> big = ParseInt("9223372036854775808");
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().message(), "integer out of range");
}

TEST(ParseDuration, ParsesUnitsAndCompounds) {
  EXPECT_EQ(*ParseDuration("10s"), seconds(10));
  EXPECT_EQ(*ParseDuration("200ms"), milliseconds(200));
  EXPECT_EQ(*ParseDuration("1h30m"), minutes(90));
  EXPECT_EQ(*ParseDuration("1.5s"), milliseconds(1500));
  EXPECT_EQ(*ParseDuration("2d"), hours(48));
  EXPECT_EQ(*ParseDuration("5us"), nanoseconds(5000));
  EXPECT_EQ(*ParseDuration("5\xC2\xB5s"), nanoseconds(5000));
  EXPECT_EQ(*ParseDuration("7ns"), nanoseconds(7));
  EXPECT_EQ(*ParseDuration("0"), nanoseconds(0));
  EXPECT_EQ(*ParseDuration("0s"), nanoseconds(0));
  EXPECT_EQ(*ParseDuration("1m1ms"), milliseconds(60001));
}

TEST(ParseDuration, RejectsMalformed) {
  for (const char* bad :
       {"", "10", "s", "-1s", "10x", "1..5s", "1.s", "ten seconds", "10 s", "1s2", "m"}) {
    Result<nanoseconds> r = ParseDuration(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().message(), "expected a duration such as 10s, 200ms or 1h30m") << bad;
  }
  Result<nanoseconds> huge = ParseDuration("3000000h");
  ASSERT_FALSE(huge.ok());
  EXPECT_EQ(huge.status().message(), "duration out of range");
}

TEST(FormatDuration, IsCanonicalAndRoundTrips) {
  EXPECT_EQ(FormatDuration(seconds(10)), "10s");
  EXPECT_EQ(FormatDuration(milliseconds(200)), "200ms");
  EXPECT_EQ(FormatDuration(minutes(90)), "1h30m");
  EXPECT_EQ(FormatDuration(milliseconds(1500)), "1s500ms");
  EXPECT_EQ(FormatDuration(nanoseconds(0)), "0s");
  for (nanoseconds d :
       {nanoseconds(1), nanoseconds(123456789012), nanoseconds(hours(49)) + nanoseconds(17)}) {
    EXPECT_EQ(*ParseDuration(FormatDuration(d)), d) << FormatDuration(d);
  }
}

TEST(ParseByteSize, ParsesBinaryAndDecimalUnits) {
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_EQ(*ParseByteSize("0"), 0u);
  EXPECT_EQ(*ParseByteSize("10B"), 10u);
  EXPECT_EQ(*ParseByteSize("512KiB"), 512u * 1024);
  EXPECT_EQ(*ParseByteSize("2MiB"), 2u * 1024 * 1024);
  EXPECT_EQ(*ParseByteSize("2 MiB"), 2u * 1024 * 1024);
  EXPECT_EQ(*ParseByteSize("2mib"), 2u * 1024 * 1024);
  EXPECT_EQ(*ParseByteSize("3GiB"), 3ULL << 30);
  EXPECT_EQ(*ParseByteSize("1TiB"), 1ULL << 40);
  EXPECT_EQ(*ParseByteSize("1kB"), 1000u);
  EXPECT_EQ(*ParseByteSize("1MB"), 1000u * 1000);
  EXPECT_EQ(*ParseByteSize("1GB"), 1000ULL * 1000 * 1000);
}

TEST(ParseByteSize, RejectsMalformed) {
  for (const char* bad : {"", "MiB", "-1", "1.5MiB", " 1"}) {
    Result<std::uint64_t> r = ParseByteSize(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  }
  EXPECT_EQ(ParseByteSize("2XB").status().message(),
            "unknown byte size unit (use B, KiB, MiB, GiB, TiB, kB, MB, GB or TB)");
  EXPECT_EQ(ParseByteSize("20000000TiB").status().message(), "byte size out of range");
  EXPECT_EQ(ParseByteSize("99999999999999999999").status().message(), "byte size out of range");
}

TEST(FormatByteSize, UsesTheLargestExactBinaryUnit) {
  EXPECT_EQ(FormatByteSize(2u * 1024 * 1024), "2MiB");
  EXPECT_EQ(FormatByteSize(1536), "1536B");
  EXPECT_EQ(FormatByteSize(2048), "2KiB");
  EXPECT_EQ(FormatByteSize(0), "0B");
  EXPECT_EQ(FormatByteSize(1000), "1000B");
  for (std::uint64_t n : {std::uint64_t{1}, std::uint64_t{1} << 40, std::uint64_t{123456789}}) {
    EXPECT_EQ(*ParseByteSize(FormatByteSize(n)), n);
  }
}

TEST(EditDistance, CountsTranspositionsAsOneEdit) {
  EXPECT_EQ(EditDistance("level", "level"), 0u);
  EXPECT_EQ(EditDistance("levle", "level"), 1u);
  EXPECT_EQ(EditDistance("tier1.wal.pth", "tier1.wal.path"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("LOG", "log"), 0u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(ClosestMatch, SuggestsOnlyPlausibleTypos) {
  const std::vector<std::string> keys = {"log.level", "log.format", "tier1.wal.path"};
  EXPECT_EQ(ClosestMatch("log.levle", keys), "log.level");
  EXPECT_EQ(ClosestMatch("log.formt", keys), "log.format");
  EXPECT_EQ(ClosestMatch("tier1.wal.pth", keys), "tier1.wal.path");
  EXPECT_EQ(ClosestMatch("something.else", keys), "");
}

}  // namespace
}  // namespace klio::cli
