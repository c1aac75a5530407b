// Metrics API: Meter, the synchronous instruments (Counter, UpDownCounter, Histogram, Gauge),
// their bound forms, observable instruments with callbacks, and the global provider hook.
//
// Instrumented code only sees this header:
//
//   const klio::telemetry::Meter meter = klio::telemetry::GetMeter("klio.wal");
//   auto written = meter.CreateCounter<std::uint64_t>("klio.wal.written_size",
//                                                     "bytes of WAL files written", "By");
//   auto bound = written.Bind({{"cluster_name", cluster}});  // keep it: the hot path
//   bound.Add(segment_bytes);                                // one relaxed store, no lock
//   written.Add(n, {{"cluster_name", cluster}});             // attribute lookup, no lock
//
//   auto reg = meter.CreateObservableGauge<std::int64_t>("klio.queue.messages")
//                  .AddCallback([&](auto& result) { result.Observe(queue.size()); });
//
// No provider installed: every instrument is a no-op costing an inlined null check (two for an
// instrument created from a meter, which may become live later). Instruments and bound
// instruments created *before* SetMeterProvider become live when a provider is installed, and
// go quiet again when it is uninstalled; meters from GetMeter follow the installed provider.
//
// Instrument names must match [A-Za-z][A-Za-z0-9_.\-/]{0,254}: an invalid name is reported
// through the warning handler and yields a no-op instrument. A unit must be ASCII of at most
// 63 characters (otherwise it is dropped, with a warning). Creating the same instrument twice
// (same name case-insensitively, kind, number type, unit and description) returns the same
// instrument; the same name with a different identity is reported and gets its own stream.
// Values that cannot be measurements are dropped silently: negative or NaN increments of a
// Counter (including a negative signed integer passed to Counter<std::uint64_t>), NaN for any
// double instrument.
//
// Lifetime: the installed provider must outlive every record made while it is installed; a
// provider uninstalls itself on destruction (recording threads must have stopped by then).
// Instruments from MeterProvider::GetMeter (not the global GetMeter) must not be used after
// that provider is destroyed.
//
// Thread-safety: Meter, instruments and bound instruments are immutable pointer-sized values,
// safe to copy and share between threads. Callbacks run on the thread that collects (a reader
// thread or a Prometheus scrape); they must not block, create instruments or install providers.
// Design: docs/design/telemetry.md §4.6; otel-reference §1.6, §6.3, §6.8.
#pragma once

#include <concepts>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "telemetry/common.h"
#include "telemetry/metrics_internal.h"

namespace klio::telemetry {

// Advisory parameters of a histogram.
struct HistogramAdvice {
  // Explicit bucket boundaries: finite and strictly increasing (otherwise the default is used,
  // with a warning). nullopt: 0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500,
  // 10000.
  std::optional<std::vector<double>> explicit_bucket_boundaries;
};

class Meter;

// ---------------------------------------------------------------------------------------------
// Bound instruments: an instrument fixed to one attribute set. A record is a few loads and one
// relaxed store (no lookup, no lock). Obtained from Bind(); a default-constructed one is a no-op.

template <typename T>
class BoundCounter : public internal::BoundBase<internal::InstrumentType::kCounter, T> {
 public:
  BoundCounter() = default;
  void Add(T value) const noexcept { this->Do(value); }
  // A signed integer for an unsigned counter: a negative value is dropped (it would otherwise
  // wrap around to a huge increment).
  template <std::signed_integral S>
  requires std::is_same_v<T, std::uint64_t>
  void Add(S value) const noexcept {
    if (value >= 0) this->Do(static_cast<T>(value));
  }

 private:
  template <typename>
  friend class Counter;
  using internal::BoundBase<internal::InstrumentType::kCounter, T>::BoundBase;
};

template <typename T>
class BoundUpDownCounter : public internal::BoundBase<internal::InstrumentType::kUpDownCounter, T> {
 public:
  BoundUpDownCounter() = default;
  void Add(T value) const noexcept { this->Do(value); }

