#include "telemetry/sdk/aggregation.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace klio::telemetry::sdk {

std::span<const double> DefaultHistogramBoundaries() {
  static constexpr std::array<double, 15> kBounds = {0,   5,   10,   25,   50,   75,   100,  250,
                                                     500, 750, 1000, 2500, 5000, 7500, 10000};
  return kBounds;
}

void MergeMinMax(double min, double max, HistogramState* state) {
  if (min > max) return;  // nothing recorded since the previous drain
  state->all_min = std::min(state->all_min, min);
  state->all_max = std::max(state->all_max, max);
  for (HistogramReaderState& r : state->readers) {
    r.pending_min = std::min(r.pending_min, min);
    r.pending_max = std::max(r.pending_max, max);
  }
}

std::optional<HistogramPoint> HistogramPointFor(const Attributes& attributes,
                                                std::uint64_t series_start_ns,
                                                std::span<const double> bounds,
                                                std::span<const std::uint64_t> counts, double sum,
                                                bool negative, HistogramState* state,
                                                const CollectContext& ctx) {
  HistogramReaderState& r = state->readers[ctx.reader];
  HistogramPoint p;
  p.time_unix_nano = ctx.now_ns;
  p.explicit_bounds.assign(bounds.begin(), bounds.end());
  p.bucket_counts.assign(counts.begin(), counts.end());
  double min = state->all_min;
  double max = state->all_max;
  if (ctx.temporality == Temporality::kDelta) {
    if (r.last_counts.size() == counts.size()) {
      for (std::size_t i = 0; i < counts.size(); ++i) p.bucket_counts[i] -= r.last_counts[i];
    }
    r.last_counts.assign(counts.begin(), counts.end());
    const double delta_sum = sum - r.last_sum;
    r.last_sum = sum;
    sum = delta_sum;
    min = r.pending_min;
    max = r.pending_max;
    p.start_time_unix_nano = DeltaStart(ctx, series_start_ns);
  } else {
    p.start_time_unix_nano = series_start_ns;
  }
  r.pending_min = std::numeric_limits<double>::infinity();
  r.pending_max = -std::numeric_limits<double>::infinity();
  for (std::uint64_t c : p.bucket_counts) p.count += c;
  if (ctx.temporality == Temporality::kDelta && p.count == 0) return std::nullopt;
  if (!negative) p.sum = sum;
  // A record racing with the drain can leave min/max without a value for counts that exist;
  // then they are left out rather than reported wrong.
  if (p.count > 0 && min <= max && std::isfinite(min) && std::isfinite(max)) {
    p.min = min;
    p.max = max;
  }
  p.attributes = attributes;
  return p;
}

}  // namespace klio::telemetry::sdk
