// WalReceiver, ResolveStart and Reconnector against a real PostgreSQL 15: the WAL klio
// receives must be byte-identical to PostgreSQL's own segment files, the flush position
// PostgreSQL sees must never exceed what the sink acknowledged, and streaming must survive a
// promotion (timeline switch) and server restarts without a gap.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "base/wal_name.h"
#include "env/random.h"
#include "pg/memory_wal_sink.h"
#include "pg/reconnector.h"
#include "pg/start_position.h"
#include "pg/wal_receiver.h"
#include "testing/postgres_fixture.h"
#include "testing/process.h"

namespace klio::pg {
namespace {

using ::klio::testing::PostgresCluster;
using ::klio::testing::PostgresOptions;
using ::klio::testing::WaitFor;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr TimelineId kTli1(1);
constexpr TimelineId kTli2(2);

std::unique_ptr<PostgresCluster> StartCluster(std::optional<int> wal_segsize_mb) {
  // Keep every segment in pg_wal so the test can compare them after the fact.
  auto c = PostgresCluster::Start(
      {.fsync = false, .wal_segsize_mb = wal_segsize_mb, .settings = {{"wal_keep_size", "2GB"}}});
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

Lsn FlushLsn(const PostgresCluster& pg) {
  auto text = pg.Query1(
      "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_receive_lsn() "
      "ELSE pg_current_wal_flush_lsn() END");
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return Lsn::Parse(text.value_or("0/0")).value_or(Lsn());
}

Lsn LsnOf(const Result<std::string>& text) {
  return text.ok() ? Lsn::Parse(*text).value_or(Lsn()) : Lsn();
}

// Writes about `rows` * 100 bytes of WAL, then ends the segment.
void GenerateWal(const PostgresCluster& pg, const std::string& table, int rows) {
  auto r =
      pg.Exec("CREATE TABLE " + table + " AS SELECT g, md5(g::text) AS h FROM generate_series(1, " +
              std::to_string(rows) + ") g");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(pg.Exec("SELECT pg_switch_wal()").ok());
}

// The bytes of a WAL file in `pg`'s pg_wal (the segment, or its .partial after a promotion).
std::optional<Bytes> ReadSegment(const PostgresCluster& pg, TimelineId tli, SegmentNumber segno,
                                 uint64_t seg_size) {
  const std::string base = pg.data_dir() + "/pg_wal/";
  for (const auto& name : {WalFileName::Segment(tli, segno).ToString(seg_size),
                           WalFileName::Partial(tli, segno).ToString(seg_size)}) {
    std::ifstream in(base + name, std::ios::binary | std::ios::ate);
    if (!in) continue;
    Bytes data(static_cast<size_t>(in.tellg()));
    in.seekg(0);
    if (in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()))) {
      return data;
    }
  }
  return std::nullopt;
}

// Compares everything the sink holds for `tli` with `pg`'s segment files, byte for byte.
// Returns how many whole segments were compared.
int ExpectSameAsPgWal(const PostgresCluster& pg, const MemoryWalSink& sink, TimelineId tli,
                      uint64_t seg_size) {
  auto stream = sink.StreamOf(tli);
  if (!stream) {
    ADD_FAILURE() << "sink holds nothing for timeline " << tli.ToString();
    return 0;
  }
  int whole = 0;
  for (SegmentNumber seg = SegmentOf(stream->start, seg_size);
       SegmentStart(seg, seg_size).value() < stream->end(); seg = seg.Next()) {
    const Lsn seg_start = SegmentStart(seg, seg_size).value();
    const Lsn from = std::max(seg_start, stream->start);
    const Lsn to = std::min(seg_start + seg_size, stream->end());
    const std::string name = WalFileName::Segment(tli, seg).ToString(seg_size);
    auto file = ReadSegment(pg, tli, seg, seg_size);
    if (!file || file->size() != seg_size) {
      ADD_FAILURE() << name << ": missing or short in " << pg.data_dir();
      continue;
    }
    const Bytes got = *sink.Range(tli, from, to);
    const bool same = std::equal(got.begin(), got.end(),
                                 file->begin() + static_cast<ptrdiff_t>(from - seg_start));
    EXPECT_TRUE(same) << name << ": received bytes " << from.ToString() << ".." << to.ToString()
                      << " differ from pg_wal";
    if (same && from == seg_start && to == seg_start + seg_size) ++whole;
  }
  return whole;
}

// Runs a WalReceiver on its own thread until Stop().
class BackgroundReceiver {
 public:
  BackgroundReceiver(ReplicationConnection* conn, WalReceiver* rx, StreamStart start)
      : thread_([=, this] { status_ = rx->Run(*conn, start, stop_.get_token()); }) {}
  ~BackgroundReceiver() { (void)Stop(); }
  Status Stop() {
    stop_.request_stop();
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  std::stop_source stop_;
  Status status_;
  std::thread thread_;
};

Status WaitReceived(const MemoryWalSink& sink, TimelineId tli, Lsn lsn,
                    milliseconds timeout = seconds(60)) {
  return WaitFor(
      [&] {
        const StreamStart end = sink.end();
        return end.timeline == tli && end.lsn >= lsn;
      },
      timeout, "sink to receive " + lsn.ToString() + " on timeline " + tli.ToString());
}

TEST(WalReceiverPeerTest, StreamsSegmentsByteIdenticalToPgWal) {
  auto pg = StartCluster(std::nullopt);  // 16 MiB segments
  ASSERT_NE(pg, nullptr);
  auto conn = ConnectReplication(pg->dsn());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto plan = ResolveStart(**conn, "klio", std::nullopt);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  EXPECT_TRUE(plan->slot_created);
  EXPECT_EQ(plan->segment_size, 16u << 20);
  EXPECT_EQ(plan->start.timeline, kTli1);
  // RESERVE_WAL reserves from the last checkpoint's redo point, at or before the flush.
  EXPECT_LE(plan->start.lsn, plan->identity.xlogpos);
  EXPECT_EQ(pg->Query1("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'klio'")
                .value_or(""),
            plan->start.lsn.ToString());

  MemoryWalSink sink;
  WalReceiver rx(&sink, {.slot = "klio"});
  const auto t0 = std::chrono::steady_clock::now();
  BackgroundReceiver bg(conn->get(), &rx, plan->start);
  GenerateWal(*pg, "a", 200000);
  GenerateWal(*pg, "b", 200000);
  const Lsn target = FlushLsn(*pg);
  ASSERT_TRUE(WaitReceived(sink, kTli1, target).ok());
  const auto elapsed = std::chrono::steady_clock::now() - t0;
  Status s = bg.Stop();
  ASSERT_TRUE(s.ok()) << s.ToString();

  const int whole = ExpectSameAsPgWal(*pg, sink, kTli1, plan->segment_size);
  EXPECT_GE(whole, 2);
  std::printf("streamed %.1f MiB (%d whole segments) in %.2f s\n",
              static_cast<double>(sink.end().lsn - plan->start.lsn) / (1 << 20), whole,
              std::chrono::duration<double>(elapsed).count());
  // After the graceful stop the slot sits exactly where we reported the durable end.
  EXPECT_EQ(rx.reported_flush(), sink.end().lsn);
  EXPECT_EQ(LsnOf(pg->Query1("SELECT restart_lsn FROM pg_replication_slots")), sink.end().lsn);
}

TEST(WalReceiverPeerTest, PostgresSeesOnlyAcknowledgedFlushPositions) {
  auto pg = StartCluster(1);
  ASSERT_NE(pg, nullptr);
  auto conn = ConnectReplication(pg->dsn());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto plan = ResolveStart(**conn, "klio", std::nullopt);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();

  MemoryWalSink sink;
  Lsn acked = plan->start.lsn;
  sink.SetAckLimit(acked);
  WalReceiver rx(&sink, {.slot = "klio"});
  sink.SetOnAck([&rx] { rx.NotifyDurable(); });
  BackgroundReceiver bg(conn->get(), &rx, plan->start);

  auto check = [&](Lsn limit) {
    auto rows = pg->Exec(
        "SELECT r.application_name, r.flush_lsn, r.replay_lsn, s.restart_lsn "
        "FROM pg_stat_replication r, pg_replication_slots s WHERE s.slot_name = 'klio'");
    ASSERT_TRUE(rows.ok()) << rows.status().ToString();
    ASSERT_EQ(rows->size(), 1u);
    const auto& row = (*rows)[0];
    EXPECT_EQ(row[0], "klio");
    const char* names[] = {"", "flush_lsn", "replay_lsn", "restart_lsn"};
    for (size_t i = 1; i < 4; ++i) {
      if (!row[i].empty()) {
        EXPECT_LE(Lsn::Parse(row[i]).value(), limit) << names[i];
      }
    }
  };
  // While WAL flows, sample: nothing beyond the acknowledged position is ever reported.
  std::thread writer([&] {
    for (int i = 0; i < 3; ++i) GenerateWal(*pg, "w" + std::to_string(i), 20000);
  });
  for (int i = 0; i < 20; ++i) {
    check(acked);
    std::this_thread::sleep_for(milliseconds(50));
  }
  writer.join();
  const Lsn target = FlushLsn(*pg);
  ASSERT_TRUE(WaitReceived(sink, kTli1, target).ok());
  check(acked);

  // Acknowledge up to a point in the middle: PostgreSQL's flush and the slot follow exactly.
  acked = plan->start.lsn + (target - plan->start.lsn) / 2;
  sink.SetAckLimit(acked);
  ASSERT_TRUE(
      WaitFor(
          [&] { return LsnOf(pg->Query1("SELECT flush_lsn FROM pg_stat_replication")) == acked; },
          seconds(10), "flush_lsn to reach the acknowledged position")
          .ok())
      << pg->Query1("SELECT flush_lsn FROM pg_stat_replication").value_or("?") << " vs "
      << acked.ToString();
  check(acked);
  EXPECT_EQ(LsnOf(pg->Query1("SELECT restart_lsn FROM pg_replication_slots")), acked);
  EXPECT_EQ(LsnOf(pg->Query1("SELECT write_lsn FROM pg_stat_replication")), sink.end().lsn);

  // Everything acknowledged.
  sink.SetAckLimit(Lsn::kMax);
  ASSERT_TRUE(WaitFor(
                  [&] {
                    return LsnOf(pg->Query1("SELECT flush_lsn FROM pg_stat_replication")) ==
                           sink.end().lsn;
                  },
                  seconds(10), "flush_lsn to reach the end")
                  .ok());
  EXPECT_TRUE(bg.Stop().ok());
}

TEST(WalReceiverPeerTest, FollowsAPromotionToTheNextTimeline) {
  auto primary = StartCluster(1);
  ASSERT_NE(primary, nullptr);
  auto standby_or = primary->MakeStandby({.fsync = false, .settings = {{"wal_keep_size", "2GB"}}});
  ASSERT_TRUE(standby_or.ok()) << standby_or.status().ToString();
  auto standby = std::move(standby_or).value();

  auto conn = ConnectReplication(standby->dsn());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto plan = ResolveStart(**conn, "klio", std::nullopt);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->start.timeline, kTli1);
  const uint64_t seg_size = plan->segment_size;

