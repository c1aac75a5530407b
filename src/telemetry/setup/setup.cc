// SetupTelemetry and Telemetry (see setup.h).
#include "telemetry/setup/setup.h"

#include <atomic>
#include <future>
#include <thread>
#include <utility>
#include <vector>

#include "telemetry/export/console.h"
#include "telemetry/export/otlp_exporter.h"
#include "telemetry/export/prometheus.h"
#include "telemetry/log.h"
#include "telemetry/metrics.h"
#include "telemetry/sdk/batch_log_processor.h"
#include "telemetry/sdk/batch_span_processor.h"
#include "telemetry/sdk/logger_provider.h"
#include "telemetry/sdk/meter_provider.h"
#include "telemetry/sdk/metric_reader.h"
#include "telemetry/sdk/span_processor.h"
#include "telemetry/sdk/tracer_provider.h"
#include "telemetry/trace.h"

namespace klio::telemetry::setup {
namespace {

using Severity = Diagnostic::Severity;

const log::Logger& Log() {
  static const log::Logger logger = log::GetLogger("klio.telemetry");
  return logger;
}

void Report(const Diagnostics& diagnostics) {
  for (const Diagnostic& d : diagnostics) {
    switch (d.severity) {
      case Severity::kInfo:
        Log().Info(d.message);
        break;
      case Severity::kWarn:
        Log().Warn(d.message);
        break;
      case Severity::kError:
        Log().Error(d.message);
        break;
    }
  }
}

void AddWarnings(const sdk::EnvWarnings& warnings, Diagnostics* d) {
  for (const Status& s : warnings) d->push_back({Severity::kWarn, s.message()});
}

// "otlp (grpc collector:4317), prometheus (localhost:9464/metrics)", "none", ... for the
// info line of a signal.
std::string Describe(const SignalConfig& signal, std::string_view prometheus_address = {}) {
  if (signal.exporters.empty()) return "none";
  std::string out;
  for (ExporterKind kind : signal.exporters) {
    if (!out.empty()) out += ", ";
    out += ExporterKindName(kind);
    if (kind == ExporterKind::kOtlp && signal.otlp) {
      const bool grpc = signal.otlp->protocol == exporter::OtlpProtocol::kGrpc;
      out += std::string(" (") + (grpc ? "grpc " : "http/protobuf ") + signal.otlp->endpoint + ")";
    } else if (kind == ExporterKind::kPrometheus) {
      out += " (" + std::string(prometheus_address) + ")";
    }
  }
  return out;
}

// Records that the exporter `kind` of `signal` could not be built: an error, and the signal's
// configuration no longer lists it.
void DropExporter(SignalConfig* signal, ExporterKind kind, std::string message, Diagnostics* d) {
  d->push_back({Severity::kError, std::move(message)});
  std::erase(signal->exporters, kind);
}

sdk::Deadline DeadlineAfter(std::chrono::milliseconds budget) {
  return std::chrono::steady_clock::now() + budget;
}

}  // namespace

// The Prometheus endpoint and the pull reader it collects from. Scrapes go through a bridge
// that Shutdown cuts before the provider goes away, so a server still draining a scrape in the
// background never touches a destroyed reader.
class Telemetry::PrometheusEndpoint {
 public:
  struct Bridge {
    std::mutex mu;
    sdk::PullMetricReader* reader = nullptr;  // guarded by mu; null after Shutdown
  };

  static Result<std::unique_ptr<PrometheusEndpoint>> Start(
      const exporter::PrometheusServerOptions& options, sdk::PullMetricReader* reader) {
    auto bridge = std::make_shared<Bridge>();
    bridge->reader = reader;
    auto server = std::make_shared<exporter::PrometheusServer>(
        options,
        [bridge]() -> sdk::ResourceMetrics {
          std::lock_guard<std::mutex> lock(bridge->mu);
          if (bridge->reader == nullptr) return {};
          return bridge->reader->Collect();
        },
        [](std::string_view warning) {
          Log().Warn("prometheus endpoint: " + std::string(warning));
        });
    KLIO_RETURN_IF_ERROR(server->Start());
    auto endpoint = std::unique_ptr<PrometheusEndpoint>(new PrometheusEndpoint());
    endpoint->bridge_ = std::move(bridge);
    endpoint->server_ = std::move(server);
    endpoint->port_.store(endpoint->server_->port(), std::memory_order_relaxed);
    return endpoint;
  }

