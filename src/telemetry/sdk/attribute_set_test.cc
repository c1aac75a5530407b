// Attribute sets (normalisation, hashing, equality) and the series table (aliases for each
// order, growth, cardinality overflow, concurrent lookups).
#include "telemetry/sdk/attribute_set.h"

#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "telemetry/sdk/series_table.h"

namespace klio::telemetry::sdk {
namespace {

TEST(AttributeSetTest, NormalisesOrderDuplicatesAndEmptyKeys) {
  const Attributes in = {{"b", 1}, {"a", "x"}, {"", 3}, {"b", 2}, {"c", AttributeValue(true)}};
  EXPECT_EQ(NormalizeAttributes(in),
            Attributes({{"a", "x"}, {"b", 2}, {"c", AttributeValue(true)}}));
  EXPECT_EQ(AttributeSet(in),
            AttributeSet(Attributes({{"c", AttributeValue(true)}, {"b", 2}, {"a", "x"}})));
  EXPECT_EQ(AttributeSet(in).hash(),
            AttributeSet(Attributes({{"a", "x"}, {"b", 2}, {"c", AttributeValue(true)}})).hash());
  EXPECT_TRUE(NormalizeAttributes({}).empty());
}

TEST(AttributeSetTest, ValuesOfDifferentTypesDiffer) {
  EXPECT_FALSE(AttributeSet(Attributes({{"k", 1}})) == AttributeSet(Attributes({{"k", "1"}})));
  EXPECT_FALSE(AttributeSet(Attributes({{"k", 1}})) ==
               AttributeSet(Attributes({{"k", AttributeValue(1.0)}})));
  EXPECT_FALSE(AttributeSet(Attributes({{"k", 1}})) == AttributeSet(Attributes({{"j", 1}})));
  EXPECT_NE(HashAttributes(Attributes({{"k", 1}})), HashAttributes(Attributes({{"k", 2}})));
  EXPECT_EQ(AttributeSet(Attributes({{"k", std::vector<std::string>{"a", "b"}}})),
            AttributeSet(Attributes({{"k", std::vector<std::string>{"a", "b"}}})));
}

TEST(AttributeSetTest, NaNFindsItselfAndSignedZerosAreEqual) {
  const Attributes nan = {{"k", AttributeValue(std::nan(""))}};
  EXPECT_TRUE(SameAttributes(nan, nan));
  EXPECT_EQ(AttributeSet(nan), AttributeSet(nan));
  const Attributes pz = {{"k", AttributeValue(0.0)}};
  const Attributes nz = {{"k", AttributeValue(-0.0)}};
  EXPECT_EQ(AttributeSet(pz), AttributeSet(nz));
}

struct TestEntry {
  explicit TestEntry(const Attributes& a) : attributes(a) {}
  Attributes attributes;
};

TEST(SeriesTableTest, OneEntryPerSetWhateverTheOrder) {
  SeriesTable<TestEntry> table(2000);
  auto make = [](const Attributes& a) { return std::make_unique<TestEntry>(a); };
  TestEntry* e1 = table.Find(Attributes({{"a", 1}, {"b", 2}}), make);
  TestEntry* e2 = table.Find(Attributes({{"b", 2}, {"a", 1}}), make);
  TestEntry* e3 = table.Find(Attributes({{"a", 1}, {"b", 2}}), make);
  EXPECT_EQ(e1, e2);
  EXPECT_EQ(e1, e3);
  EXPECT_EQ(e1->attributes, Attributes({{"a", 1}, {"b", 2}}));
  // Growth: many sets, each found again afterwards.
  std::vector<TestEntry*> entries;
  for (int i = 0; i < 1000; ++i) entries.push_back(table.Find(Attributes({{"i", i}}), make));
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(table.Find(Attributes({{"i", i}}), make), entries[i]);
  std::lock_guard<std::mutex> lock(table.mu());
  EXPECT_EQ(table.entries().size(), 1001u);
}

TEST(SeriesTableTest, OverflowPastTheLimit) {
  SeriesTable<TestEntry> table(3);
  auto make = [](const Attributes& a) { return std::make_unique<TestEntry>(a); };
  TestEntry* a = table.Find(Attributes({{"i", 0}}), make);
  TestEntry* b = table.Find(Attributes({{"i", 1}}), make);
  TestEntry* o1 = table.Find(Attributes({{"i", 2}}), make);
  TestEntry* o2 = table.Find(Attributes({{"i", 3}}), make);
  EXPECT_NE(a, b);
  EXPECT_EQ(o1, o2);
  EXPECT_EQ(o1->attributes, Attributes({{"otel.metric.overflow", AttributeValue(true)}}));
  EXPECT_EQ(table.Find(Attributes({{"i", 0}}), make), a);  // known sets stay
  EXPECT_EQ(table.overflowed_sets(), 2u);
}

TEST(SeriesTableTest, ConcurrentLookupsAgree) {
  SeriesTable<TestEntry> table(2000);
  auto make = [](const Attributes& a) { return std::make_unique<TestEntry>(a); };
  std::vector<std::vector<TestEntry*>> seen(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 3; ++round) {
        for (int i = 0; i < 500; ++i) {
          TestEntry* e = table.Find(Attributes({{"i", i}, {"t", "x"}}), make);
          if (round == 2) seen[t].push_back(e);
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 1; t < 4; ++t) EXPECT_EQ(seen[t], seen[0]);
  std::lock_guard<std::mutex> lock(table.mu());
  EXPECT_EQ(table.entries().size(), 500u);
}

}  // namespace
}  // namespace klio::telemetry::sdk
