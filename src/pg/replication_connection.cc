#include "pg/replication_connection.h"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <vector>

#include "base/wal_name.h"
#include "pg/conninfo.h"
#include "pg/pq_errors.h"
#include "pg/replication_values.h"

namespace klio::pg {
namespace {

using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;
using PollEvents = decltype(pollfd::events);

constexpr int kMinServerVersion = 150000;
constexpr unsigned kByteaOid = 17;

struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

using Row = std::vector<std::optional<std::string>>;

// The answer to one command: the first row set (if any) and how it ended.
struct CommandResult {
  ExecStatusType status = PGRES_EMPTY_QUERY;
  std::vector<unsigned> types;
  std::vector<Row> rows;
};

void IgnoreNotice(void* /*arg*/, const char* /*message*/) {}

std::string TrimRight(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s;
}

// libpq's messages may span lines ("...failed: ...\n\tIs the server running..."); a Status
// message is one line.
std::string OneLine(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n') {
      out += text[i];
      continue;
    }
    while (i + 1 < text.size() && (text[i + 1] == '\t' || text[i + 1] == ' ')) ++i;
    if (i + 1 < text.size()) out += "; ";
  }
  return out;
}

void FillRows(const PGresult* r, CommandResult* out) {
  const int cols = PQnfields(r);
  for (int c = 0; c < cols; ++c) out->types.push_back(PQftype(r, c));
  for (int i = 0; i < PQntuples(r); ++i) {
    Row row;
    for (int c = 0; c < cols; ++c) {
      if (PQgetisnull(r, i, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(
            std::string(PQgetvalue(r, i, c), static_cast<size_t>(PQgetlength(r, i, c))));
      }
    }
    out->rows.push_back(std::move(row));
  }
}

class PqReplicationConnection final : public ReplicationConnection {
 public:
  PqReplicationConnection(const ReplicationConnectionOptions& options,
                          std::vector<std::string> secrets, int wake_fd)
      : options_(options),
        clock_(options.clock != nullptr ? options.clock : &env::RealClock()),
        secrets_(std::move(secrets)),
        wake_fd_(wake_fd) {}

  ~PqReplicationConnection() override {
    FreeBuffer();
    if (conn_ != nullptr) PQfinish(conn_);
    ::close(wake_fd_);
  }

  Status Open(const std::string& dsn, milliseconds connect_timeout, const std::stop_token& stop);

  const std::string& target() const override { return target_; }
  Result<SystemIdentity> IdentifySystem() override;
  Result<uint64_t> WalSegmentSize() override;
  Result<std::optional<SlotInfo>> ReadReplicationSlot(std::string_view name) override;
  Status CreatePhysicalSlot(std::string_view name, bool reserve_wal) override;
  Result<TimelineHistoryFile> TimelineHistory(TimelineId tli) override;
  Status StartReplication(std::string_view slot, Lsn start, TimelineId tli) override;
  Result<ReplicationMessage> Receive(milliseconds timeout) override;
  Status SendStatus(Lsn write, Lsn flush, Lsn apply, bool reply_requested) override;
  Result<std::optional<EndOfTimeline>> EndCopy() override;
  void Wakeup() override {
    const uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof(one));
  }

 private:
  enum class State { kIdle, kStreaming, kBroken };
  enum class Wait { kReady, kTimeout, kWoken };

  SteadyTime Deadline(milliseconds d) const { return clock_->SteadyNow() + d; }
  // "postgres <target>: <what>: <detail>" with every secret removed.
  std::string Msg(std::string_view what, std::string_view detail) const {
    return RedactText("postgres " + target_ + ": " + std::string(what) + ": " + OneLine(detail),
                      secrets_);
  }
  std::string LibpqError() const { return TrimRight(PQerrorMessage(conn_)); }
  // Marks the connection unusable and returns `s`.
  Status Fail(Status s) {
    state_ = State::kBroken;
    broken_ = s;
    return s;
  }
  Status Lost(std::string_view what) {
    return Fail(Status::Unavailable(Msg(what, "connection lost: " + LibpqError())));
  }
  Status ServerError(const PGresult* r, std::string_view what);
  Status RequireState(State want, std::string_view what) const;
  void FreeBuffer() {
    if (copy_buf_ != nullptr) PQfreemem(copy_buf_);
    copy_buf_ = nullptr;
  }

  // Waits for `events` on the socket (and for Wakeup() when `wakeable`) until `deadline`.
  Result<Wait> WaitSocket(PollEvents events, SteadyTime deadline, bool wakeable);
  // Sends everything libpq has queued, waiting until `deadline`.
  Status Flush(SteadyTime deadline, std::string_view what);
  // The next result of the running command (null when there are no more).
  Result<ResultPtr> NextResult(SteadyTime deadline, std::string_view what);
  // Runs `sql` and collects its results; stops at a COPY BOTH result.
  Result<CommandResult> RunCommand(const std::string& sql, std::string_view what);
  // Reads the results that follow the end of a COPY BOTH stream until there are none.
  // Returns the end-of-timeline tuple when one came.
  Result<std::optional<EndOfTimeline>> ReadStreamResults(SteadyTime deadline,
                                                         std::string_view what);
  // The server ended its side of the stream (PQgetCopyData returned -1).
  Result<ReplicationMessage> FinishServerCopy();
  Status CheckShape(const CommandResult& r, size_t rows, size_t cols, std::string_view what);

  ReplicationConnectionOptions options_;
  env::Clock* clock_;
  std::vector<std::string> secrets_;
  int wake_fd_;
  PGconn* conn_ = nullptr;
  std::string target_ = "(not connected)";
  State state_ = State::kIdle;
  Status broken_;
  char* copy_buf_ = nullptr;
};