  int port() const { return port_.load(std::memory_order_relaxed); }

  // Starts stopping the server on a helper thread and cuts the bridge. Idempotent.
  void BeginStop() {
    if (stopper_.joinable() || server_ == nullptr) return;
    std::promise<void> done;
    stopped_ = done.get_future();
    stopper_ = std::thread([server = server_, done = std::move(done)]() mutable {
      server->Stop();
      done.set_value();
    });
    std::lock_guard<std::mutex> lock(bridge_->mu);
    bridge_->reader = nullptr;
  }

  // Waits for the server to stop until `deadline`; past it, leaves the helper thread (which
  // owns the server) to finish alone. DeadlineExceeded then.
  Status WaitStopped(sdk::Deadline deadline) {
    if (!stopper_.joinable()) return Status::Ok();
    if (stopped_.wait_until(deadline) == std::future_status::ready) {
      stopper_.join();
      port_.store(0, std::memory_order_relaxed);
      return Status::Ok();
    }
    stopper_.detach();
    return Status::DeadlineExceeded("prometheus endpoint: still stopping at the deadline");
  }

  ~PrometheusEndpoint() {
    BeginStop();
    (void)WaitStopped(DeadlineAfter(std::chrono::seconds(5)));
  }

 private:
  PrometheusEndpoint() = default;
  std::shared_ptr<Bridge> bridge_;
  std::shared_ptr<exporter::PrometheusServer> server_;
  std::thread stopper_;
  std::future<void> stopped_;
  std::atomic<int> port_{0};  // read by prometheus_port() from any thread
};

Telemetry::Telemetry() : resource_(std::make_shared<const Resource>()) {}

Telemetry::~Telemetry() {
  (void)Shutdown(DeadlineAfter(std::chrono::seconds(5)));
  // Order: nothing collects or records into a provider after it is gone.
  prometheus_.reset();
  runtime_metrics_.reset();
  logger_provider_.reset();  // uninstalls the klio::log bridge
  meter_provider_.reset();   // uninstalls itself when global
  tracer_provider_.reset();  // likewise
}

int Telemetry::prometheus_port() const { return prometheus_ ? prometheus_->port() : 0; }

Status Telemetry::ForceFlush(sdk::Deadline deadline) {
  Status first;
  const auto keep = [&first](Status s) {
    if (first.ok() && !s.ok()) first = std::move(s);
  };
  if (tracer_provider_) keep(tracer_provider_->ForceFlush(deadline));
  if (meter_provider_) keep(meter_provider_->ForceFlush(deadline));
  if (logger_provider_) keep(logger_provider_->ForceFlush(deadline));
  return first;
}

Status Telemetry::Shutdown(sdk::Deadline deadline) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) return Status::Ok();
    shut_down_ = true;
  }
  Status first;
  const auto keep = [&first](Status s, std::string_view what) {
    if (first.ok() && !s.ok()) first = s.WithContext(what);
  };
  if (prometheus_) prometheus_->BeginStop();
  if (tracer_provider_) keep(tracer_provider_->Shutdown(deadline), "traces");
  // The final metric export still runs the runtime metrics' callbacks; unregister after it.
  if (meter_provider_) keep(meter_provider_->Shutdown(deadline), "metrics");
  runtime_metrics_.reset();
  // Logs last: lines logged while the other signals shut down are still exported.
  if (logger_provider_) keep(logger_provider_->Shutdown(deadline), "logs");
  if (prometheus_) keep(prometheus_->WaitStopped(deadline), "metrics");
  return first;
}

