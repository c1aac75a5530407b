// OTLP span, metric and log exporters (see otlp_exporter.h).
#include "telemetry/export/otlp_exporter.h"

#include <chrono>

#include "telemetry/export/otlp_client.h"
#include "telemetry/export/otlp_encode.h"
#include "telemetry/export/otlp_transport.h"

namespace klio::telemetry::exporter {
namespace {

Result<std::unique_ptr<OtlpClient>> MakeClient(const OtlpOptions& options, Signal expected,
                                               OtlpWarningSink warnings) {
  if (options.signal != expected) {
    return Status::InvalidArgument("otlp exporter: options are for " +
                                   std::string(SignalName(options.signal)) + ", not " +
                                   std::string(SignalName(expected)));
  }
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<OtlpTransport> transport, MakeOtlpTransport(options));
  return std::make_unique<OtlpClient>(options, std::move(transport), std::move(warnings));
}

}  // namespace

// Spans.

OtlpSpanExporter::OtlpSpanExporter(std::unique_ptr<OtlpClient> client)
    : client_(std::move(client)) {}
OtlpSpanExporter::~OtlpSpanExporter() = default;

Status OtlpSpanExporter::Export(std::span<const sdk::SpanData> spans, const Resource& resource,
                                sdk::Deadline deadline) {
  return client_->Export(spans.size(), deadline,
                         [&](ProtoWriter* w) { EncodeTraceRequest(spans, resource, w); });
}
Status OtlpSpanExporter::ForceFlush(sdk::Deadline) { return Status::Ok(); }
Status OtlpSpanExporter::Shutdown(sdk::Deadline deadline) { return client_->Shutdown(deadline); }
OtlpExporterStats OtlpSpanExporter::Stats() const { return client_->Stats(); }

// Metrics.

OtlpMetricExporter::OtlpMetricExporter(std::unique_ptr<OtlpClient> client,
                                       TemporalityPreference preference)
    : client_(std::move(client)), preference_(preference) {}
OtlpMetricExporter::~OtlpMetricExporter() = default;

sdk::Temporality OtlpMetricExporter::PreferredTemporality(sdk::InstrumentKind kind) const {
  using sdk::InstrumentKind;
  using sdk::Temporality;
  switch (preference_) {
    case TemporalityPreference::kCumulative:
      return Temporality::kCumulative;
    case TemporalityPreference::kDelta:
      return kind == InstrumentKind::kCounter || kind == InstrumentKind::kObservableCounter ||
                     kind == InstrumentKind::kHistogram
                 ? Temporality::kDelta
                 : Temporality::kCumulative;
    case TemporalityPreference::kLowMemory:
      return kind == InstrumentKind::kCounter || kind == InstrumentKind::kHistogram
                 ? Temporality::kDelta
                 : Temporality::kCumulative;
  }
  return Temporality::kCumulative;
}

Status OtlpMetricExporter::Export(const sdk::ResourceMetrics& metrics, sdk::Deadline deadline) {
  return client_->Export(CountDataPoints(metrics), deadline,
                         [&](ProtoWriter* w) { EncodeMetricsRequest(metrics, w); });
}
Status OtlpMetricExporter::ForceFlush(sdk::Deadline) { return Status::Ok(); }
Status OtlpMetricExporter::Shutdown(sdk::Deadline deadline) { return client_->Shutdown(deadline); }
OtlpExporterStats OtlpMetricExporter::Stats() const { return client_->Stats(); }

// Logs.

OtlpLogExporter::OtlpLogExporter(std::unique_ptr<OtlpClient> client) : client_(std::move(client)) {}
OtlpLogExporter::~OtlpLogExporter() = default;

Status OtlpLogExporter::Export(std::span<const sdk::LogRecordData> records,
                               const Resource& resource, sdk::Deadline deadline) {
  return client_->Export(records.size(), deadline,
                         [&](ProtoWriter* w) { EncodeLogsRequest(records, resource, w); });
}
Status OtlpLogExporter::ForceFlush(sdk::Deadline) { return Status::Ok(); }
Status OtlpLogExporter::Shutdown(sdk::Deadline deadline) { return client_->Shutdown(deadline); }
OtlpExporterStats OtlpLogExporter::Stats() const { return client_->Stats(); }

// Factories.

Result<std::unique_ptr<OtlpSpanExporter>> MakeOtlpSpanExporter(const OtlpOptions& options,
                                                               OtlpWarningSink warnings) {
  KLIO_ASSIGN_OR_RETURN(auto client, MakeClient(options, Signal::kTraces, std::move(warnings)));
  return std::make_unique<OtlpSpanExporter>(std::move(client));
}

Result<std::unique_ptr<OtlpMetricExporter>> MakeOtlpMetricExporter(const OtlpOptions& options,
                                                                   OtlpWarningSink warnings) {
  KLIO_ASSIGN_OR_RETURN(auto client, MakeClient(options, Signal::kMetrics, std::move(warnings)));
  return std::make_unique<OtlpMetricExporter>(std::move(client), options.temporality);
}

Result<std::unique_ptr<OtlpLogExporter>> MakeOtlpLogExporter(const OtlpOptions& options,
                                                             OtlpWarningSink warnings) {
  KLIO_ASSIGN_OR_RETURN(auto client, MakeClient(options, Signal::kLogs, std::move(warnings)));
  return std::make_unique<OtlpLogExporter>(std::move(client));
}

}  // namespace klio::telemetry::exporter