Status PqReplicationConnection::Open(const std::string& dsn, milliseconds connect_timeout,
                                     const std::stop_token& stop) {
  std::stop_callback wake_on_stop(stop, [this] { Wakeup(); });
  const char* keywords[] = {"application_name", "dbname", "replication", nullptr};
  const char* values[] = {options_.application_name.c_str(), dsn.c_str(), "true", nullptr};
  // Later keywords override earlier ones, and the expanded dbname overrides what precedes it:
  // the connection string wins over our application_name, and replication=true wins over it.
  conn_ = PQconnectStartParams(keywords, values, /*expand_dbname=*/1);
  if (conn_ == nullptr) return Status::ResourceExhausted("postgres: libpq out of memory");
  PQsetNoticeProcessor(conn_, IgnoreNotice, nullptr);
  auto update_target = [this] {
    const char* host = PQhost(conn_);
    const char* port = PQport(conn_);
    target_ = std::string(host != nullptr && *host != '\0' ? host : "localhost") + ":" +
              (port != nullptr && *port != '\0' ? port : "5432");
  };
  update_target();
  if (PQstatus(conn_) == CONNECTION_BAD) return Lost("connect");
  const SteadyTime deadline = Deadline(connect_timeout);
  PostgresPollingStatusType poll_status = PGRES_POLLING_WRITING;
  while (poll_status != PGRES_POLLING_OK) {
    if (poll_status == PGRES_POLLING_FAILED) {
      update_target();
      return Fail(Status::Unavailable(Msg("connect", LibpqError())));
    }
    KLIO_ASSIGN_OR_RETURN(
        Wait w, WaitSocket(poll_status == PGRES_POLLING_READING ? POLLIN : POLLOUT, deadline,
                           /*wakeable=*/true));
    if (w == Wait::kTimeout) {
      return Fail(Status::DeadlineExceeded(Msg(
          "connect", "no connection within " + std::to_string(connect_timeout.count()) + " ms")));
    }
    if (w == Wait::kWoken && stop.stop_requested()) {
      return Fail(Status::Cancelled(Msg("connect", "cancelled")));
    }
    poll_status = PQconnectPoll(conn_);
    update_target();
  }
  if (PQserverVersion(conn_) < kMinServerVersion) {
    return Fail(Status::FailedPrecondition(
        Msg("connect", "server version " + std::to_string(PQserverVersion(conn_)) +
                           " is too old: klio needs PostgreSQL 15 or later "
                           "(READ_REPLICATION_SLOT)")));
  }
  if (PQsetnonblocking(conn_, 1) != 0) return Lost("connect");
  return Status::Ok();
}

