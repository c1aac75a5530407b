// Instrument storages of the metrics SDK: one per instrument identity per provider. A
// synchronous storage owns the instrument's series (SeriesTable) and hands their cells to the
// API; an observable storage runs the callbacks of the API handles attached to it and keeps the
// observed values. Both produce one reader's MetricData at collection (aggregation.h).
//
// Thread-safety: FindSeries from any thread (lock-free for known attribute lists); Collect,
// AddHandle and RemoveHandle take the storage's lock. Collections are serialised by the
// provider.
// Design: docs/design/telemetry.md §4.6.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "telemetry/metrics_internal.h"
#include "telemetry/sdk/aggregation.h"
#include "telemetry/sdk/data.h"
#include "telemetry/sdk/exporter.h"

namespace klio::telemetry::sdk {

struct StorageOptions {
  std::size_t cardinality_limit = 2000;
  std::size_t num_readers = 1;
  // Wall-clock nanoseconds since the Unix epoch (series start times).
  std::function<std::uint64_t()> now_ns;
};

// The SDK's kind for an API instrument type (the enums share values).
InstrumentKind KindOf(internal::InstrumentType type);

class MetricStorage : public internal::StorageBase {
 public:
  MetricStorage(internal::InstrumentDescriptor descriptor, StorageOptions options)
      : descriptor_(std::move(descriptor)), options_(std::move(options)) {}
  ~MetricStorage() override = default;

  const internal::InstrumentDescriptor& descriptor() const { return descriptor_; }
  InstrumentKind kind() const { return KindOf(descriptor_.type); }

  // Appends this instrument's data for one reader to `out` (nothing when it has no point).
  virtual void Collect(const CollectContext& ctx, std::vector<MetricData>* out) = 0;

  // Observable instruments: the API handles whose callbacks run at each collection.
  virtual void AddHandle(internal::InstrumentHandle* /*handle*/) {}
  // Blocks while a collection runs the handle's callbacks.
  virtual void RemoveHandle(internal::InstrumentHandle* /*handle*/) {}

  // Synchronous instruments override; observable ones have no series to hand out.
  void* FindSeries(std::span<const KeyValue> /*attributes*/) override { return nullptr; }

 protected:
  // A MetricData with this instrument's name, description and unit.
  MetricData NewMetric() const;

  const internal::InstrumentDescriptor descriptor_;
  const StorageOptions options_;
};

// The storage for `descriptor`'s instrument type and number type.
std::unique_ptr<MetricStorage> MakeStorage(const internal::InstrumentDescriptor& descriptor,
                                           StorageOptions options);

}  // namespace klio::telemetry::sdk
