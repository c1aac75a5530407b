// Where streaming starts: make sure the replication slot exists, propose a start position to
// the klio server, and check the server's answer against PostgreSQL's timeline history
// (docs/design/wal-protocol.md §4, docs/design/pg-replication.md §4).
//
// Use: ResolveStart(conn, slot, nullopt) creates the slot if needed and returns the client's
// proposal; send plan.proposal in the Negotiate request; then ResolveStart(conn, slot,
// answer) returns where to START_REPLICATION. Without a klio server (tests, tools) the
// proposal itself is the start.
//
// Thread-safety: pure functions, plus commands on the caller's connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "pg/replication_connection.h"
#include "pg/timeline_history.h"

namespace klio::pg {

struct StartPlan {
  SystemIdentity identity;    // IDENTIFY_SYSTEM
  uint64_t segment_size = 0;  // SHOW wal_segment_size
  bool slot_created = false;  // the slot did not exist and was created with RESERVE_WAL
  StreamStart proposal;       // the slot's restart position, else the start of the segment
                              // holding PostgreSQL's flush position
  StreamStart start;          // where to START_REPLICATION
  // The server's answer lay beyond the point where PostgreSQL's history left that timeline:
  // the archive holds WAL of a branch this server does not have (an old primary's tail after
  // a failover); streaming continues on PostgreSQL's next timeline from its switch point.
  bool archive_diverged = false;
};

// Checks `wanted` (the server's answer) against PostgreSQL's state: its current timeline and
// flush position `pg`, and `history`, the parsed history file of pg.timeline (empty for
// timeline 1). Returns the start: `wanted` itself when it lies on pg's history, or — when
// `wanted` is at or past the end of its timeline in that history — the next timeline of the
// history at the switch point (repeated as needed; *diverged set when strictly past).
// FailedPrecondition naming both sides when the timeline is newer than PostgreSQL's or not in
// its history, or when the position is beyond PostgreSQL's flush position (a different or
// restored cluster). InvalidArgument for timeline 0.
Result<StreamStart> ChooseStart(StreamStart wanted, const SystemIdentity& pg,
                                const std::vector<TimelineHistoryEntry>& history,
                                bool* diverged = nullptr);

// Creates the physical slot `slot` with RESERVE_WAL when it does not exist, computes the
// proposal, and — when `server_answer` is given — checks it with ChooseStart (fetching
// PostgreSQL's timeline history when its timeline is above 1). Without an answer the start is
// the proposal. Network I/O on `conn` (which must have no stream open); errors are the
// connection's and ChooseStart's.
Result<StartPlan> ResolveStart(ReplicationConnection& conn, std::string_view slot,
                               std::optional<StreamStart> server_answer);

}  // namespace klio::pg
