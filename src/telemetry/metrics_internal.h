// Internals of the metrics API (metrics.h) that must be visible for inlining: the API-owned
// handles that connect instruments to the SDK, the SDK interfaces they call, and the shared
// bodies of the instrument classes. Instrumented code never names anything in here; only
// metrics.h and the metrics SDK (src/telemetry/sdk/) do. The cells are in metrics_cells.h.
//
// A Meter or instrument of the API is a pointer to an API-owned handle (MeterHandle,
// InstrumentHandle, BoundSlot). The SDK points a handle at its storage while a provider is
// attached, and back to null when it is detached, so instruments created before a provider is
// installed become live once it is.
//
// Thread-safety: handles are internally synchronised; the inline helpers are safe from any
// thread.
// Design: docs/design/telemetry.md §4.6 (metrics SDK).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "telemetry/common.h"
#include "telemetry/metrics_cells.h"

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

// ---------------------------------------------------------------------------------------------
// Shared bodies of the instrument classes of metrics.h.

template <InstrumentType K, typename T>
struct Traits;

template <>
struct Traits<InstrumentType::kCounter, std::uint64_t> {
  using Series = SumSeries<std::uint64_t>;
  static bool Valid(std::uint64_t) { return true; }
  static void Apply(Series* s, std::uint64_t v) { s->Add(v); }
};
template <>
struct Traits<InstrumentType::kCounter, double> {
  using Series = SumSeries<double>;
  static bool Valid(double v) { return v >= 0; }  // also false for NaN
  static void Apply(Series* s, double v) { s->Add(v); }
};
template <>
struct Traits<InstrumentType::kUpDownCounter, std::int64_t> {
  using Series = SumSeries<std::uint64_t>;
  static bool Valid(std::int64_t) { return true; }
  static void Apply(Series* s, std::int64_t v) { s->Add(static_cast<std::uint64_t>(v)); }
};
template <>
struct Traits<InstrumentType::kUpDownCounter, double> {
  using Series = SumSeries<double>;
  static bool Valid(double v) { return v == v; }
  static void Apply(Series* s, double v) { s->Add(v); }
};
template <>
struct Traits<InstrumentType::kHistogram, std::uint64_t> {
  using Series = HistogramSeries;
  static bool Valid(std::uint64_t) { return true; }
  static void Apply(Series* s, std::uint64_t v) { s->Record(static_cast<double>(v)); }
};
template <>
struct Traits<InstrumentType::kHistogram, double> {
  using Series = HistogramSeries;
  static bool Valid(double v) { return v == v; }
  static void Apply(Series* s, double v) { s->Record(v); }
};
template <>
struct Traits<InstrumentType::kGauge, std::int64_t> {
  using Series = GaugeSeries<std::int64_t>;
  static bool Valid(std::int64_t) { return true; }
  static void Apply(Series* s, std::int64_t v) { s->Record(v); }
};
template <>
struct Traits<InstrumentType::kGauge, double> {
  using Series = GaugeSeries<double>;
  static bool Valid(double v) { return v == v; }
  static void Apply(Series* s, double v) { s->Record(v); }
};

template <typename T>
inline constexpr NumberType kNumberTypeOf =
    std::is_floating_point_v<T> ? NumberType::kDouble : NumberType::kInt;

// Shared body of the bound instruments.
template <InstrumentType K, typename T>
class BoundBase {
 public:
  // True while a provider is attached.
  bool enabled() const noexcept { return BoundSeries<Series>(slot_) != nullptr; }

 protected:
  using Tr = Traits<K, T>;
  using Series = typename Tr::Series;
  BoundBase() = default;
  explicit BoundBase(const BoundSlot* slot) noexcept : slot_(slot) {}
  void Do(T value) const noexcept {
    if (!Tr::Valid(value)) return;
    if (Series* s = BoundSeries<Series>(slot_)) Tr::Apply(s, value);
  }

 private:
  const BoundSlot* slot_ = nullptr;
};

// Shared body of the synchronous instruments.
template <InstrumentType K, typename T>
class SyncBase {
 public:
  // True while a provider is attached (records are aggregated).
  bool enabled() const noexcept { return handle_ != nullptr && handle_->storage() != nullptr; }

 protected:
  using Tr = Traits<K, T>;
  using Series = typename Tr::Series;
  SyncBase() = default;
  explicit SyncBase(InstrumentHandle* handle) noexcept : handle_(handle) {}
  void Do(T value) const {
    if (!Tr::Valid(value)) return;
    if (Series* s = EmptySeries<Series>(handle_)) Tr::Apply(s, value);
  }
  void Do(T value, std::span<const KeyValue> attributes) const {
    if (!Tr::Valid(value)) return;
    if (Series* s = FindSeries<Series>(handle_, attributes)) Tr::Apply(s, value);
  }
  const BoundSlot* DoBind(std::span<const KeyValue> attributes) const {
    return handle_ != nullptr ? handle_->Bind(attributes) : nullptr;
  }

 private:
  InstrumentHandle* handle_ = nullptr;
};

}  // namespace internal
}  // namespace klio::telemetry
