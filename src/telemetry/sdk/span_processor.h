// SpanProcessor: what the tracer provider calls when a recording span starts and ends, and the
// simple (synchronous) processor used by tests and the console exporter.
//
// Thread-safety: OnStart/OnEnd are called concurrently from every instrumented thread;
// ForceFlush/Shutdown from any thread. Implementations must be thread-safe.
// Design: docs/design/telemetry.md §4.2.
#pragma once

#include <memory>
#include <mutex>

#include "base/status.h"
#include "telemetry/sdk/data.h"
#include "telemetry/sdk/exporter.h"

namespace klio::telemetry::sdk {

class SpanProcessor {
 public:
  virtual ~SpanProcessor() = default;
  // A recording span started (its data as of now). Called on the starting thread before the
  // span is returned; must be quick and must not keep a reference.
  virtual void OnStart(const SpanData& span) { (void)span; }
  // A recording span ended: the processor takes the finished data. Called on the thread that
  // ended the span; must not block on I/O (the simple processor is the documented exception).
  // Spans with the sampled flag clear (record-only) reach processors but are not exported.
  virtual void OnEnd(SpanData&& span) = 0;
  // Export everything received so far; return by `deadline` (DeadlineExceeded otherwise).
  virtual Status ForceFlush(Deadline deadline) = 0;
  // Flush, then shut the exporter down; later OnEnd calls are ignored. Returns by `deadline`.
  virtual Status Shutdown(Deadline deadline) = 0;
};

// Exports each sampled span synchronously inside OnEnd, under a mutex: the ending thread waits
// for the exporter (bounded by export_timeout). For tests and the console exporter only; a
// network exporter belongs behind the BatchSpanProcessor.
class SimpleSpanProcessor final : public SpanProcessor {
 public:
  SimpleSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                      std::shared_ptr<const Resource> resource,
                      std::chrono::milliseconds export_timeout = std::chrono::seconds(30));
  ~SimpleSpanProcessor() override;

  void OnEnd(SpanData&& span) override;
  Status ForceFlush(Deadline deadline) override;
  Status Shutdown(Deadline deadline) override;

 private:
  std::mutex mu_;
  const std::unique_ptr<SpanExporter> exporter_;
  const std::shared_ptr<const Resource> resource_;
  const std::chrono::milliseconds export_timeout_;
  bool shut_down_ = false;  // guarded by mu_
};

}  // namespace klio::telemetry::sdk