Result<PqReplicationConnection::Wait> PqReplicationConnection::WaitSocket(PollEvents events,
                                                                          SteadyTime deadline,
                                                                          bool wakeable) {
  while (true) {
    const int sock = PQsocket(conn_);
    if (sock < 0) return Lost("wait");
    const auto left = std::chrono::ceil<milliseconds>(deadline - clock_->SteadyNow());
    const int timeout_ms = static_cast<int>(std::clamp<int64_t>(left.count(), 0, 1 << 30));
    pollfd fds[2] = {{sock, events, 0}, {wake_fd_, POLLIN, 0}};
    const int n = ::poll(fds, wakeable ? 2 : 1, timeout_ms);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(Status::FromErrno(errno, Msg("wait", "poll")));
    }
    if (wakeable && (fds[1].revents & POLLIN) != 0) {
      uint64_t count = 0;
      [[maybe_unused]] ssize_t r = ::read(wake_fd_, &count, sizeof(count));
      return Wait::kWoken;
    }
    if (n > 0) return Wait::kReady;  // readiness, or an error libpq will report
    if (timeout_ms == 0) return Wait::kTimeout;
  }
}

Status PqReplicationConnection::Flush(SteadyTime deadline, std::string_view what) {
  while (true) {
    const int r = PQflush(conn_);
    if (r == 0) return Status::Ok();
    if (r < 0) return Lost(what);
    KLIO_ASSIGN_OR_RETURN(Wait w, WaitSocket(POLLIN | POLLOUT, deadline, false));
    if (w == Wait::kTimeout) {
      return Fail(Status::DeadlineExceeded(Msg(what, "the server does not read what we send")));
    }
    // libpq's advice for non-blocking sends: read whatever arrived so the server can go on.
    if (PQconsumeInput(conn_) == 0) return Lost(what);
  }
}

Result<ResultPtr> PqReplicationConnection::NextResult(SteadyTime deadline, std::string_view what) {
  while (PQisBusy(conn_)) {
    KLIO_ASSIGN_OR_RETURN(Wait w, WaitSocket(POLLIN, deadline, false));
    if (w == Wait::kTimeout) {
      return Fail(Status::DeadlineExceeded(
          Msg(what, "no answer within " + std::to_string(options_.io_timeout.count()) + " ms")));
    }
    if (PQconsumeInput(conn_) == 0) return Lost(what);
  }
  return ResultPtr(PQgetResult(conn_));
}

Status PqReplicationConnection::ServerError(const PGresult* r, std::string_view what) {
  const char* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
  const char* detail = PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL);
  std::string text = primary != nullptr ? primary : TrimRight(PQresultErrorMessage(r));
  if (detail != nullptr) text += " (" + std::string(detail) + ")";
  if (state != nullptr) text += " [SQLSTATE " + std::string(state) + "]";
  const StatusCode code =
      PQstatus(conn_) == CONNECTION_BAD
          ? StatusCode::kUnavailable
          : StatusCodeForSqlState(state != nullptr ? std::string_view(state) : "");
  Status s(code, Msg(what, text));
  return PQstatus(conn_) == CONNECTION_BAD ? Fail(s) : s;
}

Status PqReplicationConnection::RequireState(State want, std::string_view what) const {
  if (state_ == State::kBroken) {
    return Status::Unavailable(
        Msg(what, "connection unusable after an earlier error: " + broken_.message()));
  }
  if (state_ == want) return Status::Ok();
  return Status::FailedPrecondition(Msg(what, state_ == State::kStreaming
                                                  ? "not allowed while streaming"
                                                  : "no replication stream is open"));
}

