// PostgresCluster: a throwaway PostgreSQL 15 cluster for tests against the real server.
//
// Start() runs initdb into a fresh temp dir, writes the settings klio needs (replica WAL
// level, WAL senders and slots, 127.0.0.1 only, a free port, the socket in the temp dir) and
// starts the postmaster as a child process of the test, so it is always stopped by its PID.
// When the test runs as root the server and its tools run as the `postgres` user (initdb
// refuses root); otherwise they run as the current user. MakeStandby() clones a running
// cluster with pg_basebackup into a streaming standby for timeline-switch tests.
//
// The destructor stops the server (immediate mode) and removes the temp dir (kept when
// KLIO_KEEP_TEST_DIRS is set). When the current gtest test has failed it first prints the
// tail of the server log to stderr.
//
// Thread-safety: Exec(), Query1() and the accessors may be called from many threads at once
// (each Exec opens its own connection). Start/stop methods (Restart, Stop, Kill9, Promote,
// MakeStandby) must not run concurrently with anything else on the same object.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "testing/process.h"

namespace klio::testing {

struct PostgresOptions {
  // fsync=on by default: durability and crash tests need it. Turn off only for speed in tests
  // that never crash the server.
  bool fsync = true;
  // initdb --wal-segsize in MiB (a power of two, 1..1024); nullopt = the default 16 MiB.
  std::optional<int> wal_segsize_mb;
  std::string shared_buffers = "16MB";
  // Extra postgresql.conf settings, appended after the fixture's own (so they override them).
  // Values are quoted by the fixture: {"wal_keep_size", "1GB"}, {"archive_mode", "on"}.
  std::vector<std::pair<std::string, std::string>> settings;
  // Where the PostgreSQL 15 binaries are.
  std::string bin_dir = "/usr/lib/postgresql/15/bin";
  // How long to wait for the server to accept connections after a start.
  std::chrono::milliseconds start_timeout = std::chrono::seconds(60);
};

// What IDENTIFY_SYSTEM answered.
struct SystemIdentity {
  std::string system_id;  // decimal, as the server prints it
  int timeline = 0;
  std::string xlogpos;  // "X/Y"
};

class PostgresCluster {
 public:
  enum class StopMode {
    kFast,       // SIGINT: roll back sessions, shutdown checkpoint
    kImmediate,  // SIGQUIT: no checkpoint; crash recovery on the next start
  };

  // Creates and starts a new cluster. Fails (with initdb's or the server log's tail in the
  // message) when a tool is missing, initdb fails or the server does not come up in time.
  static Result<std::unique_ptr<PostgresCluster>> Start(PostgresOptions options = {});

  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // Clones this (running) cluster with `pg_basebackup -R -X stream` into a new temp dir and
  // starts it as a hot standby streaming from this one, on its own port. `options` applies
  // to the standby (its settings are appended to the copied postgresql.conf; fsync,
  // shared_buffers and wal_segsize_mb of the copy follow the options/primary as usual).
  // Returns once the standby accepts connections.
  Result<std::unique_ptr<PostgresCluster>> MakeStandby(PostgresOptions options = {}) const;

  int port() const { return port_; }
  // Always "127.0.0.1".
  const std::string& host() const { return host_; }
  // "host=127.0.0.1 port=N user=postgres dbname=<db> connect_timeout=10".
  std::string dsn(std::string_view db = "postgres") const;
  // dsn() plus "replication=database": SQL and replication commands on one connection.
  std::string replication_dsn() const;
  // The data directory (PGDATA).
  std::string data_dir() const { return dir_->Join("data"); }
  // The temp dir holding data/, the log and the Unix socket.
  const std::string& base_dir() const { return dir_->path(); }
  // Path of a PostgreSQL binary, e.g. bin("pg_waldump").
  std::string bin(std::string_view name) const;
  // The server's uid/gid for tools that must run as the cluster owner (nullopt = current).
  std::optional<uid_t> uid() const { return uid_; }
  std::optional<gid_t> gid() const { return gid_; }

  // Runs `sql` over a new libpq connection to `db` and returns the rows of the last result
  // as text (NULL becomes ""; a command without rows returns no rows). Errors:
  // Unavailable when the connection fails, FailedPrecondition for an SQL error (message
  // holds SQLSTATE, the server's message and the statement), Unimplemented for COPY.
  Result<std::vector<std::vector<std::string>>> Exec(std::string_view sql,
                                                     std::string_view db = "postgres") const;
  // Like Exec() over any connection string, e.g. replication_dsn() for IDENTIFY_SYSTEM.
  static Result<std::vector<std::vector<std::string>>> ExecOn(std::string_view conninfo,
                                                              std::string_view sql);
  // The first column of the first row; NotFound when there are no rows.
  Result<std::string> Query1(std::string_view sql, std::string_view db = "postgres") const;
  // IDENTIFY_SYSTEM over a replication connection.
  Result<SystemIdentity> IdentifySystem() const;

  // True while the postmaster process is alive.
  bool running();
  // Stops the server if it is running (fast mode), then starts it again on the same port and
  // waits until it accepts connections. Also the way to start it after Stop() or Kill9().
  Status Restart();
  // Stops the server and waits for the postmaster (and so every backend) to exit. OK when it
  // was not running.
  Status Stop(StopMode mode = StopMode::kFast);
  // Simulates a crash: freezes the postmaster (SIGSTOP, so it cannot fork), SIGKILLs every
  // child and then the postmaster, and waits until they are gone. The next Restart() runs
  // crash recovery.
  Status Kill9();
  // Promotes a standby (pg_promote, waiting for it to finish). FailedPrecondition when the
  // server is not in recovery.
  Status Promote();

  // The server log so far (every start appends to it).
  std::string log() const;
  // The last `max_lines` lines of the server log.
  std::string LogTail(int max_lines = 60) const;
  // Prints LogTail() to stderr when the current gtest test has failed. Called by the
  // destructor; call it yourself before tearing down other state if that helps.
  void PrintLogIfFailed() const;

 private:
  PostgresCluster(PostgresOptions options, std::unique_ptr<TempDir> dir, std::optional<uid_t> uid,
                  std::optional<gid_t> gid);

  std::string log_path() const { return dir_->Join("server.log"); }
  // Runs a PostgreSQL tool as the cluster owner; returns its output or an error with it.
  Result<std::string> RunTool(std::vector<std::string> argv) const;
  // Appends the fixture's settings (port, socket dir, ...) and then the options' to
  // postgresql.conf; later lines override earlier ones.
  Status WriteConfig();
  // Picks a free port, writes the config and starts the server; retries with another port
  // when the chosen one was taken in the meantime.
  Status StartOnFreePort();
  // Starts the postmaster and waits until it accepts connections.
  Status StartServer();

  PostgresOptions options_;
  std::unique_ptr<TempDir> dir_;
  std::optional<uid_t> uid_;
  std::optional<gid_t> gid_;
  std::string host_ = "127.0.0.1";
  int port_ = -1;
  Subprocess postmaster_;
};

}  // namespace klio::testing
