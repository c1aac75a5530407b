#include "testing/postgres_fixture.h"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

namespace klio::testing {
namespace {

using std::chrono::seconds;

std::unique_ptr<PostgresCluster> MustStart(PostgresOptions options = {}) {
  auto c = PostgresCluster::Start(std::move(options));
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return c.ok() ? std::move(c).value() : nullptr;
}

TEST(PostgresClusterTest, StartsWithReplicationSettings) {
  auto pg = MustStart();
  ASSERT_NE(pg, nullptr);
  EXPECT_TRUE(pg->running());
  EXPECT_EQ(pg->host(), "127.0.0.1");
  EXPECT_GT(pg->port(), 0);

  auto version = pg->Query1("SELECT version()");
  ASSERT_TRUE(version.ok()) << version.status().ToString();
  EXPECT_NE(version->find("PostgreSQL 15"), std::string::npos) << *version;
  EXPECT_EQ(pg->Query1("SHOW wal_level").value_or(""), "replica");
  EXPECT_EQ(pg->Query1("SHOW fsync").value_or(""), "on");
  EXPECT_EQ(pg->Query1("SHOW listen_addresses").value_or(""), "127.0.0.1");
  EXPECT_EQ(pg->Query1("SHOW max_wal_senders").value_or(""), "10");
  EXPECT_EQ(pg->Query1("SHOW unix_socket_directories").value_or(""), pg->base_dir());

  auto id = pg->IdentifySystem();
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_GT(id->system_id.size(), 10u) << id->system_id;
  EXPECT_EQ(id->timeline, 1);
  EXPECT_NE(id->xlogpos.find('/'), std::string::npos) << id->xlogpos;

  if (::geteuid() == 0) {
    struct stat st {};
    ASSERT_EQ(::stat(pg->data_dir().c_str(), &st), 0);
    EXPECT_EQ(st.st_uid, *pg->uid());
  }
}

TEST(PostgresClusterTest, ExecReturnsRowsAndClearErrors) {
  auto pg = MustStart({.fsync = false});
  ASSERT_NE(pg, nullptr);
  auto rows = pg->Exec("SELECT g, NULL::text FROM generate_series(1, 3) g ORDER BY g");
  ASSERT_TRUE(rows.ok()) << rows.status().ToString();
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_EQ((*rows)[2][0], "3");
  EXPECT_EQ((*rows)[2][1], "");
  auto none = pg->Exec("CREATE TABLE t (x int)");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());

  auto missing = pg->Exec("SELECT * FROM no_such_table");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(missing.status().message().find("42P01"), std::string::npos)
      << missing.status().message();
  EXPECT_NE(missing.status().message().find("no_such_table"), std::string::npos);

  auto empty = pg->Query1("SELECT 1 WHERE false");
  EXPECT_EQ(empty.status().code(), StatusCode::kNotFound);

  auto no_db = pg->Exec("SELECT 1", "no_such_db");
  ASSERT_FALSE(no_db.ok());
  EXPECT_EQ(no_db.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(no_db.status().message().find("no_such_db"), std::string::npos);
}

TEST(PostgresClusterTest, OptionsReachTheServer) {
  auto pg =
      MustStart({.fsync = false,
                 .wal_segsize_mb = 1,
                 .settings = {{"wal_keep_size", "64MB"}, {"application_name", "it's quoted"}}});
  ASSERT_NE(pg, nullptr);
  EXPECT_EQ(pg->Query1("SHOW fsync").value_or(""), "off");
  EXPECT_EQ(pg->Query1("SHOW wal_segment_size").value_or(""), "1MB");
  EXPECT_EQ(pg->Query1("SHOW wal_keep_size").value_or(""), "64MB");
  EXPECT_EQ(pg->Query1("SHOW application_name").value_or(""), "it's quoted");
}

TEST(PostgresClusterTest, RestartKeepsData) {
  auto pg = MustStart();
  ASSERT_NE(pg, nullptr);
  int port = pg->port();
  ASSERT_TRUE(pg->Exec("CREATE TABLE t (x int); INSERT INTO t VALUES (42)").ok());
  Status s = pg->Restart();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(pg->port(), port);
  EXPECT_EQ(pg->Query1("SELECT x FROM t").value_or(""), "42");

  s = pg->Stop(PostgresCluster::StopMode::kImmediate);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(pg->running());
  EXPECT_FALSE(PortOpen(port));
  s = pg->Restart();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(pg->Query1("SELECT x FROM t").value_or(""), "42");
}

TEST(PostgresClusterTest, Kill9ThenRestartRunsCrashRecovery) {
  auto pg = MustStart();
  ASSERT_NE(pg, nullptr);
  ASSERT_TRUE(pg->Exec("CREATE TABLE t (x int); INSERT INTO t VALUES (7)").ok());
  Status s = pg->Kill9();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_FALSE(pg->running());
  EXPECT_FALSE(PortOpen(pg->port()));
  s = pg->Restart();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(pg->Query1("SELECT x FROM t").value_or(""), "7");
  EXPECT_NE(pg->log().find("automatic recovery in progress"), std::string::npos) << pg->LogTail();
}

TEST(PostgresClusterTest, StandbyStreamsAndPromotesToTimeline2) {
  auto primary = MustStart({.fsync = false});
  ASSERT_NE(primary, nullptr);
  ASSERT_TRUE(primary->Exec("CREATE TABLE t (x int)").ok());
  auto standby_or = primary->MakeStandby({.fsync = false});
  ASSERT_TRUE(standby_or.ok()) << standby_or.status().ToString();
  auto standby = std::move(standby_or).value();
  EXPECT_NE(standby->port(), primary->port());
  EXPECT_EQ(standby->Query1("SELECT pg_is_in_recovery()").value_or(""), "t");

  ASSERT_TRUE(primary->Exec("INSERT INTO t VALUES (1)").ok());
  Status s = WaitFor([&] { return standby->Query1("SELECT count(*) FROM t").value_or("") == "1"; },
                     seconds(30), "row to reach the standby");
  ASSERT_TRUE(s.ok()) << s.ToString();

  auto pid = primary->IdentifySystem();
  auto sid = standby->IdentifySystem();
  ASSERT_TRUE(pid.ok() && sid.ok());
  EXPECT_EQ(sid->system_id, pid->system_id);
  EXPECT_EQ(sid->timeline, 1);

  EXPECT_EQ(primary->Promote().code(), StatusCode::kFailedPrecondition);
  s = standby->Promote();
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(standby->Query1("SELECT pg_is_in_recovery()").value_or(""), "f");
  sid = standby->IdentifySystem();
  ASSERT_TRUE(sid.ok()) << sid.status().ToString();
  EXPECT_EQ(sid->timeline, 2);
  EXPECT_TRUE(standby->Exec("INSERT INTO t VALUES (2)").ok());
}

}  // namespace
}  // namespace klio::testing
