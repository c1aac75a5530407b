// Internals of the metrics API (metrics.h) that must be visible for inlining: the aggregation
// cells a hot-path record writes to, and the API-owned handles that connect instruments to the
// SDK. Instrumented code never names anything in here; only metrics.h and the metrics SDK
// (src/telemetry/sdk/instrument_storage.*) do.
//
// Cells. A series (one attribute set of one instrument) keeps one cell per *thread slot*: the
// first kMetricThreadSlots threads that record get an exclusive slot each (released when the
// thread exits), so a record is a relaxed load plus a relaxed store on a cache line no other
// thread writes, with no locked instruction. Threads beyond that share one cell per series
// that is updated with atomic read-modify-write. Cells are never reset: they hold the
// cumulative total since the series was created, and the SDK derives deltas per reader at
// collection. Histogram min/max are shared CAS-updated values that the collector drains.
//
// Handles. A Meter or instrument of the API is a pointer to an API-owned handle
// (MeterHandle, InstrumentHandle, BoundSlot). The SDK points a handle at its storage while a
// provider is attached, and back to null when it is detached, so instruments created before a
// provider is installed become live once it is.
//
// Thread-safety: series methods are safe from any thread; cells of one slot are written only by
// the thread that owns the slot. Handles are internally synchronised.
// Design: docs/design/telemetry.md §4.6 (metrics SDK).
#pragma once

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "telemetry/common.h"

namespace klio::telemetry {

class MeterProviderBackend;

namespace internal {

// Same order and values as sdk::InstrumentKind (checked in the SDK).
enum class InstrumentType : std::uint8_t {
  kCounter,
  kUpDownCounter,
  kHistogram,
  kGauge,
  kObservableCounter,
  kObservableUpDownCounter,
  kObservableGauge,
};
enum class NumberType : std::uint8_t { kInt, kDouble };

// The identity of an instrument (name, kind, number type, unit, description) plus advice.
struct InstrumentDescriptor {
  std::string name;
  std::string description;
  std::string unit;
  InstrumentType type = InstrumentType::kCounter;
  NumberType number = NumberType::kInt;
  // Histograms only: advised explicit bucket boundaries (validated, strictly increasing);
  // nullopt selects the SDK default.
  std::optional<std::vector<double>> boundaries;

  // True when both describe the same instrument (name compared case-insensitively).
  bool SameIdentity(const InstrumentDescriptor& other) const;
};

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

// ---------------------------------------------------------------------------------------------
// The SDK side, as the API sees it.

// An instrument's aggregation storage in the SDK. Lives as long as its provider.
class StorageBase {
 public:
  // Synchronous instruments: the series for `attributes` (SumSeries<T>, GaugeSeries<T> or
  // HistogramSeries as the descriptor says), created on first use; never null (past the
  // cardinality limit it is the overflow series). Observable instruments: null.
  virtual void* FindSeries(std::span<const KeyValue> attributes) = 0;

  // The series of the empty attribute set once it exists (null before).
  void* empty_series() const noexcept { return empty_.load(std::memory_order_acquire); }

 protected:
  virtual ~StorageBase() = default;
  std::atomic<void*> empty_{nullptr};
};

// What an observable callback reports into (ObservableResult wraps it).
class ObservationSink {
 public:
  virtual void ObserveInt(std::int64_t value, std::span<const KeyValue> attributes) = 0;
  virtual void ObserveDouble(double value, std::span<const KeyValue> attributes) = 0;

 protected:
  ~ObservationSink() = default;
};

class InstrumentHandle;

// The SDK's meter, as the API sees it. Implemented by sdk::MeterProvider's meters.
class MeterBackend {
 public:
  // Returns the storage for `handle`'s descriptor: the same storage for identical identities;
  // a separate one (after a warning) for a conflicting identity with the same name. For
  // observable instruments the handle's callbacks are run at every collection from now on.
  virtual StorageBase* Attach(InstrumentHandle* handle) = 0;
  // Stops running the handle's callbacks; blocks while a collection is running them.
  virtual void Detach(InstrumentHandle* handle, StorageBase* storage) = 0;

 protected:
  ~MeterBackend() = default;
};

// A Bind() of one instrument to one attribute set. Owned by the instrument handle; points at the
// series while a provider is attached.
struct BoundSlot {
  explicit BoundSlot(Attributes a) : attributes(std::move(a)) {}
  const Attributes attributes;
  std::atomic<void*> series{nullptr};
};

class MeterHandle;

// One instrument of one meter handle. Never destroyed while its meter handle lives (global
// meter handles live until the process exits).
class InstrumentHandle {
 public:
  InstrumentHandle(InstrumentDescriptor descriptor, MeterHandle* meter)
      : descriptor_(std::move(descriptor)), meter_(meter) {}
  InstrumentHandle(const InstrumentHandle&) = delete;
  InstrumentHandle& operator=(const InstrumentHandle&) = delete;