  MemoryWalSink sink;
  WalReceiver rx(&sink, {.slot = "klio"});
  BackgroundReceiver bg(conn->get(), &rx, plan->start);
  GenerateWal(*primary, "before", 30000);
  const Lsn on_primary = FlushLsn(*primary);
  ASSERT_TRUE(WaitReceived(sink, kTli1, on_primary).ok());

  ASSERT_TRUE(standby->Promote().ok());
  ASSERT_TRUE(
      WaitFor([&] { return !sink.switches().empty(); }, seconds(30), "end of timeline 1").ok());
  GenerateWal(*standby, "after", 30000);
  const Lsn on_new_primary = FlushLsn(*standby);
  ASSERT_TRUE(WaitReceived(sink, kTli2, on_new_primary).ok());
  Status s = bg.Stop();
  ASSERT_TRUE(s.ok()) << s.ToString();

  ASSERT_EQ(sink.switches().size(), 1u);
  const TimelineSwitch sw = sink.switches()[0];
  EXPECT_EQ(sw.timeline, kTli1);
  EXPECT_EQ(sw.next_timeline, kTli2);
  EXPECT_EQ(sw.history.filename, "00000002.history");
  EXPECT_THAT(sw.history.content, HasSubstr("1\t" + sw.end.ToString() + "\t"));
  EXPECT_GE(sw.end, on_primary);
  // Timeline 1 is complete up to the switch point; timeline 2 starts exactly there.
  EXPECT_EQ(sink.StreamOf(kTli1)->end(), sw.end);
  EXPECT_EQ(sink.StreamOf(kTli2)->start, sw.end);
  EXPECT_THAT(sink.starts(), ::testing::ElementsAre(plan->start, StreamStart{kTli2, sw.end}));
  // Both timelines are byte-identical to the files: timeline 1 as the old primary wrote it,
  // timeline 2 as the promoted standby did.
  EXPECT_GE(ExpectSameAsPgWal(*primary, sink, kTli1, seg_size), 1);
  EXPECT_GE(ExpectSameAsPgWal(*standby, sink, kTli2, seg_size), 1);
  EXPECT_EQ(rx.position().timeline, kTli2);
}

TEST(WalReceiverPeerTest, ReconnectsAfterRestartsWithoutAGap) {
  auto pg = StartCluster(1);
  ASSERT_NE(pg, nullptr);
  MemoryWalSink sink;
  WalReceiver rx(&sink, {.slot = "klio"});
  env::SeededRandom random(42);
  Reconnector reconnector({.initial_delay = milliseconds(100), .max_delay = seconds(1)},
                          env::RealClock(), random);
  std::mutex mu;
  std::vector<Status> failures;
  std::stop_source stop;
  Status final_status;
  std::thread streamer([&] {
    final_status = reconnector.Run(
        [&](bool* progressed) -> Status {
          auto conn = ConnectReplication(pg->dsn(), {}, stop.get_token());
          Status s = conn.status();
          if (s.ok()) {
            // Continue where the sink's durable WAL ends (what a klio server would answer).
            std::optional<StreamStart> resume;
            if (sink.DurableLsn().valid())
              resume = StreamStart{sink.end().timeline, sink.DurableLsn()};
            auto plan = ResolveStart(**conn, "klio", resume);
            s = plan.ok() ? rx.Run(**conn, plan->start, stop.get_token()) : plan.status();
            *progressed = rx.bytes_received() > 0;
          }
          if (!s.ok()) {
            std::lock_guard<std::mutex> lock(mu);
            failures.push_back(s);
          }
          return s;
        },
        stop.get_token());
  });

  GenerateWal(*pg, "a", 20000);
  ASSERT_TRUE(WaitReceived(sink, kTli1, FlushLsn(*pg)).ok());
  ASSERT_TRUE(pg->Restart().ok());  // fast shutdown: the walsender ends the stream
  GenerateWal(*pg, "b", 20000);
  ASSERT_TRUE(WaitReceived(sink, kTli1, FlushLsn(*pg)).ok());
  ASSERT_TRUE(pg->Kill9().ok());  // crash: the connection just breaks
  ASSERT_TRUE(pg->Restart().ok());
  GenerateWal(*pg, "c", 20000);
  const Lsn target = FlushLsn(*pg);
  ASSERT_TRUE(WaitReceived(sink, kTli1, target).ok());
  stop.request_stop();
  streamer.join();
  EXPECT_TRUE(final_status.ok()) << final_status.ToString();

  {
    std::lock_guard<std::mutex> lock(mu);
    ASSERT_GE(failures.size(), 2u);
    for (const Status& f : failures) {
      std::printf("attempt ended: %s\n", f.ToString().c_str());
      EXPECT_EQ(f.code(), StatusCode::kUnavailable) << f.ToString();
    }
  }
  EXPECT_GE(reconnector.attempts(), 3u);
  // Every restart resumed at the durable end: one stream, no gap, same bytes as pg_wal.
  const auto starts = sink.starts();
  ASSERT_GE(starts.size(), 3u);
  EXPECT_GE(ExpectSameAsPgWal(*pg, sink, kTli1, 1u << 20), 2);
  EXPECT_EQ(LsnOf(pg->Query1("SELECT restart_lsn FROM pg_replication_slots")), sink.end().lsn);
}

TEST(WalReceiverPeerTest, StartInTheFutureIsAClearError) {
  auto pg = StartCluster(1);
  ASSERT_NE(pg, nullptr);
  auto conn = ConnectReplication(pg->dsn());
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  auto plan = ResolveStart(**conn, "klio", std::nullopt);
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  // The check before streaming: the archive claims WAL PostgreSQL never wrote.
  const StreamStart future{kTli1, plan->identity.xlogpos + (uint64_t{1} << 32)};
  auto refused = ResolveStart(**conn, "klio", future);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.status().message(), HasSubstr("beyond the WAL postgres"));
  // And PostgreSQL's own refusal when asked anyway.
  MemoryWalSink sink;
  WalReceiver rx(&sink, {.slot = "klio"});
  Status s = rx.Run(**conn, future, {});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("ahead of the WAL flush position"));
}

}  // namespace
}  // namespace klio::pg
