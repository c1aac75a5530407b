#include "pg/start_position.h"

#include "base/wal_name.h"

namespace klio::pg {

Result<StreamStart> ChooseStart(StreamStart wanted, const SystemIdentity& pg,
                                const std::vector<TimelineHistoryEntry>& history, bool* diverged) {
  if (diverged != nullptr) *diverged = false;
  if (!wanted.timeline.valid()) {
    return Status::InvalidArgument("start position " + wanted.ToString() + ": timeline 0");
  }
  const std::string pg_state =
      "postgres is on timeline " + pg.timeline.ToString() + " at " + pg.xlogpos.ToString();
  if (wanted.timeline > pg.timeline) {
    return Status::FailedPrecondition("start position " + wanted.ToString() +
                                      " is on a newer timeline than " + pg_state +
                                      " (is this the right cluster?)");
  }
  StreamStart pos = wanted;
  while (true) {
    const std::optional<Lsn> end = TimelineEnd(history, pg.timeline, pos.timeline);
    if (!end) {
      return Status::FailedPrecondition("start position " + wanted.ToString() + ": timeline " +
                                        pos.timeline.ToString() + " is not in the history of " +
                                        pg_state);
    }
    if (pos.timeline == pg.timeline) {
      if (pos.lsn > pg.xlogpos) {
        return Status::FailedPrecondition("start position " + wanted.ToString() +
                                          " is beyond the WAL " + pg_state +
                                          " has written (a different or restored cluster?)");
      }
      return pos;
    }
    if (pos.lsn < *end) return pos;
    // At or past the switch point: PostgreSQL's WAL continues on the next timeline there.
    if (pos.lsn > *end && diverged != nullptr) *diverged = true;
    pos = {*NextTimeline(history, pg.timeline, pos.timeline), *end};
  }
}

Result<StartPlan> ResolveStart(ReplicationConnection& conn, std::string_view slot,
                               std::optional<StreamStart> server_answer) {
  StartPlan plan;
  KLIO_ASSIGN_OR_RETURN(plan.identity, conn.IdentifySystem());
  KLIO_ASSIGN_OR_RETURN(plan.segment_size, conn.WalSegmentSize());
  std::optional<SlotInfo> info;
  if (!slot.empty()) {
    KLIO_ASSIGN_OR_RETURN(info, conn.ReadReplicationSlot(slot));
    if (info && info->type != "physical") {
      return Status::FailedPrecondition("postgres " + conn.target() + ": replication slot " +
                                        std::string(slot) + " is " + info->type + ", not physical");
    }
    if (!info) {
      Status created = conn.CreatePhysicalSlot(slot, /*reserve_wal=*/true);
      // Another klio may have created it in between; that slot is as good.
      if (!created.ok() && created.code() != StatusCode::kAlreadyExists) return created;
      plan.slot_created = created.ok();
      KLIO_ASSIGN_OR_RETURN(info, conn.ReadReplicationSlot(slot));
    }
  }
  if (info && info->restart_lsn.valid()) {
    plan.proposal = {info->restart_tli.valid() ? info->restart_tli : plan.identity.timeline,
                     info->restart_lsn};
  } else {
    KLIO_ASSIGN_OR_RETURN(
        Lsn seg_start,
        SegmentStart(SegmentOf(plan.identity.xlogpos, plan.segment_size), plan.segment_size));
    plan.proposal = {plan.identity.timeline, seg_start};
  }
  std::vector<TimelineHistoryEntry> history;
  if (plan.identity.timeline > TimelineId(1)) {
    KLIO_ASSIGN_OR_RETURN(TimelineHistoryFile file, conn.TimelineHistory(plan.identity.timeline));
    KLIO_ASSIGN_OR_RETURN(history, ParseTimelineHistory(file.content, plan.identity.timeline));
  }
  KLIO_ASSIGN_OR_RETURN(plan.start, ChooseStart(server_answer.value_or(plan.proposal),
                                                plan.identity, history, &plan.archive_diverged));
  return plan;
}

}  // namespace klio::pg