Result<CommandResult> PqReplicationConnection::RunCommand(const std::string& sql,
                                                          std::string_view what) {
  KLIO_RETURN_IF_ERROR(RequireState(State::kIdle, what));
  const SteadyTime deadline = Deadline(options_.io_timeout);
  if (PQsendQuery(conn_, sql.c_str()) == 0) return Lost(what);
  KLIO_RETURN_IF_ERROR(Flush(deadline, what));
  CommandResult out;
  bool have_rows = false;
  Status error;
  while (true) {
    KLIO_ASSIGN_OR_RETURN(ResultPtr r, NextResult(deadline, what));
    if (r == nullptr) break;
    const ExecStatusType st = PQresultStatus(r.get());
    switch (st) {
      case PGRES_COPY_BOTH:
        out.status = st;
        return out;
      case PGRES_TUPLES_OK:
        if (!have_rows) {
          out.status = st;
          FillRows(r.get(), &out);
          have_rows = true;
        }
        break;
      case PGRES_COMMAND_OK:
      case PGRES_EMPTY_QUERY:
        if (!have_rows) out.status = st;
        break;
      case PGRES_COPY_IN:
      case PGRES_COPY_OUT:
        return Fail(Status::Corruption(Msg(what, "server unexpectedly started a plain COPY")));
      default:
        if (error.ok()) error = ServerError(r.get(), what);
        if (state_ == State::kBroken) return error;
    }
  }
  if (!error.ok()) return error;
  return out;
}

Status PqReplicationConnection::CheckShape(const CommandResult& r, size_t rows, size_t cols,
                                           std::string_view what) {
  if (r.status == PGRES_TUPLES_OK && r.rows.size() == rows && r.types.size() >= cols) {
    return Status::Ok();
  }
  return Fail(Status::Corruption(Msg(what, "unexpected answer: " + std::to_string(r.rows.size()) +
                                               " rows of " + std::to_string(r.types.size()) +
                                               " columns, expected " + std::to_string(rows) +
                                               " of " + std::to_string(cols))));
}

Result<SystemIdentity> PqReplicationConnection::IdentifySystem() {
  constexpr std::string_view kWhat = "IDENTIFY_SYSTEM";
  KLIO_ASSIGN_OR_RETURN(CommandResult r, RunCommand("IDENTIFY_SYSTEM", kWhat));
  KLIO_RETURN_IF_ERROR(CheckShape(r, 1, 4, kWhat));
  const Row& row = r.rows[0];
  auto bad = [&](std::string_view why) { return Fail(Status::Corruption(Msg(kWhat, why))); };
  if (!row[0] || !row[1] || !row[2]) return bad("null systemid, timeline or xlogpos");
  SystemIdentity id;
  auto system_id = ParseSystemId(*row[0]);
  if (!system_id.ok()) return bad(system_id.status().message());
  auto tli = TimelineId::ParseDecimal(*row[1]);
  if (!tli.ok()) return bad(tli.status().message());
  auto pos = Lsn::Parse(*row[2]);
  if (!pos.ok()) return bad(pos.status().message());
  id.system_id = *system_id;
  id.timeline = *tli;
  id.xlogpos = *pos;
  id.dbname = row[3];
  return id;
}

Result<uint64_t> PqReplicationConnection::WalSegmentSize() {
  constexpr std::string_view kWhat = "SHOW wal_segment_size";
  KLIO_ASSIGN_OR_RETURN(CommandResult r, RunCommand("SHOW wal_segment_size", kWhat));
  KLIO_RETURN_IF_ERROR(CheckShape(r, 1, 1, kWhat));
  if (!r.rows[0][0]) return Fail(Status::Corruption(Msg(kWhat, "null value")));
  auto size = ParseWalSegmentSize(*r.rows[0][0]);
  if (!size.ok()) return Fail(Status::Corruption(Msg(kWhat, size.status().message())));
  return *size;
}

