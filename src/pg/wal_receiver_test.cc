// WalReceiver's feedback and timeline rules against a scripted connection (fast and
// deterministic); wal_receiver_peer_test.cc runs it against PostgreSQL.
#include "pg/wal_receiver.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "env/manual_clock.h"
#include "pg/fake_replication_connection.h"
#include "pg/memory_wal_sink.h"

namespace klio::pg {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;

constexpr TimelineId kTli1(1);
constexpr TimelineId kTli2(2);

// A sink whose durable position the test sets directly (it may even go backwards).
class SteeredSink final : public WalSink {
 public:
  Status StartStream(TimelineId, Lsn start) override {
    end = start;
    return Status::Ok();
  }
  Status Write(TimelineId, Lsn start, ByteView data) override {
    end = start + data.size();
    return Status::Ok();
  }
  Lsn DurableLsn() override { return durable; }
  Status EndTimeline(const TimelineSwitch&) override { return Status::Ok(); }
  Lsn end;
  Lsn durable;
};

class WalReceiverTest : public ::testing::Test {
 protected:
  WalReceiverOptions Options() {
    return {.slot = "klio",
            .status_interval = seconds(10),
            .durable_poll_interval = milliseconds(100),
            .server_timeout = seconds(60),
            .clock = &clock_};
  }
  // Requests a stop once the script has run out and `extra` more idle polls passed.
  void StopWhenIdle(int extra = 0) {
    conn_.on_idle = [this, extra]() mutable {
      if (extra-- <= 0) stop_.request_stop();
    };
  }

  env::ManualClock clock_;
  FakeReplicationConnection conn_{&clock_};
  std::stop_source stop_;
};

TEST_F(WalReceiverTest, DeliversWalAndReportsDurablePositions) {
  MemoryWalSink sink;
  sink.SetAckLimit(Lsn(0x1000004));
  WalReceiver rx(&sink, Options());
  conn_.PushWal(Lsn(0x1000000), "abcd");
  conn_.PushWal(Lsn(0x1000004), "efgh");
  StopWhenIdle();
  Status s = rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token());
  ASSERT_TRUE(s.ok()) << s.ToString();

  ASSERT_EQ(conn_.starts.size(), 1u);
  EXPECT_EQ(conn_.starts[0].slot, "klio");
  EXPECT_EQ(conn_.starts[0].start, (StreamStart{kTli1, Lsn(0x1000000)}));
  EXPECT_EQ(sink.Range(kTli1, Lsn(0x1000000), Lsn(0x1000008)), ToBytes("abcdefgh"));
  EXPECT_EQ(rx.position(), (StreamStart{kTli1, Lsn(0x1000008)}));
  EXPECT_EQ(rx.bytes_received(), 8u);

  // First update at once (nothing durable beyond the start), then when the ack advanced;
  // write = received, flush = apply = acknowledged; a final one on stop.
  ASSERT_GE(conn_.statuses.size(), 3u);
  EXPECT_EQ(conn_.statuses[0].update.write, Lsn(0x1000000));
  EXPECT_EQ(conn_.statuses[0].update.flush, Lsn(0x1000000));
  EXPECT_EQ(conn_.statuses[1].update.write, Lsn(0x1000004));
  EXPECT_EQ(conn_.statuses[1].update.flush, Lsn(0x1000004));
  EXPECT_EQ(conn_.statuses[1].update.apply, Lsn(0x1000004));
  const auto& last = conn_.statuses.back().update;
  EXPECT_EQ(last.write, Lsn(0x1000008));
  EXPECT_EQ(last.flush, Lsn(0x1000004));  // never more than the sink acknowledged
  for (const auto& st : conn_.statuses) {
    EXPECT_LE(st.update.flush, Lsn(0x1000004));
    EXPECT_FALSE(st.update.reply_requested);
  }
  EXPECT_EQ(conn_.end_copies, 1);
  EXPECT_EQ(rx.reported_flush(), Lsn(0x1000004));
}

TEST_F(WalReceiverTest, FlushNeverDecreasesEvenAcrossRuns) {
  SteeredSink sink;
  WalReceiver rx(&sink, Options());
  sink.durable = Lsn(0x2000);
  conn_.PushWal(Lsn(0x1000), std::string(0x1000, 'x'));
  conn_.on_idle = [&] {
    if (sink.durable == Lsn(0x2000)) {
      sink.durable = Lsn(0x1800);  // a confused sink goes backwards
      conn_.Push(PrimaryKeepalive{Lsn(0x2000), 0, true});
    } else {
      stop_.request_stop();
    }
  };
  ASSERT_TRUE(rx.Run(conn_, {kTli1, Lsn(0x1000)}, stop_.get_token()).ok());
  // Second run on a "new connection" with a sink that restarted lower still.
  sink.durable = Lsn(0x1000);
  std::stop_source stop2;
  conn_.PushWal(Lsn(0x1000), "y");
  conn_.on_idle = [&] { stop2.request_stop(); };
  ASSERT_TRUE(rx.Run(conn_, {kTli1, Lsn(0x1000)}, stop2.get_token()).ok());
  Lsn highest;
  for (const auto& st : conn_.statuses) {
    EXPECT_GE(st.update.flush, highest) << "flush went backwards";
    highest = std::max(highest, st.update.flush);
    EXPECT_EQ(st.update.flush, Lsn(0x2000));
  }
}

