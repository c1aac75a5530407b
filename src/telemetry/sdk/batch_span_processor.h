// BatchSpanProcessor: queues sampled spans and exports them from one worker thread in batches
// (OTEL_BSP_* settings). The hot path (OnEnd) is one move into a lock-free bounded queue; a
// full queue drops the span and counts it. Exported spans' buffers go back to their queue
// slots and are freed by the next producer that fills the slot, so memory is allocated and
// freed on instrumented threads (thread-cache hits) rather than freed on the worker. See
// batch_core.h for the queue, wake-up, deadline and shutdown guarantees.
//
// Thread-safety: every method may be called from any thread.
// Design: docs/design/telemetry.md §4.2; otel-reference §1.5, §6.2.
#pragma once

#include <memory>

#include "telemetry/sdk/batch_core.h"
#include "telemetry/sdk/env_parse.h"
#include "telemetry/sdk/span_processor.h"

namespace klio::telemetry::sdk {

// Defaults: schedule delay 5000 ms, export timeout 30000 ms, queue 2048, batch 512.
using BatchSpanProcessorOptions = BatchOptions;

// OTEL_BSP_SCHEDULE_DELAY, OTEL_BSP_EXPORT_TIMEOUT (0 = no limit), OTEL_BSP_MAX_QUEUE_SIZE,
// OTEL_BSP_MAX_EXPORT_BATCH_SIZE (clamped to the queue size, with a warning). Invalid values
// are reported in `warnings` and replaced by the defaults.
BatchSpanProcessorOptions BatchSpanProcessorOptionsFromEnv(const EnvGetter& env,
                                                           EnvWarnings* warnings);

class BatchSpanProcessor final : public SpanProcessor {
 public:
  BatchSpanProcessor(std::unique_ptr<SpanExporter> exporter,
                     std::shared_ptr<const Resource> resource,
                     BatchSpanProcessorOptions options = {});

  // Queues the span when it is sampled; never blocks.
  void OnEnd(SpanData&& span) override;
  Status ForceFlush(Deadline deadline) override;
  Status Shutdown(Deadline deadline) override;

  // Counters (dropped, exported, ...) for tests and the SDK's own metrics.
  BatchStats stats() const { return core_.stats(); }

 private:
  BatchCore<SpanData, SpanExporter> core_;
};

}  // namespace klio::telemetry::sdk
