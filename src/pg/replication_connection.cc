#include "pg/replication_connection.h"

#include <charconv>
#include <vector>

#include "base/wal_name.h"
#include "pg/conninfo.h"
#include "pg/pq_session.h"
#include "pg/replication_values.h"

namespace klio::pg {
namespace {

using std::chrono::milliseconds;

constexpr Oid kByteaOid = 17;

// ReplicationConnection over a PqSession; see replication_connection.h for the contract.
class PqReplicationConnection final : public ReplicationConnection {
 public:
  PqReplicationConnection(const ReplicationConnectionOptions& options,
                          std::vector<std::string> secrets)
      : s_(options.clock != nullptr ? options.clock : &env::RealClock(), options.io_timeout,
           std::move(secrets)) {}
  ~PqReplicationConnection() override { FreeBuffer(); }

  PqSession& session() { return s_; }

  const std::string& target() const override { return s_.target(); }
  Result<SystemIdentity> IdentifySystem() override;
  Result<uint64_t> WalSegmentSize() override;
  Result<std::optional<SlotInfo>> ReadReplicationSlot(std::string_view name) override;
  Status CreatePhysicalSlot(std::string_view name, bool reserve_wal) override;
  Result<TimelineHistoryFile> TimelineHistory(TimelineId tli) override;
  Status StartReplication(std::string_view slot, Lsn start, TimelineId tli) override;
  Result<ReplicationMessage> Receive(milliseconds timeout) override;
  Status SendStatus(Lsn write, Lsn flush, Lsn apply, bool reply_requested) override;
  Result<std::optional<EndOfTimeline>> EndCopy() override;
  void Wakeup() override { s_.Wakeup(); }

 private:
  void FreeBuffer() {
    if (copy_buf_ != nullptr) PQfreemem(copy_buf_);
    copy_buf_ = nullptr;
  }
  // Reads the results that follow the end of a COPY BOTH stream until there are none.
  // Returns the end-of-timeline tuple when one came.
  Result<std::optional<EndOfTimeline>> ReadStreamResults(PqSession::SteadyTime deadline,
                                                         std::string_view what);
  // The server ended its side of the stream (PQgetCopyData returned -1).
  Result<ReplicationMessage> FinishServerCopy();

