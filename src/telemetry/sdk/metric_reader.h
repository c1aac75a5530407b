// Metric readers: how collections are triggered and where their results go. A reader is handed
// to a MeterProvider (MeterProviderOptions::readers) and from then on can collect; every reader
// sees the same aggregation, with cumulative or delta points as its TemporalityFor says
// (aggregation.h).
//
//  * PullMetricReader: Collect() on demand — the Prometheus endpoint's collect callback
//    (`PrometheusServer server(opts, [r] { return r->Collect(); })`), tests, manual use.
//    Cumulative for every kind unless told otherwise (Prometheus requires cumulative).
//  * PeriodicMetricReader: a background thread collects every `interval` (start to start) and
//    hands the result to a MetricExporter with a deadline of now + `timeout`, using the
//    exporter's PreferredTemporality. ForceFlush runs a collection+export now; Shutdown runs a
//    final one, then shuts the exporter down. Both return by their deadline even when the
//    exporter hangs: they wait on a condition variable, not on the thread; on a missed
//    Shutdown deadline the exporter's Shutdown is called (to abandon its request) and the
//    thread is detached, owning the exporter through a shared state until Export returns.
//    A collection itself (callbacks included) is not interruptible.
//
// Thread-safety: all public methods are thread-safe. Collections through one provider are
// serialised.
// Design: docs/design/telemetry.md §4.6; otel-reference §1.6, §3.1, §6.3.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "base/status.h"
#include "telemetry/sdk/data.h"
#include "telemetry/sdk/exporter.h"

namespace klio::telemetry::sdk {

// Implemented by MeterProvider: one collection for the reader registered at `reader_index`.
class MetricCollector {
 public:
  virtual ResourceMetrics Collect(std::size_t reader_index) = 0;

 protected:
  ~MetricCollector() = default;
};

// The link from a reader to its provider, shared with reader threads so that a detached thread
// can find out safely that the provider is gone.
class CollectorLink {
 public:
  // One collection; nullopt when not linked (never registered, or the provider is gone).
  std::optional<ResourceMetrics> Collect();
  void Set(MetricCollector* collector, std::size_t index);
  // Unlinks; waits for a collection in progress.
  void Clear();

 private:
  std::mutex mu_;
  MetricCollector* collector_ = nullptr;  // guarded by mu_
  std::size_t index_ = 0;                 // guarded by mu_
};

class MetricReader {
 public:
  MetricReader() : link_(std::make_shared<CollectorLink>()) {}
  virtual ~MetricReader() = default;
  MetricReader(const MetricReader&) = delete;
  MetricReader& operator=(const MetricReader&) = delete;

  // The temporality this reader wants for instruments of `kind` (gauges ignore it, except that
  // a delta reader only gets gauge series recorded since its previous collection).
  virtual Temporality TemporalityFor(InstrumentKind kind) const = 0;
  // Exports what is pending; returns by `deadline` (DeadlineExceeded when it passed).
  virtual Status ForceFlush(Deadline deadline) = 0;
  // Final collection (push readers) and exporter shutdown; returns by `deadline`. A second
  // call returns OK at once.
  virtual Status Shutdown(Deadline deadline) = 0;

 protected:
  const std::shared_ptr<CollectorLink>& link() const { return link_; }
  // Called once the reader is registered with a provider (push readers start their thread).
  virtual void OnRegistered() {}

 private:
  friend class MeterProvider;
  void Register(MetricCollector* collector, std::size_t index) {
    link_->Set(collector, index);
    OnRegistered();
  }
  void Unregister() { link_->Clear(); }

  const std::shared_ptr<CollectorLink> link_;
};

struct PullMetricReaderOptions {
  // The temporality per instrument kind; null: cumulative for every kind.
  std::function<Temporality(InstrumentKind)> temporality;
};

class PullMetricReader final : public MetricReader {
 public:
  explicit PullMetricReader(PullMetricReaderOptions options = {});

  // One collection now (runs observable callbacks; no I/O). Returns an empty ResourceMetrics
  // (null resource, no scopes) before registration and after Shutdown.
  ResourceMetrics Collect();

  Temporality TemporalityFor(InstrumentKind kind) const override;
  // Nothing is buffered: OK, or FailedPrecondition after Shutdown.
  Status ForceFlush(Deadline deadline) override;
  Status Shutdown(Deadline deadline) override;

 private:
  const PullMetricReaderOptions options_;
  std::atomic<bool> shut_down_{false};
};

struct PeriodicMetricReaderOptions {
  std::chrono::milliseconds interval{60000};  // OTEL_METRIC_EXPORT_INTERVAL, start to start
  std::chrono::milliseconds timeout{30000};   // OTEL_METRIC_EXPORT_TIMEOUT, per export
};

// Returns the value of an environment variable, or nullopt when unset.
using MetricEnvGetter = std::function<std::optional<std::string>(std::string_view name)>;

// Reads OTEL_METRIC_EXPORT_INTERVAL and OTEL_METRIC_EXPORT_TIMEOUT (milliseconds) through
// `env`. Empty is unset. An invalid value (not a non-negative integer below 2^31, or an interval
// of 0) keeps the default and appends a warning naming the variable and echoing the value to
// `warnings` (may be null). A timeout of 0 means no limit (2^31-1 ms).
PeriodicMetricReaderOptions PeriodicMetricReaderOptionsFromEnv(const MetricEnvGetter& env,
                                                               std::vector<Status>* warnings);

struct PeriodicReaderStats {
  std::uint64_t collections = 0;
  std::uint64_t exports = 0;         // Export calls
  std::uint64_t failed_exports = 0;  // Export calls that returned an error
};

class PeriodicMetricReader final : public MetricReader {
 public:
  explicit PeriodicMetricReader(std::unique_ptr<MetricExporter> exporter,
                                PeriodicMetricReaderOptions options = {});
  // Shuts down (with the remaining part of a 5 s budget) unless Shutdown already ran.
  ~PeriodicMetricReader() override;

  // The exporter's preference.
  Temporality TemporalityFor(InstrumentKind kind) const override;
  // Collects and exports now, then flushes the exporter. DeadlineExceeded when `deadline`
  // passed first (the export continues in the background); FailedPrecondition after Shutdown or
  // before registration; otherwise the export's status.
  Status ForceFlush(Deadline deadline) override;
  // Stops the thread after a final collection and export, then shuts the exporter down.
  Status Shutdown(Deadline deadline) override;

  PeriodicReaderStats stats() const;

 private:
  struct State;
  void OnRegistered() override;
  static void Run(std::shared_ptr<State> state);

  const std::shared_ptr<State> state_;
  std::thread thread_;
  std::mutex shutdown_mu_;
  bool shut_down_ = false;  // guarded by shutdown_mu_
};

}  // namespace klio::telemetry::sdk