TEST_F(WalReceiverTest, SendsStatusAtLeastEveryInterval) {
  MemoryWalSink sink;
  WalReceiver rx(&sink, Options());
  const auto t0 = clock_.SteadyNow();
  conn_.on_idle = [&] {
    if (clock_.SteadyNow() - t0 >= seconds(45)) stop_.request_stop();
  };
  ASSERT_TRUE(rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token()).ok());
  // Updates at 0, 10, 20, 30, 40 s and one at the stop (45 s).
  ASSERT_EQ(conn_.statuses.size(), 6u);
  for (size_t i = 1; i + 1 < conn_.statuses.size(); ++i) {
    EXPECT_EQ(conn_.statuses[i].at - conn_.statuses[i - 1].at, seconds(10)) << i;
  }
}

TEST_F(WalReceiverTest, AnswersKeepalivesThatAskForAReply) {
  MemoryWalSink sink;
  WalReceiver rx(&sink, Options());
  int statuses_before = -1;
  conn_.on_idle = [&] {
    if (statuses_before < 0) {
      statuses_before = static_cast<int>(conn_.statuses.size());
      conn_.Push(PrimaryKeepalive{Lsn(0x1000000), 0, false});
      conn_.Push(PrimaryKeepalive{Lsn(0x1000000), 0, true});
    } else {
      stop_.request_stop();
    }
  };
  const auto t0 = clock_.SteadyNow();
  ASSERT_TRUE(rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token()).ok());
  // Exactly one more update (for the reply request) before the final one, with no time passed.
  ASSERT_EQ(conn_.statuses.size(), static_cast<size_t>(statuses_before) + 2);
  EXPECT_EQ(conn_.statuses[static_cast<size_t>(statuses_before)].at, t0);
}

TEST_F(WalReceiverTest, ReportsAnAcknowledgementAtOnce) {
  MemoryWalSink sink;
  sink.SetAckLimit(Lsn(0x1000000));
  WalReceiver rx(&sink, Options());
  conn_.PushWal(Lsn(0x1000000), "0123456789");
  int idle = 0;
  conn_.on_idle = [&] {
    if (++idle == 3) sink.SetAckLimit(Lsn::kMax);  // the "server" acknowledges later
    if (idle == 4) stop_.request_stop();
  };
  ASSERT_TRUE(rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token()).ok());
  auto acked = std::find_if(conn_.statuses.begin(), conn_.statuses.end(),
                            [](const auto& st) { return st.update.flush == Lsn(0x100000A); });
  ASSERT_NE(acked, conn_.statuses.end());
  // Noticed within one durable poll interval of the ack, long before the 10 s interval.
  EXPECT_LE(acked->at - conn_.statuses.front().at, milliseconds(300));
}

TEST_F(WalReceiverTest, GapInTheStreamIsCorruption) {
  MemoryWalSink sink;
  WalReceiver rx(&sink, Options());
  conn_.PushWal(Lsn(0x1000000), "abcd");
  conn_.PushWal(Lsn(0x1000008), "ijkl");
  Status s = rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("WAL continues at 0/1000008, expected 0/1000004"));
}

TEST_F(WalReceiverTest, ErrorsOfConnectionAndSinkEndTheRun) {
  MemoryWalSink sink;
  WalReceiver rx(&sink, Options());
  conn_.Push(Status::Unavailable("postgres fake: connection lost"));
  EXPECT_EQ(rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token()).code(),
            StatusCode::kUnavailable);

  conn_.PushWal(Lsn(0x1000000), "abcd");
  sink.FailNextWrite(Status::IoError("disk on fire"));
  EXPECT_EQ(rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token()).code(), StatusCode::kIoError);

  FakeReplicationConnection refusing(&clock_);
  refusing.start_error = Status::FailedPrecondition("requested WAL segment has been removed");
  EXPECT_EQ(rx.Run(refusing, {kTli1, Lsn(0x1000000)}, stop_.get_token()).code(),
            StatusCode::kFailedPrecondition);
}