Result<std::optional<SlotInfo>> PqReplicationConnection::ReadReplicationSlot(
    std::string_view name) {
  KLIO_RETURN_IF_ERROR(ValidateSlotName(name));
  const std::string what = "READ_REPLICATION_SLOT " + std::string(name);
  KLIO_ASSIGN_OR_RETURN(CommandResult r, RunCommand(what, what));
  KLIO_RETURN_IF_ERROR(CheckShape(r, 1, 3, what));
  const Row& row = r.rows[0];
  if (!row[0]) return std::optional<SlotInfo>();  // PostgreSQL 15: a row of NULLs = no slot
  SlotInfo info;
  info.type = *row[0];
  if (row[1]) {
    auto lsn = Lsn::Parse(*row[1]);
    if (!lsn.ok()) return Fail(Status::Corruption(Msg(what, lsn.status().message())));
    info.restart_lsn = *lsn;
  }
  if (row[2]) {
    auto tli = TimelineId::ParseDecimal(*row[2]);
    if (!tli.ok()) return Fail(Status::Corruption(Msg(what, tli.status().message())));
    info.restart_tli = *tli;
  }
  return std::optional<SlotInfo>(std::move(info));
}

Status PqReplicationConnection::CreatePhysicalSlot(std::string_view name, bool reserve_wal) {
  KLIO_RETURN_IF_ERROR(ValidateSlotName(name));
  const std::string sql = "CREATE_REPLICATION_SLOT " + std::string(name) + " PHYSICAL" +
                          (reserve_wal ? " (RESERVE_WAL)" : "");
  return RunCommand(sql, sql).status();
}

Result<TimelineHistoryFile> PqReplicationConnection::TimelineHistory(TimelineId tli) {
  if (!tli.valid()) return Status::InvalidArgument("TIMELINE_HISTORY: timeline 0");
  const std::string what = "TIMELINE_HISTORY " + tli.ToString();
  KLIO_ASSIGN_OR_RETURN(CommandResult r, RunCommand(what, what));
  KLIO_RETURN_IF_ERROR(CheckShape(r, 1, 2, what));
  const Row& row = r.rows[0];
  const std::string want = WalFileName::History(tli).ToString(kDefaultWalSegmentSize);
  if (!row[0] || *row[0] != want || !row[1]) {
    return Fail(Status::Corruption(Msg(what, "expected file " + want)));
  }
  TimelineHistoryFile file{*row[0], *row[1]};
  if (r.types[1] == kByteaOid) {  // older servers sent the content as bytea
    size_t n = 0;
    unsigned char* raw =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(row[1]->c_str()), &n);
    if (raw == nullptr) return Status::ResourceExhausted(Msg(what, "out of memory"));
    file.content.assign(reinterpret_cast<const char*>(raw), n);
    PQfreemem(raw);
  }
  return file;
}

Status PqReplicationConnection::StartReplication(std::string_view slot, Lsn start, TimelineId tli) {
  if (!slot.empty()) KLIO_RETURN_IF_ERROR(ValidateSlotName(slot));
  if (!tli.valid()) return Status::InvalidArgument("START_REPLICATION: timeline 0");
  const std::string sql = "START_REPLICATION " +
                          (slot.empty() ? std::string() : "SLOT " + std::string(slot) + " ") +
                          "PHYSICAL " + start.ToString() + " TIMELINE " + tli.ToString();
  KLIO_ASSIGN_OR_RETURN(CommandResult r, RunCommand(sql, sql));
  if (r.status != PGRES_COPY_BOTH) {
    return Fail(Status::Corruption(Msg(sql, "the server did not start streaming")));
  }
  state_ = State::kStreaming;
  return Status::Ok();
}

Result<ReplicationMessage> PqReplicationConnection::Receive(milliseconds timeout) {
  constexpr std::string_view kWhat = "replication stream";
  FreeBuffer();
  KLIO_RETURN_IF_ERROR(RequireState(State::kStreaming, kWhat));
  const SteadyTime deadline = Deadline(timeout);
  while (true) {
    const int n = PQgetCopyData(conn_, &copy_buf_, /*async=*/1);
    if (n > 0) {
      auto msg = ParseServerMessage(
          ByteView(reinterpret_cast<const uint8_t*>(copy_buf_), static_cast<size_t>(n)));
      if (!msg.ok()) return Fail(Status::Corruption(Msg(kWhat, msg.status().message())));
      if (auto* w = std::get_if<XLogData>(&*msg)) return ReplicationMessage(*w);
      return ReplicationMessage(std::get<PrimaryKeepalive>(*msg));
    }
    if (n == -1) return FinishServerCopy();
    if (n < -1) return Lost(kWhat);
    KLIO_ASSIGN_OR_RETURN(Wait w, WaitSocket(POLLIN, deadline, /*wakeable=*/true));
    if (w != Wait::kReady) return ReplicationMessage(ReceiveTimeout{});
    if (PQconsumeInput(conn_) == 0) return Lost(kWhat);
  }
}

