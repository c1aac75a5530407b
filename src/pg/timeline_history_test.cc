#include "pg/timeline_history.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace klio::pg {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(TimelineHistoryTest, ParsesPostgresFile) {
  const std::string content =
      "1\t0/3000000\tno recovery target specified\n"
      "\n"
      "# a comment\n"
      "  2\t0/50000A0\tbefore 2024-01-01 00:00:00+00\n";
  auto h = ParseTimelineHistory(content, TimelineId(3));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_THAT(*h, ElementsAre(TimelineHistoryEntry{TimelineId(1), Lsn(0x3000000)},
                              TimelineHistoryEntry{TimelineId(2), Lsn(0x50000A0)}));
  EXPECT_EQ(TimelineEnd(*h, TimelineId(3), TimelineId(1)), Lsn(0x3000000));
  EXPECT_EQ(TimelineEnd(*h, TimelineId(3), TimelineId(2)), Lsn(0x50000A0));
  EXPECT_EQ(TimelineEnd(*h, TimelineId(3), TimelineId(3)), Lsn::kMax);
  EXPECT_EQ(TimelineEnd(*h, TimelineId(3), TimelineId(4)), std::nullopt);
  EXPECT_EQ(NextTimeline(*h, TimelineId(3), TimelineId(1)), TimelineId(2));
  EXPECT_EQ(NextTimeline(*h, TimelineId(3), TimelineId(2)), TimelineId(3));
  EXPECT_EQ(NextTimeline(*h, TimelineId(3), TimelineId(3)), std::nullopt);
}

TEST(TimelineHistoryTest, SkipsTimelinesAndAcceptsMissingReason) {
  // Timeline 5 descends from 1 and 4 (2 and 3 were other branches); no reason column.
  auto h = ParseTimelineHistory("1\t0/100\n4\t0/200", TimelineId(5));
  ASSERT_TRUE(h.ok()) << h.status().ToString();
  EXPECT_EQ(h->size(), 2u);
  EXPECT_EQ(NextTimeline(*h, TimelineId(5), TimelineId(1)), TimelineId(4));
  EXPECT_TRUE(ParseTimelineHistory("", TimelineId(1)).value().empty());
}

TEST(TimelineHistoryTest, RejectsMalformedFiles) {
  struct Case {
    std::string content;
    std::string error;
  };
  for (const Case& c : std::vector<Case>{
           {"1 0/100 reason\n", "line 1 \"1 0/100 reason\": expected <timeline> TAB"},
           {"x\t0/100\n", "bad timeline"},
           {"0\t0/100\n", "bad timeline"},
           {"1\t100\n", "bad switch point"},
           {"1\t0/100\n\n1\t0/200\n", "line 3 \"1\\x090/200\": timelines must increase"},
           {"1\t0/200\n2\t0/100\n", "switch points must not decrease"},
           {"3\t0/200\n", "an ancestor must be below timeline 3"},
       }) {
    auto h = ParseTimelineHistory(c.content, TimelineId(3));
    ASSERT_FALSE(h.ok()) << c.content;
    EXPECT_EQ(h.status().code(), StatusCode::kCorruption);
    EXPECT_THAT(h.status().message(), HasSubstr(c.error));
    EXPECT_THAT(h.status().message(), HasSubstr("history file of timeline 3"));
  }
}

}  // namespace
}  // namespace klio::pg
