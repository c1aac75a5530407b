// ReplicationConnection: a connection to PostgreSQL in physical replication mode — the
// replication commands klio needs (IDENTIFY_SYSTEM, SHOW wal_segment_size,
// READ_REPLICATION_SLOT, CREATE_REPLICATION_SLOT, TIMELINE_HISTORY, START_REPLICATION) and
// the COPY BOTH stream that follows START_REPLICATION.
//
// ReplicationConnection is an interface so that WalReceiver can be tested against a fake;
// ConnectReplication() returns the libpq implementation. It connects with `replication=true`
// (a physical walsender: SQL is refused, replication commands and SHOW work) and
// `application_name=klio` unless the connection string sets application_name itself — then
// the connection string wins (PGAPPNAME in the environment does not). See
// docs/design/pg-replication.md for the protocol, feedback rules and error mapping.
//
// Errors (every message starts with "postgres <host>:<port>: <command>: " and never holds a
// password from the connection string):
//   Unavailable        connection failed or lost, server shutting down, too many
//                      connections, slot still active for a previous connection (retryable)
//   DeadlineExceeded   no answer within io_timeout (retryable; the connection is dropped)
//   FailedPrecondition the server refused, e.g. "requested WAL segment … has already been
//                      removed", a start point ahead of the server's flush position or not in
//                      its history; the server's text is kept
//   NotFound / AlreadyExists / PermissionDenied / ResourceExhausted  SQLSTATEs 42704 / 42710 /
//                      28xxx, 42501 / 53400 (e.g. all replication slots in use)
//   InvalidArgument    a bad slot name or connection string
//   Corruption         the server sent something that violates the protocol
// After Unavailable, DeadlineExceeded or Corruption the connection is unusable: every later
// call returns Unavailable; open a new one.
//
// Thread-safety: one thread uses a connection at a time, except Wakeup(), which any thread
// (or a std::stop_callback) may call at any time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <variant>

#include "base/lsn.h"
#include "base/result.h"
#include "base/status.h"
#include "base/timeline.h"
#include "env/clock.h"
#include "pg/replication_protocol.h"

namespace klio::pg {

// What IDENTIFY_SYSTEM answers.
struct SystemIdentity {
  uint64_t system_id = 0;
  TimelineId timeline;  // the server's current timeline (on a standby: the one it replays)
  Lsn xlogpos;          // the server's current WAL flush position
  std::optional<std::string> dbname;  // null on a physical replication connection
};

// What READ_REPLICATION_SLOT answers for an existing slot.
struct SlotInfo {
  std::string type;        // "physical" or "logical"
  Lsn restart_lsn;         // kInvalid when the slot reserves no WAL yet
  TimelineId restart_tli;  // kInvalid when restart_lsn is
};

// A timeline history file as TIMELINE_HISTORY returns it.
struct TimelineHistoryFile {
  std::string filename;  // "00000002.history"
  std::string content;
};

// The server finished streaming a timeline that is no longer its newest: WAL continues on
// `next_timeline` from `next_timeline_start` (the switch point).
struct EndOfTimeline {
  TimelineId next_timeline;
  Lsn next_timeline_start;

  friend bool operator==(const EndOfTimeline&, const EndOfTimeline&) = default;
};

// A position to stream from: an LSN on a timeline.
struct StreamStart {
  TimelineId timeline;
  Lsn lsn;

  // "0/3000028 on timeline 2".
  std::string ToString() const { return lsn.ToString() + " on timeline " + timeline.ToString(); }
  friend bool operator==(const StreamStart&, const StreamStart&) = default;
};

// Receive() waited `timeout` (or was woken by Wakeup()) without a message.
struct ReceiveTimeout {};

// One result of Receive(). An XLogData's payload is valid until the next call on the
// connection.
using ReplicationMessage = std::variant<XLogData, PrimaryKeepalive, EndOfTimeline, ReceiveTimeout>;

class ReplicationConnection {
 public:
  virtual ~ReplicationConnection() = default;

  // "host:port" (or the socket directory), for messages and logs. Never holds a secret.
  virtual const std::string& target() const = 0;

  // The commands below send one replication command and wait (up to io_timeout) for its
  // answer. They require that no replication is in progress (StartReplication not called,
  // or the stream ended by EndOfTimeline / EndCopy); FailedPrecondition otherwise.

