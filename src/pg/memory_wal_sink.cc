#include "pg/memory_wal_sink.h"

#include <algorithm>

namespace klio::pg {

Status MemoryWalSink::StartStream(TimelineId tli, Lsn start) {
  std::lock_guard<std::mutex> lock(mu_);
  starts_.push_back({tli, start});
  auto it = streams_.find(tli);
  if (it == streams_.end()) {
    streams_[tli] = Stream{start, {}};
  } else {
    Stream& s = it->second;
    if (start < s.start || start > s.end()) {
      return Status::FailedPrecondition("memory sink: timeline " + tli.ToString() + " holds " +
                                        s.start.ToString() + " to " + s.end().ToString() +
                                        "; cannot continue at " + start.ToString());
    }
    s.data.resize(start - s.start);
  }
  current_ = tli;
  return Status::Ok();
}

Status MemoryWalSink::Write(TimelineId tli, Lsn start, ByteView data) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!fail_next_.ok()) {
    Status s = fail_next_;
    fail_next_ = Status::Ok();
    return s;
  }
  auto it = streams_.find(tli);
  if (tli != current_ || it == streams_.end() || it->second.end() != start) {
    return Status::FailedPrecondition("memory sink: write at " + start.ToString() +
                                      " on timeline " + tli.ToString() +
                                      " does not continue the stream");
  }
  PutBytes(&it->second.data, data);
  return Status::Ok();
}

Lsn MemoryWalSink::DurableLsn() {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(current_);
  if (it != streams_.end()) durable_ = std::max(durable_, std::min(it->second.end(), ack_limit_));
  return durable_;
}

Status MemoryWalSink::EndTimeline(const TimelineSwitch& change) {
  std::lock_guard<std::mutex> lock(mu_);
  switches_.push_back(change);
  return Status::Ok();
}

void MemoryWalSink::SetAckLimit(Lsn limit) {
  std::function<void()> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (limit > ack_limit_) notify = on_ack_;
    ack_limit_ = limit;
  }
  if (notify) notify();
}

void MemoryWalSink::SetOnAck(std::function<void()> on_ack) {
  std::lock_guard<std::mutex> lock(mu_);
  on_ack_ = std::move(on_ack);
}

void MemoryWalSink::FailNextWrite(Status status) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_ = std::move(status);
}

std::optional<Bytes> MemoryWalSink::Range(TimelineId tli, Lsn from, Lsn to) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(tli);
  if (it == streams_.end() || from < it->second.start || to > it->second.end() || to < from) {
    return std::nullopt;
  }
  const auto begin = it->second.data.begin() + static_cast<ptrdiff_t>(from - it->second.start);
  return Bytes(begin, begin + static_cast<ptrdiff_t>(to - from));
}

std::optional<MemoryWalSink::Stream> MemoryWalSink::StreamOf(TimelineId tli) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(tli);
  if (it == streams_.end()) return std::nullopt;
  return it->second;
}

StreamStart MemoryWalSink::end() const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = streams_.find(current_);
  return {current_, it == streams_.end() ? Lsn() : it->second.end()};
}

std::vector<TimelineSwitch> MemoryWalSink::switches() const {
  std::lock_guard<std::mutex> lock(mu_);
  return switches_;
}

std::vector<StreamStart> MemoryWalSink::starts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return starts_;
}

}  // namespace klio::pg