TEST_F(WalReceiverTest, SilentServerIsPingedThenGivenUp) {
  MemoryWalSink sink;
  WalReceiver rx(&sink, Options());
  const auto t0 = clock_.SteadyNow();
  Status s = rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token());
  EXPECT_EQ(s.code(), StatusCode::kUnavailable) << s.ToString();
  EXPECT_THAT(s.message(), HasSubstr("no message from the server for 60000 ms"));
  EXPECT_GE(clock_.SteadyNow() - t0, seconds(60));
  EXPECT_LT(clock_.SteadyNow() - t0, seconds(61));
  auto ping = std::find_if(conn_.statuses.begin(), conn_.statuses.end(),
                           [](const auto& st) { return st.update.reply_requested; });
  ASSERT_NE(ping, conn_.statuses.end());
  EXPECT_EQ(ping->at - t0, seconds(30));
}

TEST_F(WalReceiverTest, FollowsATimelineSwitch) {
  MemoryWalSink sink;
  WalReceiver rx(&sink, Options());
  conn_.histories[kTli2] = {"00000002.history", "1\t0/1000008\tno recovery target specified\n"};
  conn_.PushWal(Lsn(0x1000000), "abcdefgh");
  conn_.Push(EndOfTimeline{kTli2, Lsn(0x1000008)});
  conn_.on_idle = [&] {
    if (conn_.starts.size() == 2 && sink.end().lsn == Lsn(0x1000008)) {
      conn_.PushWal(Lsn(0x1000008), "new");
    } else {
      stop_.request_stop();
    }
  };
  ASSERT_TRUE(rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token()).ok());
  ASSERT_EQ(conn_.starts.size(), 2u);
  EXPECT_EQ(conn_.starts[1].start, (StreamStart{kTli2, Lsn(0x1000008)}));
  ASSERT_EQ(sink.switches().size(), 1u);
  const TimelineSwitch sw = sink.switches()[0];
  EXPECT_EQ(sw.timeline, kTli1);
  EXPECT_EQ(sw.end, Lsn(0x1000008));
  EXPECT_EQ(sw.next_timeline, kTli2);
  EXPECT_EQ(sw.history.filename, "00000002.history");
  EXPECT_EQ(sink.Range(kTli1, Lsn(0x1000000), Lsn(0x1000008)), ToBytes("abcdefgh"));
  EXPECT_EQ(sink.Range(kTli2, Lsn(0x1000008), Lsn(0x100000B)), ToBytes("new"));
  EXPECT_EQ(rx.position(), (StreamStart{kTli2, Lsn(0x100000B)}));
}

TEST_F(WalReceiverTest, TimelineSwitchMustAgreeWithTheStreamAndTheHistory) {
  MemoryWalSink sink;
  WalReceiver rx(&sink, Options());
  // The server claims the switch is beyond what it streamed.
  conn_.PushWal(Lsn(0x1000000), "abcd");
  conn_.Push(EndOfTimeline{kTli2, Lsn(0x1000008)});
  Status s = rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("streamed up to 0/1000004 but says timeline 2 begins at "
                                     "0/1000008"));

  // The history file disagrees with the announced switch point.
  FakeReplicationConnection conn(&clock_);
  conn.histories[kTli2] = {"00000002.history", "1\t0/2000000\treason\n"};
  conn.Push(EndOfTimeline{kTli2, Lsn(0x1000000)});
  s = rx.Run(conn, {kTli1, Lsn(0x1000000)}, stop_.get_token());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_THAT(s.message(), HasSubstr("does not say timeline 1 ends at 0/1000000 (it says "
                                     "0/2000000)"));
  EXPECT_TRUE(sink.switches().empty());
}

TEST_F(WalReceiverTest, StopEndsTheStreamGracefully) {
  MemoryWalSink sink;
  WalReceiver rx(&sink, Options());
  stop_.request_stop();
  ASSERT_TRUE(rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token()).ok());
  EXPECT_TRUE(conn_.starts.empty());  // stopped before it began

  std::stop_source stop;
  conn_.PushWal(Lsn(0x1000000), "ab");
  conn_.on_idle = [&] { stop.request_stop(); };
  ASSERT_TRUE(rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop.get_token()).ok());
  EXPECT_EQ(conn_.end_copies, 1);
  EXPECT_FALSE(conn_.streaming());
  EXPECT_EQ(conn_.statuses.back().update.write, Lsn(0x1000002));
  EXPECT_EQ(conn_.statuses.back().update.flush, Lsn(0x1000002));
}

TEST_F(WalReceiverTest, NotifyDurableWakesTheConnection) {
  MemoryWalSink sink;
  WalReceiver rx(&sink, Options());
  rx.NotifyDurable();  // not running: nothing to wake
  EXPECT_EQ(conn_.wakeups, 0);
  conn_.on_idle = [&] {
    rx.NotifyDurable();
    stop_.request_stop();
  };
  ASSERT_TRUE(rx.Run(conn_, {kTli1, Lsn(0x1000000)}, stop_.get_token()).ok());
  EXPECT_GE(conn_.wakeups, 2);  // NotifyDurable, and the stop callback
}

}  // namespace
}  // namespace klio::pg
