#include "pg/start_position.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "env/manual_clock.h"
#include "pg/fake_replication_connection.h"

namespace klio::pg {
namespace {

using ::testing::HasSubstr;

constexpr TimelineId kTli1(1);
constexpr TimelineId kTli2(2);
constexpr TimelineId kTli3(3);

// PostgreSQL on timeline 3 at 0/9000000, which left timeline 1 at 0/3000000 and 2 at
// 0/5000000.
const SystemIdentity kPg{7, kTli3, Lsn(0x9000000), std::nullopt};
const std::vector<TimelineHistoryEntry> kHistory = {{kTli1, Lsn(0x3000000)},
                                                    {kTli2, Lsn(0x5000000)}};

TEST(ChooseStartTest, KeepsAPositionOnTheHistory) {
  bool diverged = true;
  EXPECT_EQ(ChooseStart({kTli3, Lsn(0x8000000)}, kPg, kHistory, &diverged).value(),
            (StreamStart{kTli3, Lsn(0x8000000)}));
  EXPECT_FALSE(diverged);
  EXPECT_EQ(ChooseStart({kTli3, Lsn(0x9000000)}, kPg, kHistory).value(),
            (StreamStart{kTli3, Lsn(0x9000000)}));
  // An old timeline before its switch point: PostgreSQL streams it and then switches.
  EXPECT_EQ(ChooseStart({kTli1, Lsn(0x2FFFFFF)}, kPg, kHistory).value(),
            (StreamStart{kTli1, Lsn(0x2FFFFFF)}));
}

TEST(ChooseStartTest, MovesToTheNextTimelineAtTheSwitchPoint) {
  bool diverged = true;
  EXPECT_EQ(ChooseStart({kTli1, Lsn(0x3000000)}, kPg, kHistory, &diverged).value(),
            (StreamStart{kTli2, Lsn(0x3000000)}));
  EXPECT_FALSE(diverged);
  // Past the switch point: the archive has the old primary's tail of timeline 1, which is
  // not PostgreSQL's history; timeline 2 is streamed from where it forked.
  EXPECT_EQ(ChooseStart({kTli1, Lsn(0x5800000)}, kPg, kHistory, &diverged).value(),
            (StreamStart{kTli2, Lsn(0x3000000)}));
  EXPECT_TRUE(diverged);
  EXPECT_EQ(ChooseStart({kTli2, Lsn(0x5800000)}, kPg, kHistory, &diverged).value(),
            (StreamStart{kTli3, Lsn(0x5000000)}));
  EXPECT_TRUE(diverged);
  // Timelines that ended at the same point (a promotion right after another) are skipped.
  EXPECT_EQ(
      ChooseStart({kTli1, Lsn(0x3000000)}, kPg, {{kTli1, Lsn(0x3000000)}, {kTli2, Lsn(0x3000000)}})
          .value(),
      (StreamStart{kTli3, Lsn(0x3000000)}));
  EXPECT_EQ(ChooseStart({kTli2, Lsn(0x5000000)}, kPg, kHistory, &diverged).value(),
            (StreamStart{kTli3, Lsn(0x5000000)}));
  EXPECT_FALSE(diverged);
}

TEST(ChooseStartTest, RefusesWhatPostgresDoesNotHave) {
  auto ahead = ChooseStart({kTli3, Lsn(0x9000001)}, kPg, kHistory);
  EXPECT_EQ(ahead.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(ahead.status().message(),
              HasSubstr("0/9000001 on timeline 3 is beyond the WAL postgres is on timeline 3 "
                        "at 0/9000000 has written"));
  auto newer = ChooseStart({TimelineId(4), Lsn(0x100)}, kPg, kHistory);
  EXPECT_EQ(newer.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(newer.status().message(), HasSubstr("newer timeline"));
  // Timeline 5 forked from 1 and 4; 2 is another branch.
  const SystemIdentity pg5{7, TimelineId(5), Lsn(0x9000000), std::nullopt};
  auto other = ChooseStart({kTli2, Lsn(0x100)}, pg5,
                           {{kTli1, Lsn(0x100000)}, {TimelineId(4), Lsn(0x200000)}});
  EXPECT_EQ(other.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(other.status().message(), HasSubstr("timeline 2 is not in the history"));
  EXPECT_EQ(ChooseStart({TimelineId(), Lsn(1)}, kPg, kHistory).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ResolveStartTest, CreatesTheSlotAndProposesItsPosition) {
  env::ManualClock clock;
  FakeReplicationConnection conn(&clock);
  auto plan = ResolveStart(conn, "klio", std::nullopt);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->slot_created);
  EXPECT_EQ(conn.created_slots, std::vector<std::string>{"klio"});
  EXPECT_EQ(plan->segment_size, 16u << 20);
  EXPECT_EQ(plan->proposal, (StreamStart{kTli1, Lsn(0x1000028)}));  // the reserved position
  EXPECT_EQ(plan->start, plan->proposal);

  // Second time: the slot exists; the server's answer is used.
  auto again = ResolveStart(conn, "klio", StreamStart{kTli1, Lsn(0x2000000)});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_FALSE(again->slot_created);
  EXPECT_EQ(again->start, (StreamStart{kTli1, Lsn(0x2000000)}));
}

TEST(ResolveStartTest, WithoutASlotPositionProposesTheCurrentSegment) {
  env::ManualClock clock;
  FakeReplicationConnection conn(&clock);
  conn.slots["klio"] = {"physical", Lsn(), TimelineId()};
  auto plan = ResolveStart(conn, "klio", std::nullopt);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->proposal, (StreamStart{kTli1, Lsn(0x3000000)}));  // 0/3000100 rounded down
  auto no_slot = ResolveStart(conn, "", std::nullopt);
  ASSERT_TRUE(no_slot.ok());
  EXPECT_EQ(no_slot->proposal, (StreamStart{kTli1, Lsn(0x3000000)}));

  conn.slots["logical"] = {"logical", Lsn(0x100), kTli1};
  EXPECT_THAT(ResolveStart(conn, "logical", std::nullopt).status().message(),
              HasSubstr("is logical, not physical"));
}

TEST(ResolveStartTest, ChecksTheAnswerAgainstTheHistory) {
  env::ManualClock clock;
  FakeReplicationConnection conn(&clock);
  conn.identity = {7, kTli2, Lsn(0x4000000), std::nullopt};
  conn.histories[kTli2] = {"00000002.history", "1\t0/3000000\treason\n"};
  conn.slots["klio"] = {"physical", Lsn(0x2000000), kTli1};
  auto plan = ResolveStart(conn, "klio", StreamStart{kTli1, Lsn(0x3400000)});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_EQ(plan->proposal, (StreamStart{kTli1, Lsn(0x2000000)}));
  EXPECT_EQ(plan->start, (StreamStart{kTli2, Lsn(0x3000000)}));
  EXPECT_TRUE(plan->archive_diverged);
}

}  // namespace
}  // namespace klio::pg
