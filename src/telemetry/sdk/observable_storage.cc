// The storage of observable instruments: at each collection it runs the callbacks of every API
// handle attached to it, keeps the values they observe per normalised attribute set, and
// reports the sets observed in that collection (sums as cumulative totals or per-reader deltas,
// gauges as values). Cumulative sums start when the instrument was created.
#include <algorithm>
#include <mutex>
#include <unordered_map>
#include <utility>

#include "telemetry/sdk/attribute_set.h"
#include "telemetry/sdk/instrument_storage.h"
#include "telemetry/sdk/series_table.h"

namespace klio::telemetry::sdk {
namespace {

class ObservableStorage final : public MetricStorage, private internal::ObservationSink {
 public:
  ObservableStorage(const internal::InstrumentDescriptor& d, StorageOptions o)
      : MetricStorage(d, std::move(o)),
        is_double_(d.number == internal::NumberType::kDouble),
        is_sum_(d.type != internal::InstrumentType::kObservableGauge),
        created_ns_(options_.now_ns()) {}

  void AddHandle(internal::InstrumentHandle* handle) override {
    std::lock_guard<std::mutex> lock(mu_);
    handles_.push_back(handle);
  }

  void RemoveHandle(internal::InstrumentHandle* handle) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::erase(handles_, handle);
  }

  void Collect(const CollectContext& ctx, std::vector<MetricData>* out) override {
    std::lock_guard<std::mutex> lock(mu_);
    ++seq_;
    for (internal::InstrumentHandle* h : handles_) h->RunCallbacks(*this);

    std::vector<NumberPoint> points;
    for (const auto& e : entries_) {
      if (e->seq != seq_) continue;  // not observed in this collection
      if (!is_sum_) {
        NumberPoint p;
        p.attributes = e->attributes;
        p.time_unix_nano = ctx.now_ns;
        if (is_double_) {
          p.value = e->dvalue;
        } else {
          p.value = e->ivalue;
        }
        points.push_back(std::move(p));
        continue;
      }
      std::optional<NumberPoint> p =
          is_double_
              ? SumPoint<double>(e->attributes, created_ns_, e->dvalue, &e->last_d[ctx.reader], ctx)
              : SumPoint<std::int64_t>(e->attributes, created_ns_, e->ivalue,
                                       &e->last_i[ctx.reader], ctx);
      if (p.has_value()) points.push_back(std::move(*p));
    }
    if (points.empty()) return;
    MetricData m = NewMetric();
    if (is_sum_) {
      SumData data;
      data.temporality = ctx.temporality;
      data.is_monotonic = descriptor_.type == internal::InstrumentType::kObservableCounter;
      data.points = std::move(points);
      m.data = std::move(data);
    } else {
      m.data = GaugeData{std::move(points)};
    }
    out->push_back(std::move(m));
  }

 private:
  struct Entry {
    Entry(Attributes a, std::size_t readers)
        : attributes(std::move(a)), last_i(readers, 0), last_d(readers, 0.0) {}
    const Attributes attributes;
    std::int64_t ivalue = 0;
    double dvalue = 0;
    std::uint64_t seq = 0;             // the collection that last observed it
    std::vector<std::int64_t> last_i;  // per reader: last reported total (delta)
    std::vector<double> last_d;
  };

  // Called by callbacks, inside Collect (mu_ held).
  void ObserveInt(std::int64_t value, std::span<const KeyValue> attributes) override {
    if (is_double_) return ObserveDouble(static_cast<double>(value), attributes);
    bool overflow = false;
    Entry* e = Lookup(attributes, &overflow);
    // Sets folded into the overflow series add up (sums); otherwise the last observation wins.
    e->ivalue = (overflow && is_sum_ && e->seq == seq_) ? e->ivalue + value : value;
    e->seq = seq_;
  }

  void ObserveDouble(double value, std::span<const KeyValue> attributes) override {
    if (value != value) return;  // NaN
    if (!is_double_) return ObserveInt(static_cast<std::int64_t>(value), attributes);
    bool overflow = false;
    Entry* e = Lookup(attributes, &overflow);
    e->dvalue = (overflow && is_sum_ && e->seq == seq_) ? e->dvalue + value : value;
    e->seq = seq_;
  }

  Entry* Lookup(std::span<const KeyValue> attributes, bool* overflow) {
    AttributeSet set(attributes);
    if (auto it = index_.find(set); it != index_.end()) return it->second;
    const std::size_t limit = options_.cardinality_limit > 1 ? options_.cardinality_limit - 1 : 1;
    if (index_.size() >= limit) {
      *overflow = true;
      if (overflow_ == nullptr) {
        entries_.push_back(std::make_unique<Entry>(
            Attributes{KeyValue(std::string(kOverflowAttribute), AttributeValue(true))},
            options_.num_readers));
        overflow_ = entries_.back().get();
      }
      return overflow_;
    }
    entries_.push_back(std::make_unique<Entry>(set.attributes(), options_.num_readers));
    Entry* e = entries_.back().get();
    index_.emplace(std::move(set), e);
    return e;
  }

  const bool is_double_;
  const bool is_sum_;
  const std::uint64_t created_ns_;

  std::mutex mu_;  // held across callbacks: RemoveHandle waits for a running collection
  std::vector<internal::InstrumentHandle*> handles_;                  // guarded by mu_
  std::unordered_map<AttributeSet, Entry*, AttributeSetHash> index_;  // guarded by mu_
  std::vector<std::unique_ptr<Entry>> entries_;                       // guarded by mu_
  Entry* overflow_ = nullptr;                                         // guarded by mu_
  std::uint64_t seq_ = 0;                                             // guarded by mu_
};

}  // namespace

std::unique_ptr<MetricStorage> MakeObservableStorage(
    const internal::InstrumentDescriptor& descriptor, StorageOptions options) {
  return std::make_unique<ObservableStorage>(descriptor, std::move(options));
}

}  // namespace klio::telemetry::sdk
