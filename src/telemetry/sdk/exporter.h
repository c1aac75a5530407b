// Exporter interfaces: where the SDK hands finished telemetry. Implementations live in
// src/telemetry/export (OTLP http/protobuf and grpc, console, none); Prometheus is a pull
// reader, not a push exporter (export/prometheus.h).
//
// Thread-safety: the SDK never calls Export concurrently on one exporter (processors and
// readers serialise their calls); ForceFlush and Shutdown may be called from any thread and
// must return by their deadline.
// Design: docs/design/telemetry.md §4.
#pragma once

#include <chrono>
#include <span>

#include "base/status.h"
#include "telemetry/common.h"
#include "telemetry/sdk/data.h"

namespace klio::telemetry::sdk {

using Deadline = std::chrono::steady_clock::time_point;

enum class InstrumentKind : std::uint8_t {
  kCounter,
  kUpDownCounter,
  kHistogram,
  kGauge,
  kObservableCounter,
  kObservableUpDownCounter,
  kObservableGauge,
};

class SpanExporter {
 public:
  virtual ~SpanExporter() = default;
  // Sends one batch. OK when the peer accepted it (a partial success is OK and logged);
  // Unavailable/DeadlineExceeded after retries gave up; never blocks past `deadline`.
  virtual Status Export(std::span<const SpanData> spans, const Resource& resource,
                        Deadline deadline) = 0;
  virtual Status ForceFlush(Deadline deadline) = 0;
  // After Shutdown, Export fails fast with FailedPrecondition.
  virtual Status Shutdown(Deadline deadline) = 0;
};

class MetricExporter {
 public:
  virtual ~MetricExporter() = default;
  // The temporality this exporter wants for instruments of `kind`
  // (OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE).
  virtual Temporality PreferredTemporality(InstrumentKind kind) const = 0;
  virtual Status Export(const ResourceMetrics& metrics, Deadline deadline) = 0;
  virtual Status ForceFlush(Deadline deadline) = 0;
  virtual Status Shutdown(Deadline deadline) = 0;
};

class LogExporter {
 public:
  virtual ~LogExporter() = default;
  virtual Status Export(std::span<const LogRecordData> records, const Resource& resource,
                        Deadline deadline) = 0;
  virtual Status ForceFlush(Deadline deadline) = 0;
  virtual Status Shutdown(Deadline deadline) = 0;
};

}  // namespace klio::telemetry::sdk
