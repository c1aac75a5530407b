// Synchronous storages (sum, last value, histogram); the observable storage is in
// observable_storage.cc.
#include "telemetry/sdk/instrument_storage.h"

#include <mutex>
#include <utility>

#include "telemetry/sdk/series_table.h"

namespace klio::telemetry::sdk {

static_assert(static_cast<int>(internal::InstrumentType::kCounter) ==
              static_cast<int>(InstrumentKind::kCounter));
static_assert(static_cast<int>(internal::InstrumentType::kUpDownCounter) ==
              static_cast<int>(InstrumentKind::kUpDownCounter));
static_assert(static_cast<int>(internal::InstrumentType::kHistogram) ==
              static_cast<int>(InstrumentKind::kHistogram));
static_assert(static_cast<int>(internal::InstrumentType::kGauge) ==
              static_cast<int>(InstrumentKind::kGauge));
static_assert(static_cast<int>(internal::InstrumentType::kObservableCounter) ==
              static_cast<int>(InstrumentKind::kObservableCounter));
static_assert(static_cast<int>(internal::InstrumentType::kObservableUpDownCounter) ==
              static_cast<int>(InstrumentKind::kObservableUpDownCounter));
static_assert(static_cast<int>(internal::InstrumentType::kObservableGauge) ==
              static_cast<int>(InstrumentKind::kObservableGauge));

InstrumentKind KindOf(internal::InstrumentType type) {
  return static_cast<InstrumentKind>(static_cast<std::uint8_t>(type));
}

MetricData MetricStorage::NewMetric() const {
  MetricData m;
  m.name = descriptor_.name;
  m.description = descriptor_.description;
  m.unit = descriptor_.unit;
  return m;
}

// Defined in observable_storage.cc.
std::unique_ptr<MetricStorage> MakeObservableStorage(
    const internal::InstrumentDescriptor& descriptor, StorageOptions options);

namespace {

// Counter and UpDownCounter: T is std::uint64_t (integers) or double.
template <typename T>
class SumStorage final : public MetricStorage {
 public:
  SumStorage(const internal::InstrumentDescriptor& d, StorageOptions o, bool monotonic)
      : MetricStorage(d, std::move(o)), monotonic_(monotonic), table_(options_.cardinality_limit) {}

  void* FindSeries(std::span<const KeyValue> attributes) override {
    Entry* e = table_.Find(attributes, [this](const Attributes& a) {
      return std::make_unique<Entry>(a, options_.now_ns(), options_.num_readers);
    });
    if (attributes.empty()) empty_.store(&e->series, std::memory_order_release);
    return &e->series;
  }

  void Collect(const CollectContext& ctx, std::vector<MetricData>* out) override {
    SumData data;
    data.temporality = ctx.temporality;
    data.is_monotonic = monotonic_;
    {
      std::lock_guard<std::mutex> lock(table_.mu());
      for (const auto& e : table_.entries()) {
        if (auto p = SumPoint<T>(e->attributes, e->start_ns, e->series.Read(), &e->last[ctx.reader],
                                 ctx)) {
          data.points.push_back(std::move(*p));
        }
      }
    }
    if (data.points.empty()) return;
    MetricData m = NewMetric();
    m.data = std::move(data);
    out->push_back(std::move(m));
  }

 private:
  struct Entry {
    Entry(const Attributes& a, std::uint64_t start, std::size_t readers)
        : attributes(a), start_ns(start), last(readers) {}
    internal::SumSeries<T> series;
    const Attributes attributes;
    const std::uint64_t start_ns;
    std::vector<T> last;  // per reader: the total last reported (delta)
  };

  const bool monotonic_;
  SeriesTable<Entry> table_;
};

// Gauge: T is std::int64_t or double.
template <typename T>
class GaugeStorage final : public MetricStorage {
 public:
  GaugeStorage(const internal::InstrumentDescriptor& d, StorageOptions o)
      : MetricStorage(d, std::move(o)), table_(options_.cardinality_limit) {}

  void* FindSeries(std::span<const KeyValue> attributes) override {
    Entry* e = table_.Find(attributes, [this](const Attributes& a) {
      return std::make_unique<Entry>(a, options_.num_readers);
    });
    if (attributes.empty()) empty_.store(&e->series, std::memory_order_release);
    return &e->series;
  }

