// PqSession: the libpq plumbing under the replication connection (internal to src/pg) — one
// non-blocking PGconn, a deadline on every wait, an eventfd that can interrupt a wait, error
// messages in one form without secrets, and a "broken" state after fatal errors.
//
// Every message is "postgres <host>:<port>: <what>: <detail>" on one line, with the connection
// string's secrets replaced (docs/design/pg-replication.md §6). After Fail() — connection
// lost, deadline passed, protocol violation — every RequireState() returns Unavailable.
//
// Thread-safety: one thread at a time, except Wakeup(), which any thread may call.
#pragma once

#include <libpq-fe.h>
#include <poll.h>

#include <chrono>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "env/clock.h"

namespace klio::pg {

struct PqResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PqResultPtr = std::unique_ptr<PGresult, PqResultDeleter>;

class PqSession {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;
  using PollEvents = decltype(pollfd::events);
  using Row = std::vector<std::optional<std::string>>;

  // The answer to one command: the first row set (if any) and how the command ended.
  struct CommandResult {
    ExecStatusType status = PGRES_EMPTY_QUERY;
    std::vector<Oid> types;
    std::vector<Row> rows;
  };
  enum class State { kIdle, kStreaming, kBroken };
  enum class Wait { kReady, kTimeout, kWoken };

  // `clock` must outlive the session; `secrets` are replaced in every message.
  PqSession(env::Clock* clock, std::chrono::milliseconds io_timeout,
            std::vector<std::string> secrets);
  ~PqSession();
  PqSession(const PqSession&) = delete;
  PqSession& operator=(const PqSession&) = delete;

  // Connects with the given libpq keywords/values (expand_dbname on), waiting up to
  // `connect_timeout`; Cancelled when `stop` is requested meanwhile. Then requires PostgreSQL
  // 15+ and switches the connection to non-blocking mode. Blocks; network I/O.
  Status Open(const char* const* keywords, const char* const* values,
              std::chrono::milliseconds connect_timeout, const std::stop_token& stop);

  PGconn* conn() const { return conn_; }
  // "host:port" of the server (or of the attempt in progress).
  const std::string& target() const { return target_; }
  State state() const { return state_; }
  void set_state(State s) { state_ = s; }
  // Now plus io_timeout, on the session's clock.
  SteadyTime IoDeadline() const { return Deadline(io_timeout_); }
  SteadyTime Deadline(std::chrono::milliseconds d) const { return clock_->SteadyNow() + d; }
  env::Clock* clock() const { return clock_; }

  // "postgres <target>: <what>: <detail>", one line, secrets replaced.
  std::string Msg(std::string_view what, std::string_view detail) const;
  // Marks the session broken and returns `s`.
  Status Fail(Status s);
  // Fail(Unavailable) with libpq's error message.
  Status Lost(std::string_view what);
  // The Status for an error result (pq_errors.h); Fail()s when the connection is gone.
  Status ServerError(const PGresult* r, std::string_view what);
  // OK in state `want`; Unavailable when broken; FailedPrecondition otherwise.
  Status RequireState(State want, std::string_view what) const;

  // Waits for `events` on the socket (and for Wakeup() when `wakeable`) until `deadline`.
  Result<Wait> WaitSocket(PollEvents events, SteadyTime deadline, bool wakeable);
  // Sends everything libpq has queued, waiting until `deadline`.
  Status Flush(SteadyTime deadline, std::string_view what);
  // The next result of the running command (null when there are no more), waiting until
  // `deadline`.
  Result<PqResultPtr> NextResult(SteadyTime deadline, std::string_view what);
  // Sends `sql` and collects its results until there are no more or a COPY BOTH result
  // (returned with status PGRES_COPY_BOTH). Requires State::kIdle. Waits up to io_timeout.
  Result<CommandResult> RunCommand(const std::string& sql, std::string_view what);
  // Corruption (and Fail) unless `r` is a row set of `rows` rows with at least `cols`
  // columns.
  Status CheckShape(const CommandResult& r, size_t rows, size_t cols, std::string_view what);

  // Makes the current or next wakeable WaitSocket() return kWoken. Thread-safe.
  void Wakeup();

 private:
  std::string LibpqError() const;
  void UpdateTarget();

  env::Clock* clock_;
  std::chrono::milliseconds io_timeout_;
  std::vector<std::string> secrets_;
  int wake_fd_ = -1;
  PGconn* conn_ = nullptr;
  std::string target_ = "(not connected)";
  State state_ = State::kIdle;
  Status broken_;
};

}  // namespace klio::pg