 private:
  template <typename>
  friend class UpDownCounter;
  using internal::BoundBase<internal::InstrumentType::kUpDownCounter, T>::BoundBase;
};

template <typename T>
class BoundHistogram : public internal::BoundBase<internal::InstrumentType::kHistogram, T> {
 public:
  BoundHistogram() = default;
  void Record(T value) const noexcept { this->Do(value); }

 private:
  template <typename>
  friend class Histogram;
  using internal::BoundBase<internal::InstrumentType::kHistogram, T>::BoundBase;
};

template <typename T>
class BoundGauge : public internal::BoundBase<internal::InstrumentType::kGauge, T> {
 public:
  BoundGauge() = default;
  void Record(T value) const noexcept { this->Do(value); }

 private:
  template <typename>
  friend class Gauge;
  using internal::BoundBase<internal::InstrumentType::kGauge, T>::BoundBase;
};

// ---------------------------------------------------------------------------------------------
// Synchronous instruments. Each record either aggregates into its attribute set's series
// (created on first use; past the cardinality limit, the overflow series) or, with no provider,
// does nothing. Attribute lists may be in any order; a repeated key keeps its last value.

// A monotonic sum: T is std::uint64_t or double (negative and NaN increments are dropped).
template <typename T>
class Counter : public internal::SyncBase<internal::InstrumentType::kCounter, T> {
  static_assert(std::is_same_v<T, std::uint64_t> || std::is_same_v<T, double>,
                "Counter<T>: T is std::uint64_t or double");

 public:
  Counter() = default;
  void Add(T value) const { this->Do(value); }
  void Add(T value, std::span<const KeyValue> attributes) const { this->Do(value, attributes); }
  void Add(T value, std::initializer_list<KeyValue> attributes) const {
    this->Do(value, {attributes.begin(), attributes.size()});
  }
  // A signed integer for an unsigned counter: a negative value is dropped (it would otherwise
  // wrap around to a huge increment).
  template <std::signed_integral S>
  requires std::is_same_v<T, std::uint64_t>
  void Add(S value) const {
    if (value >= 0) this->Do(static_cast<T>(value));
  }
  template <std::signed_integral S>
  requires std::is_same_v<T, std::uint64_t>
  void Add(S value, std::span<const KeyValue> attributes) const {
    if (value >= 0) this->Do(static_cast<T>(value), attributes);
  }
  template <std::signed_integral S>
  requires std::is_same_v<T, std::uint64_t>
  void Add(S value, std::initializer_list<KeyValue> attributes) const {
    if (value >= 0) this->Do(static_cast<T>(value), {attributes.begin(), attributes.size()});
  }
  // Returns the instrument bound to `attributes` (reserves the series now when live).
  BoundCounter<T> Bind(std::span<const KeyValue> attributes) const {
    return BoundCounter<T>(this->DoBind(attributes));
  }
  BoundCounter<T> Bind(std::initializer_list<KeyValue> attributes) const {
    return Bind(std::span<const KeyValue>(attributes.begin(), attributes.size()));
  }

 private:
  friend class Meter;
  using internal::SyncBase<internal::InstrumentType::kCounter, T>::SyncBase;
};

// A non-monotonic sum: T is std::int64_t or double.
template <typename T>
class UpDownCounter : public internal::SyncBase<internal::InstrumentType::kUpDownCounter, T> {
  static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>,
                "UpDownCounter<T>: T is std::int64_t or double");

 public:
  UpDownCounter() = default;
  void Add(T value) const { this->Do(value); }
  void Add(T value, std::span<const KeyValue> attributes) const { this->Do(value, attributes); }
  void Add(T value, std::initializer_list<KeyValue> attributes) const {
    this->Do(value, {attributes.begin(), attributes.size()});
  }
  BoundUpDownCounter<T> Bind(std::span<const KeyValue> attributes) const {
    return BoundUpDownCounter<T>(this->DoBind(attributes));
  }
  BoundUpDownCounter<T> Bind(std::initializer_list<KeyValue> attributes) const {
    return Bind(std::span<const KeyValue>(attributes.begin(), attributes.size()));
  }

