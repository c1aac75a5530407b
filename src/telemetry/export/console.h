// Console exporters: spans, metric points and log records as one human-readable line each,
// written to a file descriptor (stdout by default). For debugging only: the line format is not
// a stable interface and may change (otel-reference §1.8).
//
//   span name=backup trace_id=4bf9…4736 span_id=00f0…02b7 parent=- kind=internal status=error
//        dur=12.3ms scope=klio.backup service=klio-sidecar attrs={backup.name=x} events=1
//   metric name=klio.wal.written_size type=counter unit=By scope=klio.server
//        attrs={cluster_name=c1} value=3355443200
//   log time=2026-11-22T03:40:28.123456Z severity=error body="disk full" trace_id=… attrs={…}
//
// Values that contain spaces, quotes, `=`, braces or control characters are double-quoted with
// backslash escapes, so every record stays on one line.
//
// Thread-safety: Export is not called concurrently (sdk/exporter.h); each line is written with
// one write(2) under a mutex, so lines from the three exporters sharing a descriptor never
// interleave. ForceFlush and Shutdown may be called from any thread.
// Design: docs/design/prometheus-export.md §6.
#pragma once

#include <unistd.h>

#include <atomic>
#include <span>
#include <string>

#include "base/status.h"
#include "telemetry/sdk/exporter.h"

namespace klio::telemetry::exporter {

// The one-line renderings, exposed for tests. Each ends with '\n'.
std::string FormatSpanLine(const sdk::SpanData& span, const Resource& resource);
std::string FormatLogLine(const sdk::LogRecordData& record, const Resource& resource);
// One line per data point of `metric` (a histogram point is one line with all its buckets).
std::string FormatMetricLines(const sdk::MetricData& metric, const InstrumentationScope& scope,
                              const Resource& resource);

class ConsoleSpanExporter final : public sdk::SpanExporter {
 public:
  // Writes to `fd`, which the caller keeps open for the exporter's lifetime (not closed).
  explicit ConsoleSpanExporter(int fd = STDOUT_FILENO) : fd_(fd) {}
  // IoError when the write fails; FailedPrecondition after Shutdown. Blocks on the write.
  Status Export(std::span<const sdk::SpanData> spans, const Resource& resource,
                sdk::Deadline deadline) override;
  Status ForceFlush(sdk::Deadline deadline) override;  // no buffering: always OK
  Status Shutdown(sdk::Deadline deadline) override;

 private:
  const int fd_;
  std::atomic<bool> shut_down_{false};
};

class ConsoleMetricExporter final : public sdk::MetricExporter {
 public:
  explicit ConsoleMetricExporter(int fd = STDOUT_FILENO) : fd_(fd) {}
  // Cumulative for every instrument kind: totals are what a human reading a console wants.
  sdk::Temporality PreferredTemporality(sdk::InstrumentKind kind) const override;
  Status Export(const sdk::ResourceMetrics& metrics, sdk::Deadline deadline) override;
  Status ForceFlush(sdk::Deadline deadline) override;
  Status Shutdown(sdk::Deadline deadline) override;

 private:
  const int fd_;
  std::atomic<bool> shut_down_{false};
};

class ConsoleLogExporter final : public sdk::LogExporter {
 public:
  explicit ConsoleLogExporter(int fd = STDOUT_FILENO) : fd_(fd) {}
  Status Export(std::span<const sdk::LogRecordData> records, const Resource& resource,
                sdk::Deadline deadline) override;
  Status ForceFlush(sdk::Deadline deadline) override;
  Status Shutdown(sdk::Deadline deadline) override;

 private:
  const int fd_;
  std::atomic<bool> shut_down_{false};
};

}  // namespace klio::telemetry::exporter
