#include "pg/wal_receiver.h"

#include <algorithm>

#include "pg/timeline_history.h"

namespace klio::pg {
namespace {

using std::chrono::milliseconds;

}  // namespace

WalReceiver::WalReceiver(WalSink* sink, WalReceiverOptions options)
    : sink_(sink),
      options_(std::move(options)),
      clock_(options_.clock != nullptr ? options_.clock : &env::RealClock()) {}

void WalReceiver::NotifyDurable() {
  std::lock_guard<std::mutex> lock(conn_mu_);
  if (running_conn_ != nullptr) running_conn_->Wakeup();
}

StreamStart WalReceiver::position() const {
  return {TimelineId(timeline_.load()), Lsn(received_.load())};
}

Status WalReceiver::Run(ReplicationConnection& conn, StreamStart start,
                        const std::stop_token& stop) {
  {
    std::lock_guard<std::mutex> lock(conn_mu_);
    running_conn_ = &conn;
  }
  struct Detach {
    WalReceiver* self;
    ~Detach() {
      std::lock_guard<std::mutex> lock(self->conn_mu_);
      self->running_conn_ = nullptr;
    }
  } detach{this};
  std::stop_callback wake_on_stop(stop, [&conn] { conn.Wakeup(); });

  bytes_received_ = 0;
  StreamStart pos = start;
  while (!stop.stop_requested()) {
    timeline_ = pos.timeline.value();
    received_ = pos.lsn.value();
    KLIO_RETURN_IF_ERROR(sink_->StartStream(pos.timeline, pos.lsn));
    KLIO_RETURN_IF_ERROR(conn.StartReplication(options_.slot, pos.lsn, pos.timeline));
    KLIO_ASSIGN_OR_RETURN(std::optional<EndOfTimeline> end, Stream(conn, stop));
    if (!end) break;  // stopped
    KLIO_RETURN_IF_ERROR(SwitchTimeline(conn, *end));
    pos = {end->next_timeline, end->next_timeline_start};
  }
  return Status::Ok();
}

Status WalReceiver::SendStatus(ReplicationConnection& conn, bool reply_requested) {
  const Lsn flush = std::max(Lsn(reported_flush_.load()), sink_->DurableLsn());
  KLIO_RETURN_IF_ERROR(conn.SendStatus(Lsn(received_.load()), flush, flush, reply_requested));
  reported_flush_ = flush.value();
  return Status::Ok();
}

Result<std::optional<EndOfTimeline>> WalReceiver::Stream(ReplicationConnection& conn,
                                                         const std::stop_token& stop) {
  const TimelineId tli(timeline_.load());
  // Tell PostgreSQL where we are right away, so pg_stat_replication and the slot are current.
  KLIO_RETURN_IF_ERROR(SendStatus(conn, false));
  auto next_status = clock_->SteadyNow() + options_.status_interval;
  auto last_heard = clock_->SteadyNow();
  bool pinged = false;
  while (!stop.stop_requested()) {
    auto now = clock_->SteadyNow();
    auto wait = std::min<std::chrono::steady_clock::duration>(next_status - now,
                                                              options_.durable_poll_interval);
    if (options_.server_timeout > milliseconds(0) && !pinged) {
      wait = std::min<std::chrono::steady_clock::duration>(
          wait, last_heard + options_.server_timeout / 2 - now);
    }
    wait = std::max<std::chrono::steady_clock::duration>(wait, milliseconds(0));
    KLIO_ASSIGN_OR_RETURN(ReplicationMessage msg,
                          conn.Receive(std::chrono::ceil<milliseconds>(wait)));
    now = clock_->SteadyNow();
    bool reply_now = false;
    if (const auto* w = std::get_if<XLogData>(&msg)) {
      last_heard = now;
      pinged = false;
      const Lsn expected(received_.load());
      if (w->data_start != expected) {
        return Status::Corruption(
            "postgres " + conn.target() + ": replication stream on timeline " + tli.ToString() +
            ": WAL continues at " + w->data_start.ToString() + ", expected " + expected.ToString());
      }
      if (!w->payload.empty()) {
        KLIO_RETURN_IF_ERROR(sink_->Write(tli, w->data_start, w->payload));
        received_ = w->data_end().value();
        bytes_received_ += w->payload.size();
      }
    } else if (const auto* k = std::get_if<PrimaryKeepalive>(&msg)) {
      last_heard = now;
      pinged = false;
      reply_now = k->reply_requested;
    } else if (const auto* end = std::get_if<EndOfTimeline>(&msg)) {
      return std::optional<EndOfTimeline>(*end);
    }
    if (options_.server_timeout > milliseconds(0)) {
      if (now - last_heard >= options_.server_timeout) {
        return Status::Unavailable("postgres " + conn.target() + ": replication stream: no " +
                                   "message from the server for " +
                                   std::to_string(options_.server_timeout.count()) + " ms");
      }
      if (!pinged && now - last_heard >= options_.server_timeout / 2) {
        KLIO_RETURN_IF_ERROR(SendStatus(conn, /*reply_requested=*/true));
        pinged = true;
        next_status = now + options_.status_interval;
        continue;
      }
    }
    if (reply_now || sink_->DurableLsn() > Lsn(reported_flush_.load()) || now >= next_status) {
      KLIO_RETURN_IF_ERROR(SendStatus(conn, false));
      next_status = now + options_.status_interval;
    }
  }
  // Stop requested: report the final durable position, then end the stream politely.
  KLIO_RETURN_IF_ERROR(SendStatus(conn, false));
  auto ended = conn.EndCopy();
  if (!ended.ok()) return ended.status();
  return std::optional<EndOfTimeline>();
}

Status WalReceiver::SwitchTimeline(ReplicationConnection& conn, const EndOfTimeline& end) {
  const TimelineId tli(timeline_.load());
  const Lsn received(received_.load());
  const std::string where = "postgres " + conn.target() + ": end of timeline " + tli.ToString();
  if (end.next_timeline <= tli) {
    return Status::Corruption(where + ": the next timeline " + end.next_timeline.ToString() +
                              " is not newer");
  }
  if (end.next_timeline_start != received) {
    return Status::Corruption(where + ": the server streamed up to " + received.ToString() +
                              " but says timeline " + end.next_timeline.ToString() + " begins at " +
                              end.next_timeline_start.ToString());
  }
  KLIO_ASSIGN_OR_RETURN(TimelineHistoryFile history, conn.TimelineHistory(end.next_timeline));
  KLIO_ASSIGN_OR_RETURN(std::vector<TimelineHistoryEntry> entries,
                        ParseTimelineHistory(history.content, end.next_timeline));
  const std::optional<Lsn> switch_point = TimelineEnd(entries, end.next_timeline, tli);
  if (switch_point != end.next_timeline_start) {
    return Status::Corruption(
        where + ": " + history.filename + " does not say timeline " + tli.ToString() + " ends at " +
        end.next_timeline_start.ToString() +
        (switch_point ? " (it says " + switch_point->ToString() + ")" : " (no entry)"));
  }
  return sink_->EndTimeline({tli, received, end.next_timeline, std::move(history)});
}

}  // namespace klio::pg
