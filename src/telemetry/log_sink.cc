#include "telemetry/log_sink.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <utility>
#include <vector>

namespace klio::log {
namespace {

using SinkList = std::vector<std::shared_ptr<LogSink>>;

// The installed sinks, replaced as a whole on every change (copy on write), so a writer only
// holds the mutex long enough to copy one shared_ptr and never while a sink runs.
struct Registry {
  std::mutex mu;
  std::shared_ptr<const SinkList> sinks;  // guarded by mu
  std::atomic<int> count{0};
};

// Never destroyed: threads may still log during static destruction.
Registry& GetRegistry() {
  static Registry* registry = new Registry();
  return *registry;
}

}  // namespace

void AddSink(std::shared_ptr<LogSink> sink) {
  if (sink == nullptr) return;
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  auto next =
      r.sinks != nullptr ? std::make_shared<SinkList>(*r.sinks) : std::make_shared<SinkList>();
  if (std::find(next->begin(), next->end(), sink) != next->end()) return;
  next->push_back(std::move(sink));
  r.count.store(static_cast<int>(next->size()), std::memory_order_relaxed);
  r.sinks = std::move(next);
}

void RemoveSink(const LogSink* sink) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  if (r.sinks == nullptr) return;
  auto next = std::make_shared<SinkList>();
  for (const std::shared_ptr<LogSink>& s : *r.sinks) {
    if (s.get() != sink) next->push_back(s);
  }
  r.count.store(static_cast<int>(next->size()), std::memory_order_relaxed);
  r.sinks = std::move(next);
}

namespace internal {

bool HasSinks() { return GetRegistry().count.load(std::memory_order_relaxed) > 0; }

void DispatchToSinks(const LogRecord& record) {
  Registry& r = GetRegistry();
  std::shared_ptr<const SinkList> sinks;
  {
    std::lock_guard<std::mutex> lock(r.mu);
    sinks = r.sinks;
  }
  if (sinks == nullptr) return;
  for (const std::shared_ptr<LogSink>& sink : *sinks) {
    try {
      sink->Write(record);
    } catch (...) {  // NOLINT(bugprone-empty-catch): logging never throws into its caller
    }
  }
}

}  // namespace internal
}  // namespace klio::log
