#include "telemetry/sdk/metric_reader.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <exception>
#include <utility>

#include "telemetry/metrics_internal.h"

namespace klio::telemetry::sdk {

// ---------------------------------------------------------------------------------------------
// CollectorLink

std::optional<ResourceMetrics> CollectorLink::Collect() {
  std::lock_guard<std::mutex> lock(mu_);
  if (collector_ == nullptr) return std::nullopt;
  return collector_->Collect(index_);
}

void CollectorLink::Set(MetricCollector* collector, std::size_t index) {
  std::lock_guard<std::mutex> lock(mu_);
  collector_ = collector;
  index_ = index;
}

void CollectorLink::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  collector_ = nullptr;
}

// ---------------------------------------------------------------------------------------------
// PullMetricReader

PullMetricReader::PullMetricReader(PullMetricReaderOptions options)
    : options_(std::move(options)) {}

ResourceMetrics PullMetricReader::Collect() {
  if (shut_down_.load(std::memory_order_acquire)) return {};
  std::optional<ResourceMetrics> metrics = link()->Collect();
  return metrics.has_value() ? std::move(*metrics) : ResourceMetrics{};
}

Temporality PullMetricReader::TemporalityFor(InstrumentKind kind) const {
  return options_.temporality ? options_.temporality(kind) : Temporality::kCumulative;
}

Status PullMetricReader::ForceFlush(Deadline /*deadline*/) {
  if (shut_down_.load(std::memory_order_acquire)) {
    return Status::FailedPrecondition("pull metric reader: shut down");
  }
  return Status::Ok();
}

Status PullMetricReader::Shutdown(Deadline /*deadline*/) {
  shut_down_.store(true, std::memory_order_release);
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Options from the environment

namespace {

// A non-negative integer below 2^31 in milliseconds; nullopt for an unset or empty value;
// a warning (and nullopt) for anything else or for 0 when `zero_ok` is false.
std::optional<std::chrono::milliseconds> EnvMillis(const MetricEnvGetter& env,
                                                   std::string_view name, bool zero_ok,
                                                   std::vector<Status>* warnings) {
  if (!env) return std::nullopt;
  std::optional<std::string> raw = env(name);
  if (!raw.has_value()) return std::nullopt;
  std::string_view v = *raw;
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (v.empty()) return std::nullopt;
  std::int64_t ms = -1;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
  const bool ok = ec == std::errc() && end == v.data() + v.size() && ms >= 0 && ms <= 2147483647 &&
                  (zero_ok || ms > 0);
  if (!ok) {
    if (warnings != nullptr) {
      std::string shown(raw->substr(0, 64));
      warnings->push_back(
          Status::InvalidArgument(std::string(name) + "=\"" + shown + "\": want " +
                                  (zero_ok ? "a non-negative" : "a positive") +
                                  " integer number of milliseconds below 2^31; using the default"));
    }
    return std::nullopt;
  }
  return std::chrono::milliseconds(ms);
}

}  // namespace

PeriodicMetricReaderOptions PeriodicMetricReaderOptionsFromEnv(const MetricEnvGetter& env,
                                                               std::vector<Status>* warnings) {
  PeriodicMetricReaderOptions o;
  if (auto interval = EnvMillis(env, "OTEL_METRIC_EXPORT_INTERVAL", false, warnings)) {
    o.interval = *interval;
  }
  if (auto timeout = EnvMillis(env, "OTEL_METRIC_EXPORT_TIMEOUT", true, warnings)) {
    o.timeout = timeout->count() == 0 ? std::chrono::milliseconds(2147483647) : *timeout;
  }
  return o;
}

// ---------------------------------------------------------------------------------------------
// PeriodicMetricReader

// Everything the worker touches, so that a detached worker stays memory-safe after the reader
// is destroyed.
struct PeriodicMetricReader::State {
  State(std::unique_ptr<MetricExporter> e, PeriodicMetricReaderOptions o,
        std::shared_ptr<CollectorLink> l)
      : exporter(std::move(e)), options(o), link(std::move(l)) {}

  const std::unique_ptr<MetricExporter> exporter;
  const PeriodicMetricReaderOptions options;
  const std::shared_ptr<CollectorLink> link;

  std::mutex mu;
  std::condition_variable cv;
  bool stop = false;                          // guarded by mu
  Deadline stop_deadline{};                   // guarded by mu
  std::uint64_t flush_requested = 0;          // guarded by mu
  std::uint64_t flush_done = 0;               // guarded by mu
  Deadline flush_deadline = Deadline::max();  // guarded by mu
  Status flush_status;                        // guarded by mu
  bool finished = false;                      // guarded by mu
  Status final_status;                        // guarded by mu
  bool failing = false;                       // guarded by mu: the last export failed
  PeriodicReaderStats stats;                  // guarded by mu
};

namespace {

Status FirstError(const Status& a, const Status& b) { return a.ok() ? b : a; }

}  // namespace

PeriodicMetricReader::PeriodicMetricReader(std::unique_ptr<MetricExporter> exporter,
                                           PeriodicMetricReaderOptions options)
    : state_(std::make_shared<State>(std::move(exporter), options, link())) {}

PeriodicMetricReader::~PeriodicMetricReader() {
  bool need_shutdown;
  {
    std::lock_guard<std::mutex> lock(shutdown_mu_);
    need_shutdown = !shut_down_;
  }
  if (need_shutdown) {
    (void)Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(5));
  }
  if (thread_.joinable()) thread_.detach();
}

