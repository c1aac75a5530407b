// MeterProvider: the metrics SDK. It owns the resource, the readers and, per instrumentation
// scope, a meter whose instrument storages aggregate what the API records. One aggregation
// feeds every reader: each collection produces cumulative or delta points for the collecting
// reader from that reader's own last-reported state (aggregation.h).
//
//   auto pull = std::make_unique<sdk::PullMetricReader>();
//   sdk::PullMetricReader* prometheus_reader = pull.get();
//   sdk::MeterProviderOptions o;
//   o.resource = resource;
//   o.readers.push_back(std::move(pull));
//   o.readers.push_back(std::make_unique<sdk::PeriodicMetricReader>(
//       std::move(otlp_exporter), sdk::PeriodicMetricReaderOptionsFromEnv(env, &warnings)));
//   sdk::MeterProvider provider(std::move(o));
//   telemetry::SetMeterProvider(&provider);  // every GetMeter() meter now records
//   exporter::PrometheusServer server(opts, [=] { return prometheus_reader->Collect(); });
//   ...
//   server.Stop();
//   provider.Shutdown(std::chrono::steady_clock::now() + 5s);
//
// Lifetime: main creates the provider first and destroys it last; the destructor uninstalls it
// (if installed), shuts the readers down unless Shutdown ran, and unlinks them (waiting for a
// collection in progress). Readers must not be collected from after that (stop the Prometheus
// server first). After Shutdown, records still aggregate but nothing is exported.
//
// Thread-safety: all methods are thread-safe; collections are serialised.
// Design: docs/design/telemetry.md §4.6; otel-reference §1.6, §6.3.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "telemetry/common.h"
#include "telemetry/metrics.h"
#include "telemetry/sdk/data.h"
#include "telemetry/sdk/exporter.h"
#include "telemetry/sdk/metric_reader.h"

namespace klio::telemetry::sdk {

struct MeterProviderOptions {
  std::shared_ptr<const Resource> resource;            // null: an empty resource
  std::vector<std::unique_ptr<MetricReader>> readers;  // each gets every collection it asks for
  // Series per instrument, the overflow series (otel.metric.overflow=true) included.
  std::size_t cardinality_limit = 2000;
  // Wall clock for start and collection times; null: std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
};

class MeterProvider final : public MeterProviderBackend, private MetricCollector {
 public:
  explicit MeterProvider(MeterProviderOptions options);
  ~MeterProvider();
  MeterProvider(const MeterProvider&) = delete;
  MeterProvider& operator=(const MeterProvider&) = delete;

  // The meter backend for `scope` (name, version, schema URL; created on first use). Locks.
  internal::MeterBackend* GetMeterBackend(const InstrumentationScope& scope) override;

  // A meter of this provider, whether or not it is the global one. Its instruments must not be
  // used after the provider is destroyed.
  Meter GetMeter(std::string_view name, std::string_view version = {},
                 std::string_view schema_url = {});

  // ForceFlush of every reader; the first error. Returns by `deadline`.
  Status ForceFlush(Deadline deadline);
  // Shutdown of every reader (a final export for push readers); the first error. Returns by
  // `deadline`. A second call returns OK at once.
  Status Shutdown(Deadline deadline);

  const Resource& resource() const { return *resource_; }
  const std::shared_ptr<const Resource>& shared_resource() const { return resource_; }

 private:
  class SdkMeter;

  ResourceMetrics Collect(std::size_t reader_index) override;
  std::uint64_t NowNanos() const;

  const std::shared_ptr<const Resource> resource_;
  const std::vector<std::unique_ptr<MetricReader>> readers_;
  const std::size_t cardinality_limit_;
  const std::function<std::chrono::system_clock::time_point()> clock_;
  std::atomic<bool> shut_down_{false};

  std::mutex meters_mu_;
  std::vector<std::unique_ptr<SdkMeter>> meters_;  // guarded by meters_mu_

  std::mutex collect_mu_;                       // serialises collections
  std::vector<std::uint64_t> last_collect_ns_;  // guarded by collect_mu_; per reader
};

}  // namespace klio::telemetry::sdk