Result<std::optional<EndOfTimeline>> PqReplicationConnection::ReadStreamResults(
    SteadyTime deadline, std::string_view what) {
  std::optional<EndOfTimeline> eot;
  Status error;
  while (true) {
    KLIO_ASSIGN_OR_RETURN(ResultPtr r, NextResult(deadline, what));
    if (r == nullptr) break;
    const ExecStatusType st = PQresultStatus(r.get());
    if (st == PGRES_TUPLES_OK) {
      // The end of a historic timeline: one row (next_tli, next_tli_startpos).
      if (PQntuples(r.get()) != 1 || PQnfields(r.get()) < 2 || PQgetisnull(r.get(), 0, 0) ||
          PQgetisnull(r.get(), 0, 1)) {
        return Fail(Status::Corruption(Msg(what, "malformed end-of-timeline result")));
      }
      auto tli = TimelineId::ParseDecimal(PQgetvalue(r.get(), 0, 0));
      auto lsn = Lsn::Parse(PQgetvalue(r.get(), 0, 1));
      if (!tli.ok() || !lsn.ok()) {
        return Fail(Status::Corruption(
            Msg(what, "malformed end-of-timeline result: " +
                          (tli.ok() ? lsn.status().message() : tli.status().message()))));
      }
      eot = EndOfTimeline{*tli, *lsn};
    } else if (st != PGRES_COMMAND_OK) {
      if (error.ok()) error = ServerError(r.get(), what);
      if (state_ == State::kBroken) return error;
    }
  }
  if (!error.ok()) {
    if (state_ != State::kBroken) state_ = State::kIdle;
    return error;
  }
  state_ = State::kIdle;
  return eot;
}

Result<ReplicationMessage> PqReplicationConnection::FinishServerCopy() {
  constexpr std::string_view kWhat = "replication stream";
  const SteadyTime deadline = Deadline(options_.io_timeout);
  KLIO_ASSIGN_OR_RETURN(ResultPtr r, NextResult(deadline, kWhat));
  if (r == nullptr) return Lost(kWhat);
  const ExecStatusType st = PQresultStatus(r.get());
  if (st == PGRES_COPY_IN) {
    // The server sent CopyDone and waits for ours; then it reports the next timeline.
    r.reset();
    if (PQputCopyEnd(conn_, nullptr) != 1) return Lost(kWhat);
    KLIO_RETURN_IF_ERROR(Flush(deadline, kWhat));
    KLIO_ASSIGN_OR_RETURN(std::optional<EndOfTimeline> eot, ReadStreamResults(deadline, kWhat));
    if (!eot) {
      return Fail(Status::Unavailable(
          Msg(kWhat, "the server ended streaming without naming a next timeline")));
    }
    return ReplicationMessage(*eot);
  }
  if (st == PGRES_COMMAND_OK) {
    // CommandComplete without CopyDone: the walsender is exiting (server shutdown).
    r.reset();
    (void)ReadStreamResults(deadline, kWhat);
    return Fail(Status::Unavailable(
        Msg(kWhat, "the server ended streaming (it is shutting down or was told to stop)")));
  }
  // An error, e.g. a start point ahead of the server's flush position or WAL already removed.
  Status error = ServerError(r.get(), kWhat);
  r.reset();
  if (state_ != State::kBroken) {
    auto rest = ReadStreamResults(deadline, kWhat);
    if (!rest.ok() && state_ == State::kBroken) return rest.status();
  }
  return error;
}