 private:
  friend class Meter;
  using internal::SyncBase<internal::InstrumentType::kUpDownCounter, T>::SyncBase;
};

// An explicit-bucket histogram (count, sum, min, max, bucket counts): T is std::uint64_t or
// double.
template <typename T>
class Histogram : public internal::SyncBase<internal::InstrumentType::kHistogram, T> {
  static_assert(std::is_same_v<T, std::uint64_t> || std::is_same_v<T, double>,
                "Histogram<T>: T is std::uint64_t or double");

 public:
  Histogram() = default;
  void Record(T value) const { this->Do(value); }
  void Record(T value, std::span<const KeyValue> attributes) const { this->Do(value, attributes); }
  void Record(T value, std::initializer_list<KeyValue> attributes) const {
    this->Do(value, {attributes.begin(), attributes.size()});
  }
  BoundHistogram<T> Bind(std::span<const KeyValue> attributes) const {
    return BoundHistogram<T>(this->DoBind(attributes));
  }
  BoundHistogram<T> Bind(std::initializer_list<KeyValue> attributes) const {
    return Bind(std::span<const KeyValue>(attributes.begin(), attributes.size()));
  }

 private:
  friend class Meter;
  using internal::SyncBase<internal::InstrumentType::kHistogram, T>::SyncBase;
};

// A synchronous gauge (last value wins): T is std::int64_t or double.
template <typename T>
class Gauge : public internal::SyncBase<internal::InstrumentType::kGauge, T> {
  static_assert(std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>,
                "Gauge<T>: T is std::int64_t or double");

 public:
  Gauge() = default;
  void Record(T value) const { this->Do(value); }
  void Record(T value, std::span<const KeyValue> attributes) const { this->Do(value, attributes); }
  void Record(T value, std::initializer_list<KeyValue> attributes) const {
    this->Do(value, {attributes.begin(), attributes.size()});
  }
  BoundGauge<T> Bind(std::span<const KeyValue> attributes) const {
    return BoundGauge<T>(this->DoBind(attributes));
  }
  BoundGauge<T> Bind(std::initializer_list<KeyValue> attributes) const {
    return Bind(std::span<const KeyValue>(attributes.begin(), attributes.size()));
  }

 private:
  friend class Meter;
  using internal::SyncBase<internal::InstrumentType::kGauge, T>::SyncBase;
};

// ---------------------------------------------------------------------------------------------
// Observable (asynchronous) instruments: callbacks run at each collection and observe the
// current value per attribute set. Only the attribute sets observed in a collection are
// reported by it. ObservableCounter values are monotonic totals; ObservableUpDownCounter
// values are totals that may go down; ObservableGauge values are current readings.

// What a callback reports into; valid only during the callback.
template <typename T>
class ObservableResult {
 public:
  explicit ObservableResult(internal::ObservationSink* sink) : sink_(sink) {}
  void Observe(T value, std::span<const KeyValue> attributes = {}) {
    if constexpr (std::is_floating_point_v<T>) {
      sink_->ObserveDouble(static_cast<double>(value), attributes);
    } else {
      sink_->ObserveInt(static_cast<std::int64_t>(value), attributes);
    }
  }
  void Observe(T value, std::initializer_list<KeyValue> attributes) {
    Observe(value, std::span<const KeyValue>(attributes.begin(), attributes.size()));
  }

 private:
  internal::ObservationSink* sink_;
};

template <typename T>
using ObservableCallback = std::function<void(ObservableResult<T>&)>;