namespace {

std::unique_ptr<sdk::TracerProvider> BuildTraces(TelemetryConfig& config,
                                                 const SetupOptions& options,
                                                 const std::shared_ptr<const Resource>& resource,
                                                 Diagnostics* d) {
  sdk::TracerProviderOptions o;
  o.resource = resource;
  for (ExporterKind kind : std::vector<ExporterKind>(config.traces.exporters)) {
    if (kind == ExporterKind::kConsole) {
      o.processors.push_back(std::make_unique<sdk::SimpleSpanProcessor>(
          std::make_unique<exporter::ConsoleSpanExporter>(options.console_fd), resource));
    } else if (kind == ExporterKind::kOtlp && config.traces.otlp) {
      auto exp = exporter::MakeOtlpSpanExporter(*config.traces.otlp);
      if (!exp.ok()) {
        DropExporter(&config.traces, kind, "traces: otlp exporter: " + exp.status().ToString(), d);
        continue;
      }
      sdk::EnvWarnings warnings;
      auto batch = sdk::BatchSpanProcessorOptionsFromEnv(options.env.get, &warnings);
      AddWarnings(warnings, d);
      o.processors.push_back(
          std::make_unique<sdk::BatchSpanProcessor>(std::move(*exp), resource, batch));
    }
  }
  if (o.processors.empty()) return nullptr;
  sdk::EnvWarnings warnings;
  sdk::ApplyTraceEnv(options.env.get, &o, &warnings);
  AddWarnings(warnings, d);
  return std::make_unique<sdk::TracerProvider>(std::move(o));
}

std::unique_ptr<sdk::LoggerProvider> BuildLogs(TelemetryConfig& config, const SetupOptions& options,
                                               const std::shared_ptr<const Resource>& resource,
                                               Diagnostics* d) {
  sdk::LoggerProviderOptions o;
  o.resource = resource;
  for (ExporterKind kind : std::vector<ExporterKind>(config.logs.exporters)) {
    if (kind == ExporterKind::kConsole) {
      o.processors.push_back(std::make_unique<sdk::SimpleLogRecordProcessor>(
          std::make_unique<exporter::ConsoleLogExporter>(options.console_fd), resource));
    } else if (kind == ExporterKind::kOtlp && config.logs.otlp) {
      auto exp = exporter::MakeOtlpLogExporter(*config.logs.otlp);
      if (!exp.ok()) {
        DropExporter(&config.logs, kind, "logs: otlp exporter: " + exp.status().ToString(), d);
        continue;
      }
      sdk::EnvWarnings warnings;
      auto batch = sdk::BatchLogProcessorOptionsFromEnv(options.env.get, &warnings);
      AddWarnings(warnings, d);
      o.processors.push_back(
          std::make_unique<sdk::BatchLogRecordProcessor>(std::move(*exp), resource, batch));
    }
  }
  if (o.processors.empty()) return nullptr;
  sdk::EnvWarnings warnings;
  sdk::ApplyLogsEnv(options.env.get, &o, &warnings);
  AddWarnings(warnings, d);
  return std::make_unique<sdk::LoggerProvider>(std::move(o));
}

// The meter provider and, when prometheus is selected, its pull reader (owned by the provider).
struct MetricsParts {
  std::unique_ptr<sdk::MeterProvider> provider;
  sdk::PullMetricReader* pull = nullptr;
};

MetricsParts BuildMetrics(TelemetryConfig& config, const std::shared_ptr<const Resource>& resource,
                          int console_fd, Diagnostics* d) {
  MetricsParts parts;
  sdk::MeterProviderOptions o;
  o.resource = resource;
  for (ExporterKind kind : std::vector<ExporterKind>(config.metrics.exporters)) {
    sdk::PeriodicMetricReaderOptions periodic{config.MetricInterval(kind),
                                              config.metric_export_timeout};
    if (kind == ExporterKind::kConsole) {
      o.readers.push_back(std::make_unique<sdk::PeriodicMetricReader>(
          std::make_unique<exporter::ConsoleMetricExporter>(console_fd), periodic));
    } else if (kind == ExporterKind::kOtlp && config.metrics.otlp) {
      auto exp = exporter::MakeOtlpMetricExporter(*config.metrics.otlp);
      if (!exp.ok()) {
        DropExporter(&config.metrics, kind, "metrics: otlp exporter: " + exp.status().ToString(),
                     d);
        continue;
      }
      o.readers.push_back(std::make_unique<sdk::PeriodicMetricReader>(std::move(*exp), periodic));
    } else if (kind == ExporterKind::kPrometheus) {
      auto pull = std::make_unique<sdk::PullMetricReader>();
      parts.pull = pull.get();
      o.readers.push_back(std::move(pull));
    }
  }
  if (o.readers.empty()) return parts;
  parts.provider = std::make_unique<sdk::MeterProvider>(std::move(o));
  return parts;
}

}  // namespace