  void Collect(const CollectContext& ctx, std::vector<MetricData>* out) override {
    GaugeData data;
    {
      std::lock_guard<std::mutex> lock(table_.mu());
      for (const auto& e : table_.entries()) {
        if (e->series.TakeUpdated()) {
          e->ever_set = true;
          std::fill(e->pending.begin(), e->pending.end(), true);
        }
        const bool report =
            ctx.temporality == Temporality::kDelta ? e->pending[ctx.reader] : e->ever_set;
        e->pending[ctx.reader] = false;
        if (!report) continue;
        NumberPoint p;
        p.attributes = e->attributes;
        p.time_unix_nano = ctx.now_ns;
        if constexpr (std::is_floating_point_v<T>) {
          p.value = static_cast<double>(e->series.value());
        } else {
          p.value = static_cast<std::int64_t>(e->series.value());
        }
        data.points.push_back(std::move(p));
      }
    }
    if (data.points.empty()) return;
    MetricData m = NewMetric();
    m.data = std::move(data);
    out->push_back(std::move(m));
  }

 private:
  struct Entry {
    Entry(const Attributes& a, std::size_t readers) : attributes(a), pending(readers, false) {}
    internal::GaugeSeries<T> series;
    const Attributes attributes;
    bool ever_set = false;      // a value was recorded at some point
    std::vector<bool> pending;  // per reader: recorded since that reader's last collection
  };

  SeriesTable<Entry> table_;
};

class HistogramStorage final : public MetricStorage {
 public:
  HistogramStorage(const internal::InstrumentDescriptor& d, StorageOptions o)
      : MetricStorage(d, std::move(o)), table_(options_.cardinality_limit) {
    if (d.boundaries.has_value()) {
      bounds_ = *d.boundaries;
    } else {
      const auto def = DefaultHistogramBoundaries();
      bounds_.assign(def.begin(), def.end());
    }
  }

  void* FindSeries(std::span<const KeyValue> attributes) override {
    Entry* e = table_.Find(attributes, [this](const Attributes& a) {
      return std::make_unique<Entry>(a, options_.now_ns(), bounds_, options_.num_readers);
    });
    if (attributes.empty()) empty_.store(&e->series, std::memory_order_release);
    return &e->series;
  }

  void Collect(const CollectContext& ctx, std::vector<MetricData>* out) override {
    HistogramData data;
    data.temporality = ctx.temporality;
    {
      std::lock_guard<std::mutex> lock(table_.mu());
      std::vector<std::uint64_t> counts(bounds_.size() + 1);
      for (const auto& e : table_.entries()) {
        std::fill(counts.begin(), counts.end(), 0);
        const double sum = e->series.Read(counts);
        const auto [min, max] = e->series.TakeMinMax();
        MergeMinMax(min, max, &e->state);
        if (auto p = HistogramPointFor(e->attributes, e->start_ns, bounds_, counts, sum,
                                       e->series.negative(), &e->state, ctx)) {
          data.points.push_back(std::move(*p));
        }
      }
    }
    if (data.points.empty()) return;
    MetricData m = NewMetric();
    m.data = std::move(data);
    out->push_back(std::move(m));
  }

 private:
  struct Entry {
    Entry(const Attributes& a, std::uint64_t start, std::span<const double> bounds,
          std::size_t readers)
        : series(bounds), attributes(a), start_ns(start) {
      state.readers.resize(readers);
    }
    internal::HistogramSeries series;
    const Attributes attributes;
    const std::uint64_t start_ns;
    HistogramState state;
  };

  std::vector<double> bounds_;  // set once in the constructor; the series point into it
  SeriesTable<Entry> table_;
};

}  // namespace

std::unique_ptr<MetricStorage> MakeStorage(const internal::InstrumentDescriptor& d,
                                           StorageOptions options) {
  const bool is_double = d.number == internal::NumberType::kDouble;
  switch (d.type) {
    case internal::InstrumentType::kCounter:
    case internal::InstrumentType::kUpDownCounter: {
      const bool monotonic = d.type == internal::InstrumentType::kCounter;
      if (is_double) return std::make_unique<SumStorage<double>>(d, std::move(options), monotonic);
      return std::make_unique<SumStorage<std::uint64_t>>(d, std::move(options), monotonic);
    }
    case internal::InstrumentType::kGauge:
      if (is_double) return std::make_unique<GaugeStorage<double>>(d, std::move(options));
      return std::make_unique<GaugeStorage<std::int64_t>>(d, std::move(options));
    case internal::InstrumentType::kHistogram:
      return std::make_unique<HistogramStorage>(d, std::move(options));
    case internal::InstrumentType::kObservableCounter:
    case internal::InstrumentType::kObservableUpDownCounter:
    case internal::InstrumentType::kObservableGauge:
      return MakeObservableStorage(d, std::move(options));
  }
  return nullptr;
}

}  // namespace klio::telemetry::sdk
