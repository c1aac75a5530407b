// BatchLogRecordProcessor: queues log records and exports them from one worker thread in
// batches (OTEL_BLRP_* settings). A record is built directly in a slot of a lock-free bounded
// queue whose buffers are recycled after export, so the steady state allocates nothing; a full
// queue drops the record and counts it. See batch_core.h for the guarantees.
//
// Thread-safety: every method may be called from any thread.
// Design: docs/design/telemetry.md §4.4; otel-reference §1.5.
#pragma once

#include <memory>

#include "telemetry/sdk/batch_core.h"
#include "telemetry/sdk/env_parse.h"
#include "telemetry/sdk/log_record_processor.h"

namespace klio::telemetry::sdk {

// The log defaults: schedule delay 1000 ms, export timeout 30000 ms, queue 2048, batch 512.
inline BatchOptions DefaultBatchLogOptions() {
  BatchOptions o;
  o.schedule_delay = std::chrono::milliseconds(1000);
  return o;
}

// OTEL_BLRP_SCHEDULE_DELAY, OTEL_BLRP_EXPORT_TIMEOUT, OTEL_BLRP_MAX_QUEUE_SIZE,
// OTEL_BLRP_MAX_EXPORT_BATCH_SIZE over DefaultBatchLogOptions(); problems go to `warnings`.
BatchOptions BatchLogProcessorOptionsFromEnv(const EnvGetter& env, EnvWarnings* warnings);

class BatchLogRecordProcessor final : public LogRecordProcessor {
 public:
  BatchLogRecordProcessor(std::unique_ptr<LogExporter> exporter,
                          std::shared_ptr<const Resource> resource,
                          BatchOptions options = DefaultBatchLogOptions());

  void OnEmit(LogRecordData&& record) override { (void)core_.Enqueue(std::move(record)); }
  void OnEmitInPlace(const LogRecordFiller& filler) override {
    (void)core_.EnqueueWith([&filler](LogRecordData& slot) { filler.Fill(slot); });
  }
  Status ForceFlush(Deadline deadline) override { return core_.ForceFlush(deadline); }
  Status Shutdown(Deadline deadline) override { return core_.Shutdown(deadline); }

  BatchStats stats() const { return core_.stats(); }

 private:
  BatchCore<LogRecordData, LogExporter> core_;
};

}  // namespace klio::telemetry::sdk
