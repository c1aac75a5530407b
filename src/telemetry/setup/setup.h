// SetupTelemetry: the one call main() makes to turn the OTEL_* environment into running
// telemetry — the Resource, a TracerProvider (sampler from OTEL_TRACES_SAMPLER, batch span
// processor, chosen exporters), a MeterProvider (periodic readers for OTLP/console and a pull
// reader behind the Prometheus endpoint, all on one aggregation) with the runtime and host
// metrics, and a LoggerProvider bridged from klio::log — installed as the global providers.
//
//   int main(int argc, char** argv) {
//     auto telemetry = telemetry::setup::SetupTelemetry({.default_service_name = "klio-server"});
//     ...                                    // instrumented code: GetTracer(), GetMeter(), log
//     (*telemetry)->Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
//   }
//
// No OTEL_* variable, or OTEL_SDK_DISABLED=true: nothing is installed (the APIs stay no-op, no
// thread is started, no socket opened, no file read). Otherwise every problem is logged once on
// klio::log logger "klio.telemetry" and affects only its own part: a bad exporter value turns
// that signal off; an OTLP exporter that cannot be built, or a Prometheus port in use, drops
// that exporter; the other signals and the process carry on. Each signal logs one info line
// naming its exporters (and the OTLP URL).
//
// Lifetime: create the Telemetry before any instrumented code runs and destroy it last; the
// providers it owns must outlive every Tracer, Span and instrument used while installed.
//
// Thread-safety: SetupTelemetry must not run concurrently with another SetupTelemetry.
// Telemetry's methods are thread-safe; Shutdown and ForceFlush may race with instrumented code.
// Design: docs/observability.md; docs/design/telemetry.md §4.
#pragma once

#include <unistd.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "base/result.h"
#include "base/status.h"
#include "telemetry/common.h"
#include "telemetry/propagation.h"
#include "telemetry/sdk/exporter.h"
#include "telemetry/setup/env_config.h"
#include "telemetry/setup/resource_config.h"
#include "telemetry/setup/runtime_metrics.h"

namespace klio::telemetry::sdk {
class TracerProvider;
class MeterProvider;
class LoggerProvider;
}  // namespace klio::telemetry::sdk

namespace klio::telemetry::setup {

struct SetupOptions {
  // service.name unless OTEL_SERVICE_NAME / OTEL_RESOURCE_ATTRIBUTES give one; empty:
  // "unknown_service:<executable name>".
  std::string default_service_name;
  // Where every variable is read; default: the process environment.
  Environment env = ProcessEnvironment();
  // Facts for the resource detectors; null: this Linux host and process.
  std::shared_ptr<SystemProbe> probe;
  // Process and host metrics (registered when metrics are exported).
  bool runtime_metrics = true;
  RuntimeMetricsOptions runtime;
  // Install the providers globally (SetTracerProvider, SetMeterProvider, the klio::log
  // bridge). Tests that only inspect the providers may turn this off.
  bool install_global = true;
  // Where the console exporters write (not owned).
  int console_fd = STDOUT_FILENO;
};

// The running telemetry of the process. Shutdown (or the destructor) flushes and stops it.
class Telemetry {
 public:
  // Shuts down (5 s budget) unless Shutdown already ran, then uninstalls and frees everything.
  ~Telemetry();
  Telemetry(const Telemetry&) = delete;
  Telemetry& operator=(const Telemetry&) = delete;

  // False when nothing was installed (see TelemetryConfig::disabled_reason).
  bool enabled() const { return config_.enabled; }
  const TelemetryConfig& config() const { return config_; }
  // The resource every signal carries (empty when disabled).
  const Resource& resource() const { return *resource_; }
  // OTEL_PROPAGATORS, for the gRPC glue (in effect even when disabled).
  const Propagators& propagators() const { return config_.propagators; }

  // The providers; null for a signal that is off.
  sdk::TracerProvider* tracer_provider() const { return tracer_provider_.get(); }
  sdk::MeterProvider* meter_provider() const { return meter_provider_.get(); }
  sdk::LoggerProvider* logger_provider() const { return logger_provider_.get(); }
  // The port the Prometheus endpoint listens on; 0 when it does not run.
  int prometheus_port() const;

  // Exports everything pending in every signal. Returns the first error (DeadlineExceeded when
  // `deadline` passed first); always returns by `deadline`. Network I/O.
  Status ForceFlush(sdk::Deadline deadline);
  // Stops the Prometheus endpoint, unregisters the runtime metrics and shuts every provider down
  // (final exports included) by `deadline`. Returns the first error; always returns by
  // `deadline` (a Prometheus server still draining a scrape then finishes in the background).
  // Afterwards the APIs record nothing exportable. A second call returns OK at once.
  Status Shutdown(sdk::Deadline deadline);

 private:
  friend Result<std::unique_ptr<Telemetry>> SetupTelemetry(SetupOptions options);
  class PrometheusEndpoint;
  Telemetry();

  TelemetryConfig config_;
  std::shared_ptr<const Resource> resource_;
  std::unique_ptr<sdk::TracerProvider> tracer_provider_;
  std::unique_ptr<sdk::MeterProvider> meter_provider_;
  std::unique_ptr<sdk::LoggerProvider> logger_provider_;
  std::unique_ptr<PrometheusEndpoint> prometheus_;
  std::unique_ptr<RuntimeMetrics> runtime_metrics_;
  std::mutex mu_;
  bool shut_down_ = false;  // guarded by mu_
};

// Reads the configuration, builds and installs everything (see the top of this file). Fails
// only with FailedPrecondition when install_global is set and a tracer or meter provider is
// already installed (SetupTelemetry ran twice); every other problem is logged and leaves the
// affected part off.
Result<std::unique_ptr<Telemetry>> SetupTelemetry(SetupOptions options = {});

}  // namespace klio::telemetry::setup
