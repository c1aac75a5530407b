// WalReceiver: the client side of WAL streaming — drives a ReplicationConnection, hands the
// WAL to a WalSink, and reports positions back to PostgreSQL (docs/design/pg-replication.md
// §3-§4).
//
// Feedback rules (standby status updates):
//   write = the end of the WAL received; flush = apply = the sink's DurableLsn(), never lower
//   than a flush already reported by this receiver (a physical slot follows the reported
//   flush even backwards). An update goes out when streaming starts, whenever the durable
//   position advanced, at once when a keepalive asks for a reply, and at least every
//   `status_interval`. When the server has been silent for half of `server_timeout` the
//   update asks for a reply; after all of it the stream is Unavailable.
// Timeline switch: when PostgreSQL ends a historic timeline, the receiver fetches the next
// timeline's history file (TIMELINE_HISTORY), checks that it agrees with the switch point,
// hands it to the sink (EndTimeline) and restarts streaming on the next timeline at the
// switch point.
// Stop: when the stop token is requested, the receiver sends a final status update, ends the
// stream with CopyDone (EndCopy) and returns OK.
//
// Reconnecting is the caller's job (see Reconnector): Run() returns on the first error, the
// WalReceiver object can be reused with a new connection and keeps its never-decreasing
// flush position across runs.
//
// Thread-safety: Run() on one thread at a time. NotifyDurable() and the position accessors
// may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>

#include "base/lsn.h"
#include "base/status.h"
#include "base/timeline.h"
#include "env/clock.h"
#include "pg/replication_connection.h"
#include "pg/wal_sink.h"

namespace klio::pg {

struct WalReceiverOptions {
  // The physical replication slot to stream with; empty = none. Default "klio".
  std::string slot = "klio";
  // The longest time between two standby status updates. Default 10 s (PostgreSQL's
  // wal_receiver_status_interval); must stay well below the server's wal_sender_timeout.
  std::chrono::milliseconds status_interval = std::chrono::seconds(10);
  // How often DurableLsn() is polled while no WAL arrives. NotifyDurable() makes the update
  // immediate regardless. Default 100 ms.
  std::chrono::milliseconds durable_poll_interval = std::chrono::milliseconds(100);
  // Silence from the server after which the stream counts as lost (Unavailable); a reply is
  // requested after half of it. Zero disables the check. Default 60 s.
  std::chrono::milliseconds server_timeout = std::chrono::seconds(60);
  // Time source. Null = env::RealClock().
  env::Clock* clock = nullptr;
};

class WalReceiver {
 public:
  // `sink` must outlive the receiver.
  WalReceiver(WalSink* sink, WalReceiverOptions options);

  WalReceiver(const WalReceiver&) = delete;
  WalReceiver& operator=(const WalReceiver&) = delete;

  // Streams from `start` over `conn` (which must have no stream open) until `stop` is
  // requested — then ends the stream gracefully and returns OK — or an error: the
  // connection's (Unavailable when PostgreSQL goes away, FailedPrecondition when it refuses
  // the start point, ...), the sink's, or Corruption when the stream has a gap or a timeline
  // switch does not match its history file. Blocks; network I/O on `conn` and calls into the
  // sink.
  Status Run(ReplicationConnection& conn, StreamStart start, const std::stop_token& stop);

  // Wakes the running stream so that an advanced DurableLsn() is reported now rather than at
  // the next poll. Thread-safe; cheap; a no-op when not running.
  void NotifyDurable();

  // Where the next WAL byte is expected (the end of what was received) and its timeline.
  StreamStart position() const;
  // The highest flush position reported to PostgreSQL so far.
  Lsn reported_flush() const { return Lsn(reported_flush_.load()); }
  // WAL bytes received in the current or last Run().
  uint64_t bytes_received() const { return bytes_received_.load(); }

 private:
  // Streams until the stop token (returns nullopt) or the end of the timeline.
  Result<std::optional<EndOfTimeline>> Stream(ReplicationConnection& conn,
                                              const std::stop_token& stop);
  // Fetches the next timeline's history, checks it and tells the sink.
  Status SwitchTimeline(ReplicationConnection& conn, const EndOfTimeline& end);
  Status SendStatus(ReplicationConnection& conn, bool reply_requested);

  WalSink* sink_;
  WalReceiverOptions options_;
  env::Clock* clock_;

  std::mutex conn_mu_;
  ReplicationConnection* running_conn_ = nullptr;  // guarded by conn_mu_

  std::atomic<uint32_t> timeline_{0};
  std::atomic<uint64_t> received_{0};
  std::atomic<uint64_t> reported_flush_{0};
  std::atomic<uint64_t> bytes_received_{0};
};

}  // namespace klio::pg