  const InstrumentDescriptor& descriptor() const { return descriptor_; }
  MeterHandle* meter() const { return meter_; }
  StorageBase* storage() const noexcept { return storage_.load(std::memory_order_acquire); }

  // The slot for `attributes` (the same slot for an equal list); never null.
  BoundSlot* Bind(std::span<const KeyValue> attributes);

  // Observable instruments: adds a callback; returns its id for RemoveCallback.
  std::uint64_t AddCallback(std::function<void(ObservationSink&)> callback);
  // Removes a callback; blocks while a collection runs it on another thread. Idempotent.
  void RemoveCallback(std::uint64_t id);
  // Runs every callback into `sink` (the SDK, at collection). A throwing callback is caught and
  // reported as a warning.
  void RunCallbacks(ObservationSink& sink);

  // Points the handle at `backend`'s storage (null: detach). Called with the meter's lock held.
  void AttachTo(MeterBackend* backend);

 private:
  struct Callback {
    std::uint64_t id;
    std::function<void(ObservationSink&)> fn;
  };

  const InstrumentDescriptor descriptor_;
  MeterHandle* const meter_;
  std::atomic<StorageBase*> storage_{nullptr};

  std::mutex mu_;
  MeterBackend* backend_ = nullptr;                // guarded by mu_
  std::vector<std::unique_ptr<BoundSlot>> bound_;  // guarded by mu_

  std::recursive_mutex callbacks_mu_;   // held while callbacks run
  std::vector<Callback> callbacks_;     // guarded by callbacks_mu_
  std::uint64_t next_callback_id_ = 1;  // guarded by callbacks_mu_
  bool running_callbacks_ = false;      // guarded by callbacks_mu_
};

// One meter (instrumentation scope) and its instruments. A global meter handle follows the
// installed provider; a pinned one (MeterProvider::GetMeter) stays with its provider.
class MeterHandle {
 public:
  MeterHandle(InstrumentationScope scope, MeterBackend* backend, bool pinned)
      : scope_(std::move(scope)), pinned_(pinned), backend_(backend) {}
  MeterHandle(const MeterHandle&) = delete;
  MeterHandle& operator=(const MeterHandle&) = delete;

  const InstrumentationScope& scope() const { return scope_; }
  bool pinned() const { return pinned_; }
  bool attached() const;

  // The handle for `descriptor`: an existing one with the same identity, or a new one attached
  // to the current backend.
  InstrumentHandle* GetOrCreate(InstrumentDescriptor descriptor);
  // Re-points every instrument at `backend` (global handles only).
  void AttachTo(MeterBackend* backend);

 private:
  const InstrumentationScope scope_;
  const bool pinned_;
  mutable std::mutex mu_;
  MeterBackend* backend_;                                       // guarded by mu_
  std::vector<std::unique_ptr<InstrumentHandle>> instruments_;  // guarded by mu_
};

// Reports a problem with instrument use (invalid name, conflicting identity, throwing callback)
// through the handler set with SetMetricsWarningHandler.
void MetricsWarning(std::string_view message);

// Uninstalls `provider` if it is the installed global provider (MeterProvider's destructor).
void ClearMeterProviderIf(MeterProviderBackend* provider);

// Validates and normalises a descriptor for creation. Returns false (after a warning) when the
// instrument must be a no-op (invalid name); fixes what can be fixed (invalid unit → "",
// invalid bucket advice → default) with a warning.
bool ValidateDescriptor(InstrumentDescriptor* descriptor);

// Creation helper for Meter: null for a no-op meter or an invalid descriptor.
InstrumentHandle* CreateInstrument(MeterHandle* meter, InstrumentDescriptor descriptor);

// The series for `attributes` of `handle` (null when no provider is attached).
template <class Series>
inline Series* FindSeries(const InstrumentHandle* handle, std::span<const KeyValue> attributes) {
  if (handle == nullptr) return nullptr;
  StorageBase* storage = handle->storage();
  if (storage == nullptr) return nullptr;
  return static_cast<Series*>(storage->FindSeries(attributes));
}

// The series of the empty attribute set of `handle` (null when no provider is attached).
template <class Series>
inline Series* EmptySeries(const InstrumentHandle* handle) {
  if (handle == nullptr) return nullptr;
  StorageBase* storage = handle->storage();
  if (storage == nullptr) return nullptr;
  void* series = storage->empty_series();
  if (series == nullptr) [[unlikely]] {
    series = storage->FindSeries({});
  }
  return static_cast<Series*>(series);
}

template <class Series>
inline Series* BoundSeries(const BoundSlot* slot) noexcept {
  return slot == nullptr ? nullptr
                         : static_cast<Series*>(slot->series.load(std::memory_order_acquire));
}

}  // namespace internal
}  // namespace klio::telemetry