// Keeps a callback registered until Unregister() or destruction (move-only). Unregister
// blocks while a collection on another thread is running the callback, so state captured by
// the callback may be destroyed right after it; calling it from inside the callback is
// allowed. For instruments of MeterProvider::GetMeter, unregister before the provider dies.
class [[nodiscard]] ObservableRegistration {
 public:
  ObservableRegistration() = default;
  ObservableRegistration(internal::InstrumentHandle* handle, std::uint64_t id)
      : handle_(handle), id_(id) {}
  ObservableRegistration(ObservableRegistration&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)), id_(other.id_) {}
  ObservableRegistration& operator=(ObservableRegistration&& other) noexcept {
    if (this != &other) {
      Unregister();
      handle_ = std::exchange(other.handle_, nullptr);
      id_ = other.id_;
    }
    return *this;
  }
  ObservableRegistration(const ObservableRegistration&) = delete;
  ObservableRegistration& operator=(const ObservableRegistration&) = delete;
  ~ObservableRegistration() { Unregister(); }

  // Removes the callback; later calls do nothing.
  void Unregister() {
    if (handle_ != nullptr) std::exchange(handle_, nullptr)->RemoveCallback(id_);
  }
  bool registered() const { return handle_ != nullptr; }

 private:
  internal::InstrumentHandle* handle_ = nullptr;
  std::uint64_t id_ = 0;
};

template <internal::InstrumentType K, typename T>
class ObservableInstrument {
  static_assert(K == internal::InstrumentType::kObservableCounter
                    ? (std::is_same_v<T, std::uint64_t> || std::is_same_v<T, double>)
                    : (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>),
                "ObservableCounter<T>: std::uint64_t or double; ObservableUpDownCounter<T> and "
                "ObservableGauge<T>: std::int64_t or double");

 public:
  ObservableInstrument() = default;

  // Registers `callback` (run at every collection while registered). A no-op instrument returns
  // an empty registration. The callback is kept across provider installs.
  ObservableRegistration AddCallback(ObservableCallback<T> callback) const {
    if (handle_ == nullptr || !callback) return {};
    return ObservableRegistration(handle_, handle_->AddCallback(Wrap(std::move(callback))));
  }
  bool enabled() const noexcept { return handle_ != nullptr && handle_->storage() != nullptr; }

 private:
  friend class Meter;
  explicit ObservableInstrument(internal::InstrumentHandle* handle) : handle_(handle) {}
  static std::function<void(internal::ObservationSink&)> Wrap(ObservableCallback<T> callback) {
    return [cb = std::move(callback)](internal::ObservationSink& sink) {
      ObservableResult<T> result(&sink);
      cb(result);
    };
  }
  internal::InstrumentHandle* handle_ = nullptr;
};

template <typename T>
using ObservableCounter = ObservableInstrument<internal::InstrumentType::kObservableCounter, T>;
template <typename T>
using ObservableUpDownCounter =
    ObservableInstrument<internal::InstrumentType::kObservableUpDownCounter, T>;
template <typename T>
using ObservableGauge = ObservableInstrument<internal::InstrumentType::kObservableGauge, T>;

// ---------------------------------------------------------------------------------------------

// A Meter creates instruments for one instrumentation scope (e.g. "klio.wal"). A pointer-sized
// value; a default-constructed Meter creates only no-op instruments. Creating an instrument
// takes locks and may allocate: create instruments once, not per record.
class Meter {
 public:
  Meter() = default;
  explicit Meter(internal::MeterHandle* handle) : handle_(handle) {}

  template <typename T>
  Counter<T> CreateCounter(std::string_view name, std::string_view description = {},
                           std::string_view unit = {}) const {
    return Counter<T>(Create(name, description, unit, internal::InstrumentType::kCounter,
                             internal::kNumberTypeOf<T>));
  }
  template <typename T>
  UpDownCounter<T> CreateUpDownCounter(std::string_view name, std::string_view description = {},
                                       std::string_view unit = {}) const {
    return UpDownCounter<T>(Create(name, description, unit,
                                   internal::InstrumentType::kUpDownCounter,
                                   internal::kNumberTypeOf<T>));
  }
  template <typename T>
  Histogram<T> CreateHistogram(std::string_view name, std::string_view description = {},
                               std::string_view unit = {},
                               const HistogramAdvice& advice = {}) const {
    return Histogram<T>(Create(name, description, unit, internal::InstrumentType::kHistogram,
                               internal::kNumberTypeOf<T>, advice.explicit_bucket_boundaries));
  }
  template <typename T>
  Gauge<T> CreateGauge(std::string_view name, std::string_view description = {},
                       std::string_view unit = {}) const {
    return Gauge<T>(Create(name, description, unit, internal::InstrumentType::kGauge,
                           internal::kNumberTypeOf<T>));
  }

