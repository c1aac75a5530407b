#include "pg/fake_replication_connection.h"

namespace klio::pg {

Result<std::optional<SlotInfo>> FakeReplicationConnection::ReadReplicationSlot(
    std::string_view name) {
  auto it = slots.find(std::string(name));
  if (it == slots.end()) return std::optional<SlotInfo>();
  return std::optional<SlotInfo>(it->second);
}

Status FakeReplicationConnection::CreatePhysicalSlot(std::string_view name, bool reserve_wal) {
  if (slots.count(std::string(name)) != 0) return Status::AlreadyExists("slot exists");
  created_slots.emplace_back(name);
  SlotInfo info{"physical", Lsn(), TimelineId()};
  if (reserve_wal) info = {"physical", Lsn(0x1000028), identity.timeline};
  slots[std::string(name)] = info;
  return Status::Ok();
}

Result<TimelineHistoryFile> FakeReplicationConnection::TimelineHistory(TimelineId tli) {
  auto it = histories.find(tli);
  if (it == histories.end()) return Status::FailedPrecondition("no history for " + tli.ToString());
  return it->second;
}

Status FakeReplicationConnection::StartReplication(std::string_view slot, Lsn start,
                                                   TimelineId tli) {
  if (streaming_) return Status::FailedPrecondition("fake: already streaming");
  if (!start_error.ok()) {
    Status s = start_error;
    start_error = Status::Ok();
    return s;
  }
  starts.push_back({std::string(slot), {tli, start}});
  streaming_ = true;
  return Status::Ok();
}

Result<ReplicationMessage> FakeReplicationConnection::Receive(std::chrono::milliseconds timeout) {
  if (!streaming_) return Status::FailedPrecondition("fake: not streaming");
  if (events_.empty() && on_idle) on_idle();
  if (events_.empty()) {
    clock_->Advance(timeout);
    return ReplicationMessage(ReceiveTimeout{});
  }
  Event e = std::move(events_.front());
  events_.pop_front();
  if (auto* w = std::get_if<Wal>(&e)) {
    current_ = std::move(w->data);
    return ReplicationMessage(XLogData{w->start, w->start + current_.size(), 0, current_});
  }
  if (auto* k = std::get_if<PrimaryKeepalive>(&e)) return ReplicationMessage(*k);
  if (auto* end = std::get_if<EndOfTimeline>(&e)) {
    streaming_ = false;
    return ReplicationMessage(*end);
  }
  streaming_ = false;
  return std::get<Status>(e);
}

Status FakeReplicationConnection::SendStatus(Lsn write, Lsn flush, Lsn apply,
                                             bool reply_requested) {
  if (!streaming_) return Status::FailedPrecondition("fake: not streaming");
  statuses.push_back({{write, flush, apply, ToPostgresTimestamp(clock_->Now()), reply_requested},
                      clock_->SteadyNow()});
  return Status::Ok();
}

Result<std::optional<EndOfTimeline>> FakeReplicationConnection::EndCopy() {
  ++end_copies;
  streaming_ = false;
  return std::optional<EndOfTimeline>();
}

}  // namespace klio::pg