Status PqReplicationConnection::SendStatus(Lsn write, Lsn flush, Lsn apply, bool reply_requested) {
  constexpr std::string_view kWhat = "standby status update";
  KLIO_RETURN_IF_ERROR(RequireState(State::kStreaming, kWhat));
  const Bytes msg = BuildStandbyStatusUpdate(
      {write, flush, apply, ToPostgresTimestamp(clock_->Now()), reply_requested});
  const SteadyTime deadline = Deadline(options_.io_timeout);
  while (true) {
    const int r = PQputCopyData(conn_, reinterpret_cast<const char*>(msg.data()),
                                static_cast<int>(msg.size()));
    if (r == 1) break;
    if (r < 0) return Lost(kWhat);
    KLIO_RETURN_IF_ERROR(Flush(deadline, kWhat));  // libpq's buffer was full
  }
  return Flush(deadline, kWhat);
}

Result<std::optional<EndOfTimeline>> PqReplicationConnection::EndCopy() {
  constexpr std::string_view kWhat = "end of replication";
  FreeBuffer();
  if (state_ == State::kIdle) return std::optional<EndOfTimeline>();
  KLIO_RETURN_IF_ERROR(RequireState(State::kStreaming, kWhat));
  const SteadyTime deadline = Deadline(options_.io_timeout);
  while (true) {
    const int r = PQputCopyEnd(conn_, nullptr);
    if (r == 1) break;
    if (r < 0) return Lost(kWhat);
    KLIO_RETURN_IF_ERROR(Flush(deadline, kWhat));
  }
  KLIO_RETURN_IF_ERROR(Flush(deadline, kWhat));
  // Discard the WAL the server sent before it saw our CopyDone, up to its own CopyDone.
  while (true) {
    char* buf = nullptr;
    const int n = PQgetCopyData(conn_, &buf, /*async=*/1);
    if (buf != nullptr) PQfreemem(buf);
    if (n == -1) break;
    if (n < -1) return Lost(kWhat);
    if (n > 0) continue;
    KLIO_ASSIGN_OR_RETURN(Wait w, WaitSocket(POLLIN, deadline, false));
    if (w == Wait::kTimeout) {
      return Fail(Status::DeadlineExceeded(Msg(kWhat, "the server did not end the stream")));
    }
    if (PQconsumeInput(conn_) == 0) return Lost(kWhat);
  }
  return ReadStreamResults(deadline, kWhat);
}

// The connect_timeout a connection string sets (libpq treats 1 as 2 and <= 0 as "none"), or
// nullopt when it sets none.
std::optional<milliseconds> ConninfoConnectTimeout(const PQconninfoOption* opts) {
  for (const PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (std::string_view(o->keyword) != "connect_timeout" || o->val == nullptr) continue;
    int seconds = 0;
    const std::string_view v(o->val);
    auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), seconds);
    if (ec != std::errc() || ptr != v.data() + v.size() || seconds <= 0) return std::nullopt;
    return std::chrono::seconds(std::max(seconds, 2));
  }
  return std::nullopt;
}

}  // namespace

Result<std::unique_ptr<ReplicationConnection>> ConnectReplication(
    std::string_view dsn, const ReplicationConnectionOptions& options, std::stop_token stop) {
  const std::string conninfo(dsn);
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &err);
  if (parsed == nullptr) {
    std::string why = err != nullptr ? TrimRight(err) : "out of memory";
    if (err != nullptr) PQfreemem(err);
    if (ConninfoMayHoldSecret(conninfo)) {
      why =
          "libpq's explanation is withheld because the string mentions a password; check "
          "its quoting";
    }
    return Status::InvalidArgument("postgres connection string: " + why);
  }
  const milliseconds connect_timeout =
      ConninfoConnectTimeout(parsed).value_or(options.connect_timeout);
  PQconninfoFree(parsed);

  const int wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd < 0) return Status::FromErrno(errno, "postgres: eventfd");
  auto conn =
      std::make_unique<PqReplicationConnection>(options, ConninfoSecrets(conninfo), wake_fd);
  KLIO_RETURN_IF_ERROR(conn->Open(conninfo, connect_timeout, stop));
  return std::unique_ptr<ReplicationConnection>(std::move(conn));
}

}  // namespace klio::pg
