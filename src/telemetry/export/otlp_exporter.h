// OTLP push exporters for spans, metrics and log records (sdk/exporter.h), over
// OTLP/HTTP protobuf or OTLP/gRPC as OtlpOptions says. Each exporter encodes a batch straight
// to protobuf wire bytes into a reused buffer, sends it with retries bounded by the export
// deadline, and counts what it exported, dropped and what the peer rejected.
//
// Thread-safety: the SDK never calls Export concurrently on one exporter; ForceFlush,
// Shutdown and Stats may be called from any thread. Export and Shutdown always return by
// their deadline; after Shutdown, Export fails fast with FailedPrecondition.
// Design: docs/design/otlp-export.md.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "base/result.h"
#include "telemetry/export/otlp_options.h"
#include "telemetry/sdk/exporter.h"

namespace klio::telemetry::exporter {

// Cumulative counters of one exporter (items = spans, data points or log records).
struct OtlpExporterStats {
  std::uint64_t exported_items = 0;  // accepted by the peer (partial success: minus rejected)
  std::uint64_t rejected_items = 0;  // reported rejected in a partial success
  std::uint64_t failed_items = 0;    // dropped: permanent error, retries exhausted, too big
  std::uint64_t requests = 0;        // transport attempts, retries included
  std::uint64_t partial_successes = 0;
};

// Receives one-line warnings (partial success, dropped batches). Must be thread-safe.
// The default writes them to klio's structured log (logger "klio.telemetry.otlp", warn).
using OtlpWarningSink = std::function<void(std::string_view message)>;

class OtlpClient;

class OtlpSpanExporter final : public sdk::SpanExporter {
 public:
  explicit OtlpSpanExporter(std::unique_ptr<OtlpClient> client);
  ~OtlpSpanExporter() override;

  // Encodes and sends `spans` (network I/O, retries). OK when the peer accepted the batch,
  // including a partial success; FailedPrecondition after Shutdown; otherwise the final
  // transport error. Returns by `deadline` and by now + options.timeout.
  Status Export(std::span<const sdk::SpanData> spans, const Resource& resource,
                sdk::Deadline deadline) override;
  // Nothing is buffered here: returns OK at once.
  Status ForceFlush(sdk::Deadline deadline) override;
  // Cancels an in-flight export and waits for it until `deadline` (OK, or DeadlineExceeded).
  Status Shutdown(sdk::Deadline deadline) override;

  OtlpExporterStats Stats() const;

 private:
  std::unique_ptr<OtlpClient> client_;
};

class OtlpMetricExporter final : public sdk::MetricExporter {
 public:
  OtlpMetricExporter(std::unique_ptr<OtlpClient> client, TemporalityPreference preference);
  ~OtlpMetricExporter() override;

  // cumulative: always kCumulative. delta: kDelta for counters, observable counters and
  // histograms, kCumulative for up-down counters. lowmemory: kDelta for synchronous counters
  // and histograms only. Gauges: kCumulative.
  sdk::Temporality PreferredTemporality(sdk::InstrumentKind kind) const override;
  // As OtlpSpanExporter::Export; items are data points.
  Status Export(const sdk::ResourceMetrics& metrics, sdk::Deadline deadline) override;
  Status ForceFlush(sdk::Deadline deadline) override;
  Status Shutdown(sdk::Deadline deadline) override;

  OtlpExporterStats Stats() const;

 private:
  std::unique_ptr<OtlpClient> client_;
  TemporalityPreference preference_;
};

class OtlpLogExporter final : public sdk::LogExporter {
 public:
  explicit OtlpLogExporter(std::unique_ptr<OtlpClient> client);
  ~OtlpLogExporter() override;

  // As OtlpSpanExporter::Export; items are log records.
  Status Export(std::span<const sdk::LogRecordData> records, const Resource& resource,
                sdk::Deadline deadline) override;
  Status ForceFlush(sdk::Deadline deadline) override;
  Status Shutdown(sdk::Deadline deadline) override;

  OtlpExporterStats Stats() const;

 private:
  std::unique_ptr<OtlpClient> client_;
};

// Build exporters from options (no network I/O; TLS files are read here). Fail with
// InvalidArgument when `options.signal` does not match or a TLS file cannot be read.
// `warnings` replaces the default warning sink when set.
Result<std::unique_ptr<OtlpSpanExporter>> MakeOtlpSpanExporter(const OtlpOptions& options,
                                                               OtlpWarningSink warnings = nullptr);
Result<std::unique_ptr<OtlpMetricExporter>> MakeOtlpMetricExporter(
    const OtlpOptions& options, OtlpWarningSink warnings = nullptr);
Result<std::unique_ptr<OtlpLogExporter>> MakeOtlpLogExporter(const OtlpOptions& options,
                                                             OtlpWarningSink warnings = nullptr);

}  // namespace klio::telemetry::exporter