  // IDENTIFY_SYSTEM. Corruption when the answer does not parse.
  virtual Result<SystemIdentity> IdentifySystem() = 0;
  // SHOW wal_segment_size, in bytes; always passes IsValidWalSegmentSize (Corruption
  // otherwise).
  virtual Result<uint64_t> WalSegmentSize() = 0;
  // READ_REPLICATION_SLOT `name` (PostgreSQL 15+): nullopt when no such slot exists.
  // InvalidArgument for a name that fails ValidateSlotName.
  virtual Result<std::optional<SlotInfo>> ReadReplicationSlot(std::string_view name) = 0;
  // CREATE_REPLICATION_SLOT `name` PHYSICAL, with (RESERVE_WAL) when `reserve_wal`: the slot
  // then holds WAL from the last checkpoint's redo point on. AlreadyExists when it exists.
  virtual Status CreatePhysicalSlot(std::string_view name, bool reserve_wal = true) = 0;
  // TIMELINE_HISTORY `tli`: the history file of timeline `tli` (> 1; timeline 1 has none).
  // Corruption when the returned file name is not `tli`'s history file name.
  virtual Result<TimelineHistoryFile> TimelineHistory(TimelineId tli) = 0;

  // START_REPLICATION [SLOT `slot`] PHYSICAL `start` TIMELINE `tli` (no slot when `slot` is
  // empty). On success the connection streams: call Receive() and SendStatus() until
  // Receive() returns EndOfTimeline or an error, or EndCopy() ends the stream. A start point
  // the server cannot serve (ahead of its flush position, WAL already removed) is reported by
  // the first Receive(), because PostgreSQL only fails once the stream has begun.
  virtual Status StartReplication(std::string_view slot, Lsn start, TimelineId tli) = 0;

  // Waits up to `timeout` for the next message of the stream and returns it: XLogData,
  // PrimaryKeepalive, EndOfTimeline (the server ended this timeline; the connection is
  // ready for commands again, e.g. TIMELINE_HISTORY and a new START_REPLICATION), or
  // ReceiveTimeout (nothing arrived, or Wakeup() was called). Blocks on the socket; no other
  // I/O. Errors as listed in the file comment; when the server ends the stream without
  // naming a next timeline (it is shutting down) that is Unavailable.
  virtual Result<ReplicationMessage> Receive(std::chrono::milliseconds timeout) = 0;

  // Sends a standby status update with `write`, `flush`, `apply` and the current time, and
  // waits (up to io_timeout) until libpq has handed it to the socket. The caller keeps
  // `flush` from ever decreasing (docs/design/pg-replication.md §3).
  virtual Status SendStatus(Lsn write, Lsn flush, Lsn apply, bool reply_requested) = 0;

  // Ends the stream from our side: sends CopyDone, discards any WAL still in flight and
  // reads the command's results. Returns the end-of-timeline announcement when the server
  // had already finished a historic timeline, nullopt otherwise; OK and nullopt when no
  // stream is open. Afterwards the connection accepts commands again.
  virtual Result<std::optional<EndOfTimeline>> EndCopy() = 0;

  // Makes a Receive() that is blocked now, or the next one, return ReceiveTimeout at once.
  // Thread-safe and async-signal-safe; never fails.
  virtual void Wakeup() = 0;
};

struct ReplicationConnectionOptions {
  // application_name unless the connection string sets one. Default "klio", the name a
  // synchronous_standby_names entry refers to.
  std::string application_name = "klio";
  // How long a connection attempt may take, unless the connection string sets
  // connect_timeout. Default 10 s.
  std::chrono::milliseconds connect_timeout = std::chrono::seconds(10);
  // How long a command, a status update or the end of a stream may wait for the server.
  // Default 60 s (PostgreSQL's wal_sender_timeout).
  std::chrono::milliseconds io_timeout = std::chrono::seconds(60);
  // Time source for deadlines and status-update timestamps. Null = env::RealClock().
  env::Clock* clock = nullptr;
};

// Opens a physical replication connection with libpq. `dsn` is a libpq connection string
// (key=value or URI); `replication` is forced to "true". Blocks until connected, failed,
// `options.connect_timeout` passed (DeadlineExceeded) or `stop` was requested (Cancelled).
// Errors: InvalidArgument for an unparsable string (libpq's explanation is withheld when the
// string mentions a password), Unavailable when the server cannot be reached or refuses,
// FailedPrecondition for a server older than PostgreSQL 15.
Result<std::unique_ptr<ReplicationConnection>> ConnectReplication(
    std::string_view dsn, const ReplicationConnectionOptions& options = {},
    const std::stop_token& stop = {});

}  // namespace klio::pg
