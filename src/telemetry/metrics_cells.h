// Aggregation cells of the metrics API: what a hot-path record writes to. Included through
// metrics.h; only the API and the metrics SDK (src/telemetry/sdk/instrument_storage.*) name it.
//
// A series (one attribute set of one instrument) keeps one cell per *thread slot*: the first
// kMetricThreadSlots threads that record get an exclusive slot each (released when the thread
// exits), so a record is a relaxed load plus a relaxed store on a cache line no other thread
// writes, with no locked instruction. Threads beyond that share one cell per series that is
// updated with atomic read-modify-write. Cells are never reset: they hold the cumulative total
// since the series was created, and the SDK derives deltas per reader at collection. Histogram
// min/max are shared CAS-updated values that the collector drains.
//
// Thread-safety: series methods are safe from any thread; the cells of one slot are written
// only by the thread that owns the slot; collection reads them with relaxed loads.
// Design: docs/design/telemetry.md §4.6 (metrics SDK).
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>

namespace klio::telemetry::internal {

// ---------------------------------------------------------------------------------------------
// Thread slots.

inline constexpr unsigned kMetricThreadSlots = 32;

// This thread's exclusive cell index: -1 until the thread first records, kMetricThreadSlots
// when no slot was free (or the thread is exiting). constinit: no TLS wrapper on access.
extern constinit thread_local int tls_metric_slot;

// Gives this thread a free slot (or kMetricThreadSlots when none is free) and returns it.
int AssignMetricSlot() noexcept;

// Returns the slot to use for a record, assigning one on the thread's first record.
inline unsigned CurrentMetricSlot() noexcept {
  const int slot = tls_metric_slot;
  return static_cast<unsigned>(slot >= 0 ? slot : AssignMetricSlot());
}

// ---------------------------------------------------------------------------------------------
// Series: the cells of one attribute set.

template <typename T>
struct alignas(64) SumCell {
  std::atomic<T> value{};
};

// A sum (Counter, UpDownCounter). T is std::uint64_t (integers, two's complement for
// UpDownCounter<int64_t>) or double.
template <typename T>
class SumSeries {
 public:
  SumSeries() = default;
  ~SumSeries();
  SumSeries(const SumSeries&) = delete;
  SumSeries& operator=(const SumSeries&) = delete;

  void Add(T value) noexcept {
    const unsigned slot = static_cast<unsigned>(tls_metric_slot);
    if (slot < kMetricThreadSlots) [[likely]] {
      SumCell<T>* cell = cells_[slot].load(std::memory_order_relaxed);
      if (cell != nullptr) [[likely]] {
        // Single writer: no locked instruction needed.
        cell->value.store(cell->value.load(std::memory_order_relaxed) + value,
                          std::memory_order_relaxed);
        return;
      }
    }
    AddSlow(value);
  }

  // The total over all cells (collection). Concurrent adds may or may not be included.
  T Read() const noexcept;

 private:
  void AddSlow(T value) noexcept;

  std::atomic<SumCell<T>*> cells_[kMetricThreadSlots] = {};
  SumCell<T> shared_;
};

// A last value (Gauge). T is std::int64_t or double.
template <typename T>
class GaugeSeries {
 public:
  void Record(T value) noexcept {
    value_.store(value, std::memory_order_relaxed);
    updated_.store(true, std::memory_order_release);
  }
  // Collection: whether a value was recorded since the previous call, and the value.
  bool TakeUpdated() noexcept { return updated_.exchange(false, std::memory_order_acq_rel); }
  T value() const noexcept { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<T> value_{};
  std::atomic<bool> updated_{false};
};

// An explicit-bucket histogram. A cell is an array of words: [0] the sum (bits of a double),
// [1..n+1] the bucket counts. Buckets are upper-inclusive: bucket i counts values v with
// bounds[i-1] < v <= bounds[i].
class HistogramSeries {
 public:
  // `bounds` must outlive the series (the SDK storage owns them).
  explicit HistogramSeries(std::span<const double> bounds) noexcept : bounds_(bounds) {}
  ~HistogramSeries();
  HistogramSeries(const HistogramSeries&) = delete;
  HistogramSeries& operator=(const HistogramSeries&) = delete;

  void Record(double value) noexcept {
    if (value != value) return;  // NaN: not a measurement
    const std::size_t bucket = BucketFor(value);
    const unsigned slot = static_cast<unsigned>(tls_metric_slot);
    std::atomic<std::uint64_t>* cell = nullptr;
    if (slot < kMetricThreadSlots) [[likely]] {
      cell = cells_[slot].load(std::memory_order_relaxed);
    }
    if (cell != nullptr) [[likely]] {
      cell[0].store(std::bit_cast<std::uint64_t>(
                        std::bit_cast<double>(cell[0].load(std::memory_order_relaxed)) + value),
                    std::memory_order_relaxed);
      cell[bucket + 1].store(cell[bucket + 1].load(std::memory_order_relaxed) + 1,
                             std::memory_order_relaxed);
    } else {
      RecordShared(value, bucket);
    }
    if (value < min_.load(std::memory_order_relaxed)) [[unlikely]] {
      UpdateMin(value);
    }
    if (value > max_.load(std::memory_order_relaxed)) [[unlikely]] {
      UpdateMax(value);
    }
    if (value < 0 && !negative_.load(std::memory_order_relaxed)) [[unlikely]] {
      negative_.store(true, std::memory_order_relaxed);
    }
  }

  std::size_t BucketFor(double value) const noexcept {
    const double* b = bounds_.data();
    const std::size_t n = bounds_.size();
    if (n <= 16) {
      std::size_t i = 0;
      while (i < n && value > b[i]) ++i;
      return i;
    }
    std::size_t lo = 0, hi = n;  // first i with value <= b[i]
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (value > b[mid]) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  // Collection: adds every cell's bucket counts into `counts` (size bounds+1) and returns the
  // sum of all recorded values.
  double Read(std::span<std::uint64_t> counts) const noexcept;
  // Collection: the min and max recorded since the previous call (+inf/-inf when none).
  std::pair<double, double> TakeMinMax() noexcept;
  // True once a negative value was recorded (the sum is then not reported).
  bool negative() const noexcept { return negative_.load(std::memory_order_relaxed); }
  std::span<const double> bounds() const noexcept { return bounds_; }

 private:
  std::atomic<std::uint64_t>* NewCell() const noexcept;
  void RecordShared(double value, std::size_t bucket) noexcept;
  void UpdateMin(double value) noexcept;
  void UpdateMax(double value) noexcept;

  const std::span<const double> bounds_;
  std::atomic<std::atomic<std::uint64_t>*> cells_[kMetricThreadSlots] = {};
  std::atomic<std::atomic<std::uint64_t>*> shared_{nullptr};
  alignas(64) std::atomic<double> min_{std::numeric_limits<double>::infinity()};
  std::atomic<double> max_{-std::numeric_limits<double>::infinity()};
  std::atomic<bool> negative_{false};
};

}  // namespace klio::telemetry::internal
