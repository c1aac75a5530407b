// Aggregations of the metrics SDK at collection time: turning the cumulative contents of a
// series (metrics_cells.h cells) into the data point one reader wants — cumulative or delta —
// from that reader's last-reported state.
//
//  * Sum (Counter, UpDownCounter, observable sums): cumulative = the total; delta = total minus
//    the total this reader last reported (a series without change is not reported as delta).
//  * Last value (Gauge, observable gauge): the value; cumulative readers see every series ever
//    recorded, delta readers only those recorded since their previous collection.
//  * Explicit-bucket histogram: bucket counts, count (their sum), sum (left out once a
//    negative value was recorded), min and max. Min/max are drained from the series at every
//    collection (by any reader) into each reader's pending min/max and into the series'
//    all-time min/max, so delta readers get the interval's extremes and cumulative readers the
//    all-time ones.
//
// Start times: a cumulative point starts when its series was created (first record, Bind, or
// first observation); a delta point starts at this reader's previous collection (the series'
// creation for the reader's first collection); gauges carry no start time.
//
// Thread-safety: functions of one series/reader state are called with the storage's lock held.
// Design: docs/design/telemetry.md §4.6; otel-reference §1.6, §2.5.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "telemetry/sdk/data.h"

namespace klio::telemetry::sdk {

// The specification's default explicit bucket boundaries.
std::span<const double> DefaultHistogramBoundaries();

// What one collection asks of a storage.
struct CollectContext {
  std::size_t reader = 0;       // index of the collecting reader
  std::size_t num_readers = 1;  // readers of the provider
  Temporality temporality = Temporality::kCumulative;
  std::uint64_t now_ns = 0;           // collection time (time_unix_nano of the points)
  std::uint64_t prev_collect_ns = 0;  // this reader's previous collection; 0 for the first
};

// Start of a delta point of a series created at `series_start_ns`.
inline std::uint64_t DeltaStart(const CollectContext& ctx, std::uint64_t series_start_ns) {
  return ctx.prev_collect_ns != 0 ? ctx.prev_collect_ns : series_start_ns;
}

// A sum point for `total` (T: std::uint64_t, std::int64_t or double); `last` is this reader's
// last-reported total, updated for delta. nullopt: nothing to report (delta without change).
template <typename T>
std::optional<NumberPoint> SumPoint(const Attributes& attributes, std::uint64_t series_start_ns,
                                    T total, T* last, const CollectContext& ctx) {
  NumberPoint p;
  p.time_unix_nano = ctx.now_ns;
  T value = total;
  if (ctx.temporality == Temporality::kDelta) {
    value = total - *last;
    if (value == T{}) return std::nullopt;
    *last = total;
    p.start_time_unix_nano = DeltaStart(ctx, series_start_ns);
  } else {
    p.start_time_unix_nano = series_start_ns;
  }
  if constexpr (std::is_floating_point_v<T>) {
    p.value = static_cast<double>(value);
  } else {
    p.value = static_cast<std::int64_t>(value);
  }
  p.attributes = attributes;
  return p;
}

// Per-reader state of one histogram series.
struct HistogramReaderState {
  std::vector<std::uint64_t> last_counts;  // empty until first reported
  double last_sum = 0;
  double pending_min = std::numeric_limits<double>::infinity();
  double pending_max = -std::numeric_limits<double>::infinity();
};

// The collection-side state of one histogram series.
struct HistogramState {
  double all_min = std::numeric_limits<double>::infinity();
  double all_max = -std::numeric_limits<double>::infinity();
  std::vector<HistogramReaderState> readers;  // one per reader
};

// Folds the min/max drained from a series into every reader's pending and the all-time values.
void MergeMinMax(double min, double max, HistogramState* state);

// A histogram point from the series' cumulative `counts` and `sum`; nullopt for a delta reader
// when nothing was recorded since its previous collection.
std::optional<HistogramPoint> HistogramPointFor(const Attributes& attributes,
                                                std::uint64_t series_start_ns,
                                                std::span<const double> bounds,
                                                std::span<const std::uint64_t> counts, double sum,
                                                bool negative, HistogramState* state,
                                                const CollectContext& ctx);

}  // namespace klio::telemetry::sdk