  PqSession s_;
  char* copy_buf_ = nullptr;  // the last CopyData, which an XLogData payload points into
};

Result<SystemIdentity> PqReplicationConnection::IdentifySystem() {
  constexpr std::string_view kWhat = "IDENTIFY_SYSTEM";
  KLIO_ASSIGN_OR_RETURN(PqSession::CommandResult r, s_.RunCommand("IDENTIFY_SYSTEM", kWhat));
  KLIO_RETURN_IF_ERROR(s_.CheckShape(r, 1, 4, kWhat));
  const PqSession::Row& row = r.rows[0];
  auto bad = [&](std::string_view why) { return s_.Fail(Status::Corruption(s_.Msg(kWhat, why))); };
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
  KLIO_ASSIGN_OR_RETURN(PqSession::CommandResult r, s_.RunCommand("SHOW wal_segment_size", kWhat));
  KLIO_RETURN_IF_ERROR(s_.CheckShape(r, 1, 1, kWhat));
  if (!r.rows[0][0]) return s_.Fail(Status::Corruption(s_.Msg(kWhat, "null value")));
  auto size = ParseWalSegmentSize(*r.rows[0][0]);
  if (!size.ok()) return s_.Fail(Status::Corruption(s_.Msg(kWhat, size.status().message())));
  return *size;
}

Result<std::optional<SlotInfo>> PqReplicationConnection::ReadReplicationSlot(
    std::string_view name) {
  KLIO_RETURN_IF_ERROR(ValidateSlotName(name));
  const std::string what = "READ_REPLICATION_SLOT " + std::string(name);
  KLIO_ASSIGN_OR_RETURN(PqSession::CommandResult r, s_.RunCommand(what, what));
  KLIO_RETURN_IF_ERROR(s_.CheckShape(r, 1, 3, what));
  const PqSession::Row& row = r.rows[0];
  if (!row[0]) return std::optional<SlotInfo>();  // PostgreSQL 15: a row of NULLs = no slot
  SlotInfo info;
  info.type = *row[0];
  if (row[1]) {
    auto lsn = Lsn::Parse(*row[1]);
    if (!lsn.ok()) return s_.Fail(Status::Corruption(s_.Msg(what, lsn.status().message())));
    info.restart_lsn = *lsn;
  }
  if (row[2]) {
    auto tli = TimelineId::ParseDecimal(*row[2]);
    if (!tli.ok()) return s_.Fail(Status::Corruption(s_.Msg(what, tli.status().message())));
    info.restart_tli = *tli;
  }
  return std::optional<SlotInfo>(std::move(info));
}

Status PqReplicationConnection::CreatePhysicalSlot(std::string_view name, bool reserve_wal) {
  KLIO_RETURN_IF_ERROR(ValidateSlotName(name));
  const std::string sql = "CREATE_REPLICATION_SLOT " + std::string(name) + " PHYSICAL" +
                          (reserve_wal ? " (RESERVE_WAL)" : "");
  return s_.RunCommand(sql, sql).status();
}

Result<TimelineHistoryFile> PqReplicationConnection::TimelineHistory(TimelineId tli) {
  if (!tli.valid()) return Status::InvalidArgument("TIMELINE_HISTORY: timeline 0");
  const std::string what = "TIMELINE_HISTORY " + tli.ToString();
  KLIO_ASSIGN_OR_RETURN(PqSession::CommandResult r, s_.RunCommand(what, what));
  KLIO_RETURN_IF_ERROR(s_.CheckShape(r, 1, 2, what));
  const PqSession::Row& row = r.rows[0];
  const std::string want = WalFileName::History(tli).ToString(kDefaultWalSegmentSize);
  if (!row[0] || *row[0] != want || !row[1]) {
    return s_.Fail(Status::Corruption(s_.Msg(what, "expected file " + want)));
  }
  TimelineHistoryFile file{*row[0], *row[1]};
  if (r.types[1] == kByteaOid) {  // older servers sent the content as bytea
    size_t n = 0;
    unsigned char* raw =
        PQunescapeBytea(reinterpret_cast<const unsigned char*>(row[1]->c_str()), &n);
    if (raw == nullptr) return Status::ResourceExhausted(s_.Msg(what, "out of memory"));
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
  KLIO_ASSIGN_OR_RETURN(PqSession::CommandResult r, s_.RunCommand(sql, sql));
  if (r.status != PGRES_COPY_BOTH) {
    return s_.Fail(Status::Corruption(s_.Msg(sql, "the server did not start streaming")));
  }
  s_.set_state(PqSession::State::kStreaming);
  return Status::Ok();
}

Result<ReplicationMessage> PqReplicationConnection::Receive(milliseconds timeout) {
  constexpr std::string_view kWhat = "replication stream";
  FreeBuffer();
  KLIO_RETURN_IF_ERROR(s_.RequireState(PqSession::State::kStreaming, kWhat));
  const PqSession::SteadyTime deadline = s_.Deadline(timeout);
  while (true) {
    const int n = PQgetCopyData(s_.conn(), &copy_buf_, /*async=*/1);
    if (n > 0) {
      auto msg = ParseServerMessage(
          ByteView(reinterpret_cast<const uint8_t*>(copy_buf_), static_cast<size_t>(n)));
      if (!msg.ok()) return s_.Fail(Status::Corruption(s_.Msg(kWhat, msg.status().message())));
      if (auto* w = std::get_if<XLogData>(&*msg)) return ReplicationMessage(*w);
      return ReplicationMessage(std::get<PrimaryKeepalive>(*msg));
    }
    if (n == -1) return FinishServerCopy();
    if (n < -1) return s_.Lost(kWhat);
    KLIO_ASSIGN_OR_RETURN(PqSession::Wait w, s_.WaitSocket(POLLIN, deadline, /*wakeable=*/true));
    if (w != PqSession::Wait::kReady) return ReplicationMessage(ReceiveTimeout{});
    if (PQconsumeInput(s_.conn()) == 0) return s_.Lost(kWhat);
  }
}

Result<std::optional<EndOfTimeline>> PqReplicationConnection::ReadStreamResults(
    PqSession::SteadyTime deadline, std::string_view what) {
  std::optional<EndOfTimeline> eot;
  Status error;
  while (true) {
    KLIO_ASSIGN_OR_RETURN(PqResultPtr r, s_.NextResult(deadline, what));
    if (r == nullptr) break;
    const ExecStatusType st = PQresultStatus(r.get());
    if (st == PGRES_TUPLES_OK) {
      // The end of a historic timeline: one row (next_tli, next_tli_startpos).
      if (PQntuples(r.get()) != 1 || PQnfields(r.get()) < 2 || PQgetisnull(r.get(), 0, 0) ||
          PQgetisnull(r.get(), 0, 1)) {
        return s_.Fail(Status::Corruption(s_.Msg(what, "malformed end-of-timeline result")));
      }
      auto tli = TimelineId::ParseDecimal(PQgetvalue(r.get(), 0, 0));
      auto lsn = Lsn::Parse(PQgetvalue(r.get(), 0, 1));
      if (!tli.ok() || !lsn.ok()) {
        return s_.Fail(Status::Corruption(
            s_.Msg(what, "malformed end-of-timeline result: " +
                             (tli.ok() ? lsn.status().message() : tli.status().message()))));
      }
      eot = EndOfTimeline{*tli, *lsn};
    } else if (st != PGRES_COMMAND_OK) {
      if (error.ok()) error = s_.ServerError(r.get(), what);
      if (s_.state() == PqSession::State::kBroken) return error;
    }
  }
  if (!error.ok()) {
    if (s_.state() != PqSession::State::kBroken) s_.set_state(PqSession::State::kIdle);
    return error;
  }
  s_.set_state(PqSession::State::kIdle);
  return eot;
}

Result<ReplicationMessage> PqReplicationConnection::FinishServerCopy() {
  constexpr std::string_view kWhat = "replication stream";
  const PqSession::SteadyTime deadline = s_.IoDeadline();
  KLIO_ASSIGN_OR_RETURN(PqResultPtr r, s_.NextResult(deadline, kWhat));
  if (r == nullptr) return s_.Lost(kWhat);
  const ExecStatusType st = PQresultStatus(r.get());
  if (st == PGRES_COPY_IN) {
    // The server sent CopyDone and waits for ours; then it reports the next timeline.
    r.reset();
    if (PQputCopyEnd(s_.conn(), nullptr) != 1) return s_.Lost(kWhat);
    KLIO_RETURN_IF_ERROR(s_.Flush(deadline, kWhat));
    KLIO_ASSIGN_OR_RETURN(std::optional<EndOfTimeline> eot, ReadStreamResults(deadline, kWhat));
    if (!eot) {
      return s_.Fail(Status::Unavailable(
          s_.Msg(kWhat, "the server ended streaming without naming a next timeline")));
    }
    return ReplicationMessage(*eot);
  }
  if (st == PGRES_COMMAND_OK) {
    // CommandComplete without CopyDone: the walsender is exiting (server shutdown).
    r.reset();
    (void)ReadStreamResults(deadline, kWhat);
    return s_.Fail(Status::Unavailable(
        s_.Msg(kWhat, "the server ended streaming (it is shutting down or was told to stop)")));
  }
  // An error, e.g. a start point ahead of the server's flush position or WAL already removed.
  Status error = s_.ServerError(r.get(), kWhat);
  r.reset();
  if (s_.state() != PqSession::State::kBroken) {
    auto rest = ReadStreamResults(deadline, kWhat);
    if (!rest.ok() && s_.state() == PqSession::State::kBroken) return rest.status();
  }
  return error;
}

Status PqReplicationConnection::SendStatus(Lsn write, Lsn flush, Lsn apply, bool reply_requested) {
  constexpr std::string_view kWhat = "standby status update";
  KLIO_RETURN_IF_ERROR(s_.RequireState(PqSession::State::kStreaming, kWhat));
  const Bytes msg = BuildStandbyStatusUpdate(
      {write, flush, apply, ToPostgresTimestamp(s_.clock()->Now()), reply_requested});
  const PqSession::SteadyTime deadline = s_.IoDeadline();
  while (true) {
    const int r = PQputCopyData(s_.conn(), reinterpret_cast<const char*>(msg.data()),
                                static_cast<int>(msg.size()));
    if (r == 1) break;
    if (r < 0) return s_.Lost(kWhat);
    KLIO_RETURN_IF_ERROR(s_.Flush(deadline, kWhat));  // libpq's buffer was full
  }
  return s_.Flush(deadline, kWhat);
}

Result<std::optional<EndOfTimeline>> PqReplicationConnection::EndCopy() {
  constexpr std::string_view kWhat = "end of replication";
  FreeBuffer();
  if (s_.state() == PqSession::State::kIdle) return std::optional<EndOfTimeline>();
  KLIO_RETURN_IF_ERROR(s_.RequireState(PqSession::State::kStreaming, kWhat));
  const PqSession::SteadyTime deadline = s_.IoDeadline();
  while (true) {
    const int r = PQputCopyEnd(s_.conn(), nullptr);
    if (r == 1) break;
    if (r < 0) return s_.Lost(kWhat);
    KLIO_RETURN_IF_ERROR(s_.Flush(deadline, kWhat));
  }
  KLIO_RETURN_IF_ERROR(s_.Flush(deadline, kWhat));
  // Discard the WAL the server sent before it saw our CopyDone, up to its own CopyDone.
  while (true) {
    char* buf = nullptr;
    const int n = PQgetCopyData(s_.conn(), &buf, /*async=*/1);
    if (buf != nullptr) PQfreemem(buf);
    if (n == -1) break;
    if (n < -1) return s_.Lost(kWhat);
    if (n > 0) continue;
    KLIO_ASSIGN_OR_RETURN(PqSession::Wait w, s_.WaitSocket(POLLIN, deadline, false));
    if (w == PqSession::Wait::kTimeout) {
      return s_.Fail(Status::DeadlineExceeded(s_.Msg(kWhat, "the server did not end the stream")));
    }
    if (PQconsumeInput(s_.conn()) == 0) return s_.Lost(kWhat);
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
    std::string_view dsn, const ReplicationConnectionOptions& options,
    const std::stop_token& stop) {
  const std::string conninfo(dsn);
  char* err = nullptr;
  PQconninfoOption* parsed = PQconninfoParse(conninfo.c_str(), &err);
  if (parsed == nullptr) {
    std::string why = err != nullptr ? std::string(err) : "out of memory";
    while (!why.empty() && why.back() == '\n') why.pop_back();
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

  auto conn = std::make_unique<PqReplicationConnection>(options, ConninfoSecrets(conninfo));
  const char* keywords[] = {"application_name", "dbname", "replication", nullptr};
  const char* values[] = {options.application_name.c_str(), conninfo.c_str(), "true", nullptr};
  // Later keywords override earlier ones, and the expanded dbname overrides what precedes it:
  // the connection string wins over our application_name, and replication=true over it.
  KLIO_RETURN_IF_ERROR(conn->session().Open(keywords, values, connect_timeout, stop));
  return std::unique_ptr<ReplicationConnection>(std::move(conn));
}

}  // namespace klio::pg
