// TEST ONLY: helpers for the metrics SDK tests — a manual clock, a provider with pull readers,
// lookups of metrics and points in a collection, and a scriptable MetricExporter.
//
// Thread-safety: TestMetricExporter is thread-safe; the rest is for one test thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <vector>

#include "telemetry/sdk/attribute_set.h"
#include "telemetry/sdk/data.h"
#include "telemetry/sdk/exporter.h"
#include "telemetry/sdk/meter_provider.h"

namespace klio::telemetry::sdk::testing {

// Wall clock under the test's control, in nanoseconds since the epoch.
class ManualClock {
 public:
  explicit ManualClock(std::uint64_t start_ns = 1'700'000'000'000'000'000ULL) : now_(start_ns) {}
  std::function<std::chrono::system_clock::time_point()> AsFunction() {
    return [this] {
      return std::chrono::system_clock::time_point(
          std::chrono::duration_cast<std::chrono::system_clock::duration>(
              std::chrono::nanoseconds(now_.load())));
    };
  }
  std::uint64_t now() const { return now_.load(); }
  void Advance(std::chrono::nanoseconds d) { now_ += static_cast<std::uint64_t>(d.count()); }

 private:
  std::atomic<std::uint64_t> now_;
};

// The metric called `name` in any scope of `rm`, or null.
inline const MetricData* FindMetric(const ResourceMetrics& rm, std::string_view name) {
  for (const auto& s : rm.scopes) {
    for (const auto& m : s.metrics) {
      if (m.name == name) return &m;
    }
  }
  return nullptr;
}

// The point of `points` whose attributes equal `attributes` (normalised), or null.
template <typename Point>
const Point* FindPoint(const std::vector<Point>& points, const Attributes& attributes) {
  const AttributeSet want(attributes);
  for (const auto& p : points) {
    if (AttributeSet(p.attributes) == want) return &p;
  }
  return nullptr;
}

inline double AsDouble(const NumberPoint& p) {
  return std::visit([](auto v) { return static_cast<double>(v); }, p.value);
}

// A sum's point value for `attributes`; nullopt when the metric or point is absent.
inline std::optional<double> SumValue(const ResourceMetrics& rm, std::string_view name,
                                      const Attributes& attributes = {}) {
  const MetricData* m = FindMetric(rm, name);
  if (m == nullptr) return std::nullopt;
  const auto* sum = std::get_if<SumData>(&m->data);
  if (sum == nullptr) return std::nullopt;
  const NumberPoint* p = FindPoint(sum->points, attributes);
  if (p == nullptr) return std::nullopt;
  return AsDouble(*p);
}

// A MetricExporter that records what it gets and can be told to block in Export (ignoring its
// deadline) until released: the misbehaving peer of the deadline tests.
class TestMetricExporter final : public MetricExporter {
 public:
  struct Shared {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<ResourceMetrics> exports;  // guarded by mu
    int flushes = 0;                       // guarded by mu
    int shutdowns = 0;                     // guarded by mu
    bool block = false;                    // guarded by mu: Export waits while true
    bool in_export = false;                // guarded by mu
    bool destroyed = false;                // guarded by mu
    std::vector<Deadline> deadlines;       // guarded by mu

    void Release() {
      std::lock_guard<std::mutex> lock(mu);
      block = false;
      cv.notify_all();
    }
    // Waits until `pred` holds or `timeout` passes; returns pred().
    template <class Pred>
    bool WaitFor(std::chrono::milliseconds timeout, Pred pred) {
      std::unique_lock<std::mutex> lock(mu);
      return cv.wait_for(lock, timeout, pred);
    }
  };

  explicit TestMetricExporter(std::shared_ptr<Shared> shared,
                              Temporality temporality = Temporality::kCumulative)
      : shared_(std::move(shared)), temporality_(temporality) {}
  ~TestMetricExporter() override {
    std::lock_guard<std::mutex> lock(shared_->mu);
    shared_->destroyed = true;
    shared_->cv.notify_all();
  }

  Temporality PreferredTemporality(InstrumentKind kind) const override {
    if (kind == InstrumentKind::kUpDownCounter ||
        kind == InstrumentKind::kObservableUpDownCounter) {
      return Temporality::kCumulative;
    }
    return temporality_;
  }
  Status Export(const ResourceMetrics& metrics, Deadline deadline) override {
    std::unique_lock<std::mutex> lock(shared_->mu);
    shared_->in_export = true;
    shared_->deadlines.push_back(deadline);
    shared_->cv.notify_all();
    shared_->cv.wait(lock, [&] { return !shared_->block; });
    shared_->in_export = false;
    shared_->exports.push_back(metrics);
    shared_->cv.notify_all();
    return Status::Ok();
  }
  Status ForceFlush(Deadline) override {
    std::lock_guard<std::mutex> lock(shared_->mu);
    ++shared_->flushes;
    return Status::Ok();
  }
  Status Shutdown(Deadline) override {
    std::lock_guard<std::mutex> lock(shared_->mu);
    ++shared_->shutdowns;
    shared_->cv.notify_all();
    return Status::Ok();
  }

 private:
  const std::shared_ptr<Shared> shared_;
  const Temporality temporality_;
};

}  // namespace klio::telemetry::sdk::testing