  // Observable instruments; a callback given here stays registered for the instrument's
  // lifetime (use AddCallback for one that can be unregistered).
  template <typename T>
  ObservableCounter<T> CreateObservableCounter(std::string_view name,
                                               std::string_view description = {},
                                               std::string_view unit = {},
                                               ObservableCallback<T> callback = {}) const {
    return Observable<internal::InstrumentType::kObservableCounter, T>(name, description, unit,
                                                                       std::move(callback));
  }
  template <typename T>
  ObservableUpDownCounter<T> CreateObservableUpDownCounter(
      std::string_view name, std::string_view description = {}, std::string_view unit = {},
      ObservableCallback<T> callback = {}) const {
    return Observable<internal::InstrumentType::kObservableUpDownCounter, T>(
        name, description, unit, std::move(callback));
  }
  template <typename T>
  ObservableGauge<T> CreateObservableGauge(std::string_view name, std::string_view description = {},
                                           std::string_view unit = {},
                                           ObservableCallback<T> callback = {}) const {
    return Observable<internal::InstrumentType::kObservableGauge, T>(name, description, unit,
                                                                     std::move(callback));
  }

  // True when a provider is attached now.
  bool enabled() const { return handle_ != nullptr && handle_->attached(); }

 private:
  internal::InstrumentHandle* Create(std::string_view name, std::string_view description,
                                     std::string_view unit, internal::InstrumentType type,
                                     internal::NumberType number,
                                     std::optional<std::vector<double>> boundaries = {}) const;

  template <internal::InstrumentType K, typename T>
  ObservableInstrument<K, T> Observable(std::string_view name, std::string_view description,
                                        std::string_view unit,
                                        ObservableCallback<T> callback) const {
    ObservableInstrument<K, T> instrument(
        Create(name, description, unit, K, internal::kNumberTypeOf<T>));
    if (instrument.handle_ != nullptr && callback) {
      instrument.handle_->AddCallback(ObservableInstrument<K, T>::Wrap(std::move(callback)));
    }
    return instrument;
  }

  internal::MeterHandle* handle_ = nullptr;
};

// The SDK's meter provider, as the API sees it. Implemented by sdk::MeterProvider.
class MeterProviderBackend {
 public:
  // The meter backend for one scope; the same pointer for the same scope, valid as long as the
  // provider lives.
  virtual internal::MeterBackend* GetMeterBackend(const InstrumentationScope& scope) = 0;

 protected:
  ~MeterProviderBackend() = default;
};

// Installs `provider` as the global meter provider (null restores the no-op): every meter from
// GetMeter, and every instrument and bound instrument made from them, now records into it.
// Takes locks and walks every instrument: not a hot path. Thread-safe.
void SetMeterProvider(MeterProviderBackend* provider);

// The installed provider (null when none).
MeterProviderBackend* GetMeterProvider();

// Returns the meter for scope `name` (e.g. "klio.wal"): the same meter for the same name,
// version and schema URL. It follows the installed provider, including one installed later.
Meter GetMeter(std::string_view name, std::string_view version = {},
               std::string_view schema_url = {});

// Where metrics warnings go (invalid names, identity conflicts, throwing callbacks, SDK
// problems). Null restores the default: a warn line on klio::log logger "klio.telemetry".
// Thread-safe; the handler may be called from any thread.
void SetMetricsWarningHandler(std::function<void(std::string_view)> handler);

}  // namespace klio::telemetry
