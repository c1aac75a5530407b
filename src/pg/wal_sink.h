// WalSink: where WalReceiver delivers the WAL it streams from PostgreSQL, and where it learns
// how much of it is durable. The sink is the transport to the klio server (src/wal) in
// production and an in-memory buffer in tests (pg/memory_wal_sink.h).
//
// The contract that makes the reported flush position honest (docs/design/pg-replication.md
// §3): DurableLsn() returns only positions whose bytes the sink's store has made durable
// (for klio: fsynced and acknowledged by the server). WalReceiver reports it to PostgreSQL as
// flush and apply, and PostgreSQL moves the slot's restart_lsn — and, for a synchronous
// standby, releases waiting commits — on that basis.
//
// Thread-safety: WalReceiver calls every method from the thread that runs it. An
// implementation whose durable position changes on another thread (acks from a server) keeps
// DurableLsn() thread-safe and may call WalReceiver::NotifyDurable() so the update is sent
// at once.
#pragma once

#include "base/bytes.h"
#include "base/lsn.h"
#include "base/status.h"
#include "base/timeline.h"
#include "pg/replication_connection.h"

namespace klio::pg {

// PostgreSQL finished timeline `timeline` at `end` and continues on `next_timeline` from the
// same LSN; `history` is the next timeline's history file.
struct TimelineSwitch {
  TimelineId timeline;
  Lsn end;
  TimelineId next_timeline;
  TimelineHistoryFile history;
};

class WalSink {
 public:
  virtual ~WalSink() = default;

  // Streaming (re)starts on `tli` at `start`: the next Write begins there. Called before
  // every START_REPLICATION — the first, after a reconnect, after a timeline switch. A sink
  // that holds bytes at or beyond `start` on `tli` that are not durable drops them (they will
  // be sent again, identical). FailedPrecondition when the sink cannot continue at `start`
  // (it would leave a gap). May block or do I/O.
  virtual Status StartStream(TimelineId tli, Lsn start) = 0;

  // Accepts the WAL bytes [start, start + data.size()) of timeline `tli`; `start` is where the
  // previous Write or StartStream ended, `data` is not empty and is only valid during the call.
  // May block (back-pressure), but not for long: no status updates go out meanwhile, and
  // PostgreSQL drops a standby that is silent for wal_sender_timeout (60 s by default).
  // A non-OK status ends WalReceiver::Run with that status.
  virtual Status Write(TimelineId tli, Lsn start, ByteView data) = 0;

  // The end of the WAL the sink has made durable (any timeline), Lsn::kInvalid when none.
  // Called after every message, so it must be cheap and must not block.
  virtual Lsn DurableLsn() = 0;

  // Called after the last Write of a timeline and before StartStream on the next one.
  virtual Status EndTimeline(const TimelineSwitch& change) = 0;
};

}  // namespace klio::pg
