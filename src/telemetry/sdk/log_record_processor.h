// LogRecordProcessor: where the logger provider hands finished log records, and the simple
// (synchronous) processor for tests and the console exporter.
//
// Thread-safety: OnEmit is called concurrently from every logging thread; ForceFlush and
// Shutdown from any thread. Implementations must be thread-safe.
// Design: docs/design/telemetry.md §4.4.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>

#include "base/status.h"
#include "telemetry/sdk/data.h"
#include "telemetry/sdk/exporter.h"

namespace klio::telemetry::sdk {

// Builds one record into storage the processor provides (a batch queue slot whose old buffers
// are reused). Fill must overwrite every field of `record`.
class LogRecordFiller {
 public:
  virtual void Fill(LogRecordData& record) const = 0;

 protected:
  ~LogRecordFiller() = default;
};

class LogRecordProcessor {
 public:
  virtual ~LogRecordProcessor() = default;
  // Takes one finished record. Called on the logging thread; must not block on I/O (the
  // simple processor is the documented exception).
  virtual void OnEmit(LogRecordData&& record) = 0;
  // The same record, built by `filler` where the processor wants it (the batch processor
  // builds it in its queue slot and allocates nothing in the steady state). The default builds
  // a fresh record and calls OnEmit.
  virtual void OnEmitInPlace(const LogRecordFiller& filler) {
    LogRecordData record;
    filler.Fill(record);
    OnEmit(std::move(record));
  }
  // Export everything received so far; return by `deadline`.
  virtual Status ForceFlush(Deadline deadline) = 0;
  // Flush, then shut the exporter down; later records are ignored. Returns by `deadline`.
  virtual Status Shutdown(Deadline deadline) = 0;
};

// Exports each record synchronously inside OnEmit, under a mutex. Tests and console only.
class SimpleLogRecordProcessor final : public LogRecordProcessor {
 public:
  SimpleLogRecordProcessor(std::unique_ptr<LogExporter> exporter,
                           std::shared_ptr<const Resource> resource,
                           std::chrono::milliseconds export_timeout = std::chrono::seconds(30));
  ~SimpleLogRecordProcessor() override;

  void OnEmit(LogRecordData&& record) override;
  Status ForceFlush(Deadline deadline) override;
  Status Shutdown(Deadline deadline) override;

 private:
  std::mutex mu_;
  const std::unique_ptr<LogExporter> exporter_;
  const std::shared_ptr<const Resource> resource_;
  const std::chrono::milliseconds export_timeout_;
  bool shut_down_ = false;  // guarded by mu_
};

}  // namespace klio::telemetry::sdk
