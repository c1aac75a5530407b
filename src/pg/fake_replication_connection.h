// FakeReplicationConnection: a scripted ReplicationConnection for fast, deterministic tests of
// WalReceiver and ResolveStart (test-only, part of klio_pg_testing). Real-server behaviour is
// covered by the peer tests; this fake is for the feedback timing rules and fault injection.
//
// Receive() pops the next scripted event. When none is queued it first calls `on_idle` (which
// may queue more or request a stop), and if still nothing is queued it advances the
// ManualClock by the timeout and returns ReceiveTimeout — so time passes only while "waiting".
//
// Thread-safety: single-threaded, like the receiver that uses it.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "env/manual_clock.h"
#include "pg/replication_connection.h"

namespace klio::pg {

// Lets gtest print positions in failure messages.
inline void PrintTo(const StreamStart& s, std::ostream* os) { *os << s.ToString(); }

class FakeReplicationConnection final : public ReplicationConnection {
 public:
  struct Wal {
    Lsn start;
    Bytes data;
  };
  using Event = std::variant<Wal, PrimaryKeepalive, EndOfTimeline, Status>;
  struct SentStatus {
    StandbyStatusUpdate update;
    std::chrono::steady_clock::time_point at;  // the manual clock's time when sent
  };
  struct Start {
    std::string slot;
    StreamStart start;
  };

  explicit FakeReplicationConnection(env::ManualClock* clock) : clock_(clock) {}

  // --- script ---
  void PushWal(Lsn start, std::string_view data) { events_.push_back(Wal{start, ToBytes(data)}); }
  void Push(Event e) { events_.push_back(std::move(e)); }
  std::function<void()> on_idle;
  SystemIdentity identity{7, TimelineId(1), Lsn(0x3000100), std::nullopt};
  uint64_t segment_size = 16u << 20;
  std::map<std::string, SlotInfo> slots;
  std::map<TimelineId, TimelineHistoryFile> histories;
  Status start_error;  // returned by the next StartReplication, once

  // --- record ---
  std::vector<SentStatus> statuses;
  std::vector<Start> starts;
  std::vector<std::string> created_slots;
  int end_copies = 0;
  int wakeups = 0;
  bool streaming() const { return streaming_; }

  // --- ReplicationConnection ---
  const std::string& target() const override { return target_; }
  Result<SystemIdentity> IdentifySystem() override { return identity; }
  Result<uint64_t> WalSegmentSize() override { return segment_size; }
  Result<std::optional<SlotInfo>> ReadReplicationSlot(std::string_view name) override;
  Status CreatePhysicalSlot(std::string_view name, bool reserve_wal) override;
  Result<TimelineHistoryFile> TimelineHistory(TimelineId tli) override;
  Status StartReplication(std::string_view slot, Lsn start, TimelineId tli) override;
  Result<ReplicationMessage> Receive(std::chrono::milliseconds timeout) override;
  Status SendStatus(Lsn write, Lsn flush, Lsn apply, bool reply_requested) override;
  Result<std::optional<EndOfTimeline>> EndCopy() override;
  void Wakeup() override { ++wakeups; }

 private:
  env::ManualClock* clock_;
  std::string target_ = "fake:5432";
  std::deque<Event> events_;
  Bytes current_;  // the payload of the last XLogData returned
  bool streaming_ = false;
};

}  // namespace klio::pg