Result<std::unique_ptr<Telemetry>> SetupTelemetry(SetupOptions options) {
  std::unique_ptr<Telemetry> t(new Telemetry());
  t->config_ = ReadTelemetryConfig(options.env);
  TelemetryConfig& config = t->config_;
  Diagnostics diagnostics = std::move(config.diagnostics);
  config.diagnostics.clear();
  if (!config.enabled) {
    Report(diagnostics);
    Log().Debug("telemetry is off", {{"reason", config.disabled_reason}});
    return t;
  }
  if (options.install_global && (GetTracerProvider() != nullptr || GetMeterProvider() != nullptr)) {
    return Status::FailedPrecondition(
        "telemetry: a tracer or meter provider is already installed (SetupTelemetry ran twice?)");
  }

  std::shared_ptr<SystemProbe> probe = options.probe;
  if (probe == nullptr) probe = NewLinuxSystemProbe();
  ResourceOptions resource_options;
  resource_options.default_service_name = options.default_service_name;
  t->resource_ = std::make_shared<const Resource>(
      BuildResource(options.env.get, *probe, resource_options, &diagnostics));

  t->tracer_provider_ = BuildTraces(config, options, t->resource_, &diagnostics);
  MetricsParts metrics = BuildMetrics(config, t->resource_, options.console_fd, &diagnostics);
  t->meter_provider_ = std::move(metrics.provider);
  t->logger_provider_ = BuildLogs(config, options, t->resource_, &diagnostics);

  if (metrics.pull != nullptr) {
    auto endpoint = Telemetry::PrometheusEndpoint::Start(config.prometheus, metrics.pull);
    if (endpoint.ok()) {
      t->prometheus_ = std::move(*endpoint);
    } else {
      DropExporter(&config.metrics, ExporterKind::kPrometheus,
                   "metrics: prometheus endpoint " + config.prometheus.host + ":" +
                       std::to_string(config.prometheus.port) +
                       " not started: " + endpoint.status().ToString(),
                   &diagnostics);
      // A pull reader nobody can scrape: without other readers, metrics are off.
      if (config.metrics.exporters.empty()) t->meter_provider_.reset();
    }
  }
  if (t->meter_provider_ && options.runtime_metrics) {
    t->runtime_metrics_ = std::make_unique<RuntimeMetrics>(
        t->meter_provider_->GetMeter(kRuntimeMeterName, TelemetrySdkVersion()), options.runtime);
  }

  if (options.install_global) {
    if (t->tracer_provider_) SetTracerProvider(t->tracer_provider_.get());
    if (t->meter_provider_) SetMeterProvider(t->meter_provider_.get());
    if (t->logger_provider_) t->logger_provider_->InstallLogBridge();
  }

  // After the bridge is installed, so configuration problems reach the collector too.
  Report(diagnostics);
  const std::string prometheus_address =
      config.prometheus.host + ":" + std::to_string(t->prometheus_port()) + config.prometheus.path;
  Log().Info("telemetry on",
             {{"service.name", ResourceString(*t->resource_, "service.name").value_or("")},
              {"traces", Describe(config.traces)},
              {"metrics", Describe(config.metrics, prometheus_address)},
              {"logs", Describe(config.logs)}});
  return t;
}

}  // namespace klio::telemetry::setup
