// ReplicationConnection against a real PostgreSQL 15 (PostgresCluster fixture).
#include "pg/replication_connection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <thread>

#include "testing/postgres_fixture.h"
#include "testing/process.h"

namespace klio::pg {
namespace {

using ::klio::testing::PostgresCluster;
using ::klio::testing::PostgresOptions;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

std::unique_ptr<PostgresCluster> StartCluster(PostgresOptions options = {}) {
  options.fsync = false;
  auto c = PostgresCluster::Start(std::move(options));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

std::unique_ptr<ReplicationConnection> Connect(const PostgresCluster& pg,
                                               std::string_view extra = "") {
  auto c = ConnectReplication(pg.dsn() + " " + std::string(extra));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

std::string AppNameOfWalSender(const PostgresCluster& pg) {
  std::string name;
  (void)klio::testing::WaitFor(
      [&] {
        name = pg.Query1("SELECT application_name FROM pg_stat_replication").value_or("");
        return !name.empty();
      },
      seconds(10), "walsender");
  return name;
}

TEST(ReplicationConnectionTest, IdentifySystemAndSegmentSize) {
  auto pg = StartCluster();
  ASSERT_NE(pg, nullptr);
  auto conn = Connect(*pg);
  ASSERT_NE(conn, nullptr);
  EXPECT_EQ(conn->target(), "127.0.0.1:" + std::to_string(pg->port()));
  auto id = conn->IdentifySystem();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto expected = pg->IdentifySystem();
  ASSERT_TRUE(expected.ok()) << expected.status().ToString();
  EXPECT_EQ(std::to_string(id->system_id), expected->system_id);
  EXPECT_EQ(id->timeline, TimelineId(1));
  EXPECT_TRUE(id->xlogpos.valid());
  EXPECT_EQ(id->dbname, std::nullopt);  // replication=true: no database
  EXPECT_EQ(conn->WalSegmentSize().value_or(0), 16u << 20);
}

TEST(ReplicationConnectionTest, OneMegabyteSegments) {
  auto pg = StartCluster({.wal_segsize_mb = 1});
  ASSERT_NE(pg, nullptr);
  auto conn = Connect(*pg);
  ASSERT_NE(conn, nullptr);
  auto size = conn->WalSegmentSize();
  ASSERT_TRUE(size.ok()) << size.status().ToString();
  EXPECT_EQ(*size, 1u << 20);
}

TEST(ReplicationConnectionTest, SlotIsCreatedWithReservedWal) {
  auto pg = StartCluster();
  ASSERT_NE(pg, nullptr);
  auto conn = Connect(*pg);
  ASSERT_NE(conn, nullptr);
  auto absent = conn->ReadReplicationSlot("klio");
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_EQ(*absent, std::nullopt);

  ASSERT_TRUE(conn->CreatePhysicalSlot("klio", /*reserve_wal=*/true).ok());
  auto slot = conn->ReadReplicationSlot("klio");
  ASSERT_TRUE(slot.ok()) << slot.status().ToString();
  ASSERT_TRUE(slot->has_value());
  EXPECT_EQ((*slot)->type, "physical");
  EXPECT_TRUE((*slot)->restart_lsn.valid());
  EXPECT_EQ((*slot)->restart_tli, TimelineId(1));
  EXPECT_EQ(pg->Query1("SELECT restart_lsn FROM pg_replication_slots WHERE slot_name = 'klio'")
                .value_or(""),
            (*slot)->restart_lsn.ToString());

  Status again = conn->CreatePhysicalSlot("klio");
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.ToString();
  EXPECT_THAT(again.message(), HasSubstr("already exists"));

  // Without RESERVE_WAL the slot holds no WAL until a client reports a position.
  ASSERT_TRUE(conn->CreatePhysicalSlot("lazy", /*reserve_wal=*/false).ok());
  auto lazy = conn->ReadReplicationSlot("lazy");
  ASSERT_TRUE(lazy.ok() && lazy->has_value());
  EXPECT_FALSE((*lazy)->restart_lsn.valid());
  EXPECT_FALSE((*lazy)->restart_tli.valid());

  EXPECT_EQ(conn->ReadReplicationSlot("Bad-Name").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(conn->CreatePhysicalSlot("x;y").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(conn->StartReplication("a b", Lsn(1), TimelineId(1)).code(),
            StatusCode::kInvalidArgument);
}

TEST(ReplicationConnectionTest, StreamsFromTheRequestedLsnAndEndsCleanly) {
  auto pg = StartCluster();
  ASSERT_NE(pg, nullptr);
  auto conn = Connect(*pg);
  ASSERT_NE(conn, nullptr);
  auto id = conn->IdentifySystem();
  ASSERT_TRUE(id.ok());
  // Not segment-aligned: the first XLogData starts exactly here (platform notes, pitfall 7).
  const Lsn start = Lsn(id->xlogpos.value() - 8);
  ASSERT_TRUE(conn->StartReplication("", start, TimelineId(1)).ok());
  EXPECT_EQ(conn->IdentifySystem().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(AppNameOfWalSender(*pg), "klio");
  ASSERT_TRUE(pg->Exec("CREATE TABLE t AS SELECT g FROM generate_series(1, 10000) g").ok());
  const Lsn target = Lsn::Parse(pg->Query1("SELECT pg_current_wal_flush_lsn()").value()).value();

  Lsn next = start;
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (next < target && std::chrono::steady_clock::now() < deadline) {
    auto msg = conn->Receive(milliseconds(500));
    ASSERT_TRUE(msg.ok()) << msg.status().ToString();
    if (auto* w = std::get_if<XLogData>(&*msg)) {
      ASSERT_EQ(w->data_start, next);
      next = w->data_end();
    } else if (auto* k = std::get_if<PrimaryKeepalive>(&*msg)) {
      if (k->reply_requested) {
        ASSERT_TRUE(conn->SendStatus(next, Lsn(), Lsn(), false).ok());
      }
    }
  }
  EXPECT_GE(next, target);
  ASSERT_TRUE(conn->SendStatus(next, Lsn(), Lsn(), false).ok());
  auto end = conn->EndCopy();
  ASSERT_TRUE(end.ok()) << end.status().ToString();
  EXPECT_EQ(*end, std::nullopt);
  // Commands work again after the stream.
  EXPECT_TRUE(conn->IdentifySystem().ok());
  EXPECT_EQ(conn->Receive(milliseconds(1)).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(conn->EndCopy().value_or(EndOfTimeline{}), std::nullopt);
}

TEST(ReplicationConnectionTest, ApplicationNameFromTheConnectionStringWins) {
  auto pg = StartCluster();
  ASSERT_NE(pg, nullptr);
  ::setenv("PGAPPNAME", "from_env", 1);  // ignored: klio sets application_name itself
  auto conn = Connect(*pg);
  ::unsetenv("PGAPPNAME");
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->StartReplication("", conn->IdentifySystem()->xlogpos, TimelineId(1)).ok());
  EXPECT_EQ(AppNameOfWalSender(*pg), "klio");
  ASSERT_TRUE(conn->EndCopy().ok());
  conn.reset();
  ASSERT_TRUE(klio::testing::WaitFor(
                  [&] {
                    return pg->Query1("SELECT count(*) FROM pg_stat_replication").value_or("") ==
                           "0";
                  },
                  seconds(10), "walsender exit")
                  .ok());

  auto custom = Connect(*pg, "application_name=custom replication=database");
  ASSERT_NE(custom, nullptr);
  EXPECT_EQ(custom->IdentifySystem()->dbname, std::nullopt);  // replication=true still wins
  ASSERT_TRUE(custom->StartReplication("", custom->IdentifySystem()->xlogpos, TimelineId(1)).ok());
  EXPECT_EQ(AppNameOfWalSender(*pg), "custom");
}

TEST(ReplicationConnectionTest, StartInTheFutureIsAClearError) {
  auto pg = StartCluster();
  ASSERT_NE(pg, nullptr);
  auto conn = Connect(*pg);
  ASSERT_NE(conn, nullptr);
  const Lsn now = conn->IdentifySystem()->xlogpos;
  ASSERT_TRUE(conn->StartReplication("", now + (uint64_t{1} << 32), TimelineId(1)).ok());
  auto msg = conn->Receive(seconds(10));
  ASSERT_FALSE(msg.ok());
  EXPECT_EQ(msg.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(msg.status().message(), HasSubstr("ahead of the WAL flush position"));
  EXPECT_THAT(msg.status().message(), HasSubstr("postgres 127.0.0.1:"));
  // The walsender survives the error: the connection takes commands again.
  EXPECT_TRUE(conn->IdentifySystem().ok());
}

TEST(ReplicationConnectionTest, RemovedWalIsFailedPreconditionWithTheServerText) {
  auto pg = StartCluster({.wal_segsize_mb = 1});
  ASSERT_NE(pg, nullptr);
  auto conn = Connect(*pg);
  ASSERT_NE(conn, nullptr);
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(pg->Exec("CREATE TABLE t" + std::to_string(i) + " AS SELECT 1").ok());
    ASSERT_TRUE(pg->Exec("SELECT pg_switch_wal()").ok());
  }
  ASSERT_TRUE(pg->Exec("CHECKPOINT").ok());
  ASSERT_TRUE(conn->StartReplication("", Lsn(0x100000), TimelineId(1)).ok());
  auto msg = conn->Receive(seconds(10));
  ASSERT_FALSE(msg.ok());
  EXPECT_EQ(msg.status().code(), StatusCode::kFailedPrecondition) << msg.status().ToString();
  EXPECT_THAT(msg.status().message(), HasSubstr("has already been removed"));
}

TEST(ReplicationConnectionTest, TimelineOneHasNoHistory) {
  auto pg = StartCluster();
  ASSERT_NE(pg, nullptr);
  auto conn = Connect(*pg);
  ASSERT_NE(conn, nullptr);
  auto h = conn->TimelineHistory(TimelineId(1));
  ASSERT_FALSE(h.ok());
  EXPECT_FALSE(h.status().IsRetryable()) << h.status().ToString();
  EXPECT_THAT(h.status().message(), HasSubstr("TIMELINE_HISTORY 1"));
  EXPECT_TRUE(conn->IdentifySystem().ok());
}

TEST(ReplicationConnectionTest, WakeupInterruptsABlockedReceive) {
  auto pg = StartCluster();
  ASSERT_NE(pg, nullptr);
  auto conn = Connect(*pg);
  ASSERT_NE(conn, nullptr);
  ASSERT_TRUE(conn->StartReplication("", conn->IdentifySystem()->xlogpos, TimelineId(1)).ok());
  std::thread waker([&] {
    std::this_thread::sleep_for(milliseconds(200));
    conn->Wakeup();
  });
  const auto t0 = std::chrono::steady_clock::now();
  bool timed_out = false;
  while (!timed_out) {
    auto msg = conn->Receive(seconds(60));
    ASSERT_TRUE(msg.ok()) << msg.status().ToString();
    timed_out = std::holds_alternative<ReceiveTimeout>(*msg);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(20));
  waker.join();
}

TEST(ReplicationConnectionTest, ServerRestartIsUnavailable) {
  auto pg = StartCluster();
  ASSERT_NE(pg, nullptr);
  auto conn = Connect(*pg);
  ASSERT_NE(conn, nullptr);
  Lsn next = conn->IdentifySystem()->xlogpos;
  ASSERT_TRUE(conn->StartReplication("", next, TimelineId(1)).ok());
  std::thread restarter([&] { EXPECT_TRUE(pg->Restart().ok()); });
  Status end;
  const auto deadline = std::chrono::steady_clock::now() + seconds(60);
  while (end.ok() && std::chrono::steady_clock::now() < deadline) {
    auto msg = conn->Receive(milliseconds(200));
    if (!msg.ok()) {
      end = msg.status();
    } else if (auto* w = std::get_if<XLogData>(&*msg)) {
      next = w->data_end();
    } else if (std::holds_alternative<PrimaryKeepalive>(*msg)) {
      // Confirm everything so the walsender can finish its shutdown handshake quickly.
      ASSERT_TRUE(conn->SendStatus(next, next, next, false).ok());
    }
  }
  restarter.join();
  EXPECT_EQ(end.code(), StatusCode::kUnavailable) << end.ToString();
  EXPECT_TRUE(end.IsRetryable());
  EXPECT_EQ(conn->IdentifySystem().status().code(), StatusCode::kUnavailable);
}

TEST(ReplicationConnectionTest, ErrorsNeverShowThePassword) {
  const int port = klio::testing::FreePort();  // nothing listens there
  const std::string host = "host=127.0.0.1 port=" + std::to_string(port);
  for (const std::string& dsn :
       {host + " user=postgres password=secret connect_timeout=3",
        "postgresql://postgres:secret@127.0.0.1:" + std::to_string(port) + "/postgres",
        host + " password='secret with spaces' user=postgres"}) {
    auto c = ConnectReplication(dsn);
    ASSERT_FALSE(c.ok()) << dsn;
    EXPECT_EQ(c.status().code(), StatusCode::kUnavailable) << c.status().ToString();
    EXPECT_THAT(c.status().message(), HasSubstr("postgres 127.0.0.1:" + std::to_string(port)));
    EXPECT_THAT(c.status().message(), Not(HasSubstr("secret")));
    EXPECT_THAT(c.status().message(), HasSubstr("connect"));
  }
  // Unparsable strings: libpq would quote the fragment after the password.
  for (const std::string& dsn : {host + " password=secret oops", host + " password='secret",
                                 std::string("postgresql://u:secret%zz@h/db")}) {
    auto c = ConnectReplication(dsn);
    ASSERT_FALSE(c.ok()) << dsn;
    EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument) << c.status().ToString();
    EXPECT_THAT(c.status().message(), Not(HasSubstr("secret")));
  }
  // Without a password, libpq's explanation is kept.
  auto c = ConnectReplication(host + " oops");
  EXPECT_THAT(c.status().message(), HasSubstr("oops"));
}

TEST(ReplicationConnectionTest, ConnectCanBeCancelled) {
  // A listener that never answers: the connection attempt hangs in the startup exchange.
  const int port = klio::testing::FreePort();
  auto nc = klio::testing::Subprocess::Start(
      {.argv = {"python3", "-c",
                "import socket,time\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,"
                "socket.SO_REUSEADDR,1)\ns.bind(('127.0.0.1'," +
                    std::to_string(port) + "))\ns.listen()\nc,_=s.accept()\ntime.sleep(60)"}});
  ASSERT_TRUE(nc.ok()) << nc.status().ToString();
  ASSERT_TRUE(
      klio::testing::WaitFor([&] { return klio::testing::PortOpen(port); }, seconds(10), "listener")
          .ok());
  std::stop_source stop;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(300));
    stop.request_stop();
  });
  const auto t0 = std::chrono::steady_clock::now();
  auto c = ConnectReplication("host=127.0.0.1 port=" + std::to_string(port) + " user=postgres",
                              {.connect_timeout = seconds(30)}, stop.get_token());
  canceller.join();
  EXPECT_EQ(c.status().code(), StatusCode::kCancelled) << c.status().ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, seconds(10));
  auto timed = ConnectReplication("host=127.0.0.1 port=" + std::to_string(port) +
                                  " user=postgres connect_timeout=2");
  EXPECT_EQ(timed.status().code(), StatusCode::kDeadlineExceeded) << timed.status().ToString();
}

}  // namespace
}  // namespace klio::pg
