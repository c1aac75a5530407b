// MemoryWalSink: a WalSink that keeps the WAL of each timeline in memory (test-only, part of
// klio_pg_testing). Tests compare its bytes with PostgreSQL's segment files and control what
// it acknowledges: DurableLsn() is the end of the received WAL capped by an acknowledgement
// limit (SetAckLimit), and never decreases.
//
// Thread-safety: all methods are safe from any thread (one mutex), so a test can inspect and
// steer the sink while a WalReceiver writes to it.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "base/bytes.h"
#include "pg/wal_sink.h"

namespace klio::pg {

class MemoryWalSink final : public WalSink {
 public:
  // Holds the WAL of timeline `tli` in [start, start + data.size()).
  struct Stream {
    Lsn start;
    Bytes data;
    Lsn end() const { return start + data.size(); }
  };

  // Continues the stream of `tli` at `start` (dropping what it holds from `start` on), or
  // begins one. FailedPrecondition when `start` is outside what it holds (a gap).
  Status StartStream(TimelineId tli, Lsn start) override;
  // Appends; FailedPrecondition when `start` is not the end of the current stream; the status
  // set by FailNextWrite, once.
  Status Write(TimelineId tli, Lsn start, ByteView data) override;
  // min(end of the current stream, ack limit), never decreasing.
  Lsn DurableLsn() override;
  // Records the switch.
  Status EndTimeline(const TimelineSwitch& change) override;

  // Acknowledge nothing beyond `limit` (Lsn::kMax, the default, acknowledges everything).
  void SetAckLimit(Lsn limit);
  // Called (outside the lock) whenever SetAckLimit raised the limit, e.g. to call
  // WalReceiver::NotifyDurable.
  void SetOnAck(std::function<void()> on_ack);
  // The next Write returns `status`.
  void FailNextWrite(Status status);

  // The bytes of `tli` in [from, to), or nullopt when not all of them are held.
  std::optional<Bytes> Range(TimelineId tli, Lsn from, Lsn to) const;
  // A copy of the stream of `tli` (nullopt when none).
  std::optional<Stream> StreamOf(TimelineId tli) const;
  // The timeline being written and the end of its stream.
  StreamStart end() const;
  std::vector<TimelineSwitch> switches() const;
  // Every StartStream call, in order.
  std::vector<StreamStart> starts() const;

 private:
  mutable std::mutex mu_;
  std::map<TimelineId, Stream> streams_;  // guarded by mu_
  TimelineId current_;                    // guarded by mu_
  Lsn ack_limit_ = Lsn::kMax;             // guarded by mu_
  Lsn durable_;                           // guarded by mu_
  Status fail_next_;                      // guarded by mu_
  std::function<void()> on_ack_;          // guarded by mu_
  std::vector<TimelineSwitch> switches_;  // guarded by mu_
  std::vector<StreamStart> starts_;       // guarded by mu_
};

}  // namespace klio::pg
