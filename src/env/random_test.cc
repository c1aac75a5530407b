#include "env/random.h"

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <vector>

namespace klio::env {
namespace {

TEST(SeededRandomTest, SameSeedSameSequence) {
  SeededRandom a(42);
  SeededRandom b(42);
  SeededRandom c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const std::uint64_t x = a.Next64();
    EXPECT_EQ(x, b.Next64());
    differs |= x != c.Next64();
  }
  EXPECT_TRUE(differs);
}

TEST(SeededRandomTest, SequenceIsPinned) {
  // Pins the algorithm (xoshiro256** seeded by SplitMix64, the reference construction):
  // simulations recorded with a seed must replay the same way after a refactor. A zero seed
  // still gives a working generator.
  SeededRandom r(0);
  EXPECT_EQ(r.Next64(), 0x99ec5f36cb75f2b4u);
  EXPECT_EQ(r.Next64(), 0xbf6e1f784956452au);
  EXPECT_EQ(r.Next64(), 0x1a5f849d4933e6e0u);
}

TEST(RandomTest, UniformStaysInRangeAndCoversIt) {
  SeededRandom r(7);
  std::array<int, 10> counts{};
  for (int i = 0; i < 10000; ++i) {
    const std::uint64_t x = r.Uniform(10);
    ASSERT_LT(x, 10u);
    ++counts[x];
  }
  for (int c : counts) {
    EXPECT_GT(c, 800);
    EXPECT_LT(c, 1200);
  }
  EXPECT_EQ(r.Uniform(0), 0u);
  EXPECT_EQ(r.Uniform(1), 0u);
}

TEST(RandomTest, RangeIsInclusive) {
  SeededRandom r(9);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::uint64_t x = r.Range(5, 7);
    ASSERT_GE(x, 5u);
    ASSERT_LE(x, 7u);
    seen.insert(x);
  }
  EXPECT_EQ(seen.size(), 3u);
  EXPECT_EQ(r.Range(9, 3), 9u);
  (void)r.Range(0, UINT64_MAX);
}

TEST(RandomTest, NextDoubleInUnitInterval) {
  SeededRandom r(11);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double d = r.NextDouble();
    ASSERT_GE(d, 0.0);
    ASSERT_LT(d, 1.0);
    sum += d;
  }
  EXPECT_NEAR(sum / 10000, 0.5, 0.02);
}

TEST(RandomTest, FillCoversOddSizes) {
  SeededRandom r(13);
  std::vector<std::uint8_t> buf(13, 0);
  r.Fill(buf);
  int zeros = 0;
  for (std::uint8_t b : buf) zeros += b == 0;
  EXPECT_LT(zeros, 4);
}

TEST(RealRandomTest, ProducesDistinctValues) {
  RealRandom r;
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 100; ++i) seen.insert(r.Next64());
  EXPECT_EQ(seen.size(), 100u);
  EXPECT_EQ(&DefaultRandom(), &DefaultRandom());
  EXPECT_LT(DefaultRandom().Uniform(3), 3u);
}

}  // namespace
}  // namespace klio::env