Temporality PeriodicMetricReader::TemporalityFor(InstrumentKind kind) const {
  return state_->exporter != nullptr ? state_->exporter->PreferredTemporality(kind)
                                     : Temporality::kCumulative;
}

void PeriodicMetricReader::OnRegistered() {
  if (state_->exporter == nullptr || thread_.joinable()) return;
  thread_ = std::thread(&PeriodicMetricReader::Run, state_);
}

namespace {

// One collection and export by the worker (state.mu not held).
template <class State>
Status CollectAndExport(State& state, Deadline deadline) {
  std::optional<ResourceMetrics> metrics = state.link->Collect();
  {
    std::lock_guard<std::mutex> lock(state.mu);
    ++state.stats.collections;
  }
  if (!metrics.has_value()) {
    return Status::FailedPrecondition("periodic metric reader: not registered with a provider");
  }
  if (metrics->scopes.empty()) return Status::Ok();
  Status status;
  try {
    status = state.exporter->Export(*metrics, deadline);
  } catch (const std::exception& e) {
    status = Status::Internal(std::string("metric exporter threw: ") + e.what());
  } catch (...) {
    status = Status::Internal("metric exporter threw");
  }
  bool report = false;
  {
    std::lock_guard<std::mutex> lock(state.mu);
    ++state.stats.exports;
    if (!status.ok()) ++state.stats.failed_exports;
    report = !status.ok() && !state.failing;  // once per run of failures
    state.failing = !status.ok();
  }
  if (report) internal::MetricsWarning("metrics: export failed: " + status.ToString());
  return status;
}

}  // namespace

void PeriodicMetricReader::Run(std::shared_ptr<State> state) {
  using Clock = std::chrono::steady_clock;
  const auto interval = state->options.interval;
  const auto timeout = state->options.timeout;
  Clock::time_point next = Clock::now() + interval;
  std::unique_lock<std::mutex> lock(state->mu);
  while (true) {
    state->cv.wait_until(lock, next,
                         [&] { return state->stop || state->flush_requested > state->flush_done; });
    if (state->stop) break;
    const bool flush = state->flush_requested > state->flush_done;
    if (!flush && Clock::now() < next) continue;
    const std::uint64_t generation = state->flush_requested;
    Deadline deadline = Clock::now() + timeout;
    if (flush) deadline = std::min(deadline, state->flush_deadline);
    lock.unlock();
    Status status = CollectAndExport(*state, deadline);
    if (flush) status = FirstError(status, state->exporter->ForceFlush(deadline));
    lock.lock();
    if (flush) {
      state->flush_done = generation;
      state->flush_status = status;
      state->flush_deadline = Deadline::max();
      state->cv.notify_all();
    } else {
      next += interval;
      if (next < Clock::now()) next = Clock::now() + interval;
    }
  }
  const Deadline deadline = state->stop_deadline;
  lock.unlock();
  Status status = CollectAndExport(*state, deadline);
  status = FirstError(status, state->exporter->Shutdown(deadline));
  lock.lock();
  state->final_status = status;
  state->finished = true;
  state->cv.notify_all();
}

Status PeriodicMetricReader::ForceFlush(Deadline deadline) {
  {
    std::lock_guard<std::mutex> lock(shutdown_mu_);
    if (shut_down_) return Status::FailedPrecondition("periodic metric reader: shut down");
    if (!thread_.joinable()) {
      return Status::FailedPrecondition("periodic metric reader: not registered with a provider");
    }
  }
  std::unique_lock<std::mutex> lock(state_->mu);
  if (state_->stop) return Status::FailedPrecondition("periodic metric reader: shut down");
  const std::uint64_t generation = ++state_->flush_requested;
  state_->flush_deadline = std::min(state_->flush_deadline, deadline);
  state_->cv.notify_all();
  const bool done = state_->cv.wait_until(
      lock, deadline, [&] { return state_->flush_done >= generation || state_->finished; });
  if (!done) {
    return Status::DeadlineExceeded("periodic metric reader: force flush did not finish in time");
  }
  if (state_->flush_done >= generation) return state_->flush_status;
  return Status::FailedPrecondition("periodic metric reader: shut down during force flush");
}

Status PeriodicMetricReader::Shutdown(Deadline deadline) {
  {
    std::lock_guard<std::mutex> lock(shutdown_mu_);
    if (shut_down_) return Status::Ok();
    shut_down_ = true;
  }
  if (!thread_.joinable()) {
    // Never registered: nothing to collect.
    return state_->exporter != nullptr ? state_->exporter->Shutdown(deadline) : Status::Ok();
  }
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->stop = true;
  state_->stop_deadline = deadline;
  state_->cv.notify_all();
  const bool done = state_->cv.wait_until(lock, deadline, [&] { return state_->finished; });
  if (done) {
    Status status = state_->final_status;
    lock.unlock();
    thread_.join();
    return status;
  }
  lock.unlock();
  // The worker is stuck in the exporter: ask it to abandon the request and let the worker go;
  // it owns the exporter through state_ and exits once Export returns.
  (void)state_->exporter->Shutdown(deadline);
  thread_.detach();
  return Status::DeadlineExceeded(
      "periodic metric reader: shutdown deadline passed with an export in progress");
}

PeriodicReaderStats PeriodicMetricReader::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->stats;
}

}  // namespace klio::telemetry::sdk
