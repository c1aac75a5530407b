// The metrics SDK through the API: every instrument type and aggregation, bound vs unbound,
// attribute normalisation, exact multi-thread sums, two readers (delta and cumulative) over
// several collections, start times, observable callbacks, histogram buckets and cardinality
// overflow.
#include "telemetry/sdk/meter_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <thread>

#include "telemetry/metrics.h"
#include "telemetry/sdk/metrics_test_util.h"

namespace klio::telemetry::sdk {
namespace {

using std::chrono::seconds;
using testing::AsDouble;
using testing::FindMetric;
using testing::FindPoint;
using testing::ManualClock;
using testing::SumValue;

// A provider on a manual clock with a cumulative reader (0) and a delta reader (1).
class MeterProviderTest : public ::testing::Test {
 protected:
  MeterProviderTest() { Build(2000); }

  void Build(std::size_t cardinality_limit) {
    provider_.reset();
    auto cumulative = std::make_unique<PullMetricReader>();
    PullMetricReaderOptions delta_options;
    delta_options.temporality = [](InstrumentKind kind) {
      return kind == InstrumentKind::kUpDownCounter ||
                     kind == InstrumentKind::kObservableUpDownCounter
                 ? Temporality::kCumulative
                 : Temporality::kDelta;
    };
    auto delta = std::make_unique<PullMetricReader>(delta_options);
    cumulative_ = cumulative.get();
    delta_ = delta.get();
    MeterProviderOptions o;
    auto resource = std::make_shared<Resource>();
    resource->attributes = {{"service.name", "klio-test"}};
    o.resource = resource;
    o.readers.push_back(std::move(cumulative));
    o.readers.push_back(std::move(delta));
    o.cardinality_limit = cardinality_limit;
    o.clock = clock_.AsFunction();
    provider_ = std::make_unique<MeterProvider>(std::move(o));
    meter_ = provider_->GetMeter("klio.test", "1.0");
  }

  ManualClock clock_;
  std::unique_ptr<MeterProvider> provider_;
  PullMetricReader* cumulative_ = nullptr;
  PullMetricReader* delta_ = nullptr;
  Meter meter_;
};

TEST_F(MeterProviderTest, CollectionCarriesResourceAndScope) {
  meter_.CreateCounter<std::uint64_t>("c").Add(1);
  ResourceMetrics rm = cumulative_->Collect();
  ASSERT_NE(rm.resource, nullptr);
  EXPECT_EQ(rm.resource->attributes, Attributes({{"service.name", "klio-test"}}));
  ASSERT_EQ(rm.scopes.size(), 1u);
  EXPECT_EQ(rm.scopes[0].scope.name, "klio.test");
  EXPECT_EQ(rm.scopes[0].scope.version, "1.0");
  // A meter without instruments that recorded anything contributes no scope.
  provider_->GetMeter("klio.empty").CreateCounter<double>("unused");
  EXPECT_EQ(cumulative_->Collect().scopes.size(), 1u);
}

TEST_F(MeterProviderTest, CountersSumAndDropInvalidIncrements) {
  auto u = meter_.CreateCounter<std::uint64_t>("u", "unsigned", "By");
  auto d = meter_.CreateCounter<double>("d", "double", "s");
  u.Add(5);
  u.Add(7);
  u.Add(-1);  // a negative int for an unsigned counter: dropped, not wrapped
  u.Bind({}).Add(-2L);
  u.Add(std::int64_t{-3}, {{"k", "v"}});
  d.Add(0.5);
  d.Add(-3.0);          // negative: dropped
  d.Add(std::nan(""));  // NaN: dropped
  d.Add(0.25);
  ResourceMetrics rm = cumulative_->Collect();
  const MetricData* mu = FindMetric(rm, "u");
  ASSERT_NE(mu, nullptr);
  EXPECT_EQ(mu->unit, "By");
  EXPECT_EQ(mu->description, "unsigned");
  const auto& su = std::get<SumData>(mu->data);
  EXPECT_TRUE(su.is_monotonic);
  EXPECT_EQ(su.temporality, Temporality::kCumulative);
  ASSERT_EQ(su.points.size(), 1u);  // no point for {k=v}: the add was dropped before lookup
  EXPECT_EQ(std::get<std::int64_t>(su.points[0].value), 12);
  const auto& sd = std::get<SumData>(FindMetric(rm, "d")->data);
  EXPECT_EQ(std::get<double>(sd.points.at(0).value), 0.75);
}

TEST_F(MeterProviderTest, UpDownCountersGoBothWays) {
  auto i = meter_.CreateUpDownCounter<std::int64_t>("i");
  auto d = meter_.CreateUpDownCounter<double>("d");
  i.Add(5);
  i.Add(-8);
  d.Add(-1.5);
  d.Add(0.5);
  ResourceMetrics rm = cumulative_->Collect();
  const auto& si = std::get<SumData>(FindMetric(rm, "i")->data);
  EXPECT_FALSE(si.is_monotonic);
  EXPECT_EQ(std::get<std::int64_t>(si.points.at(0).value), -3);
  EXPECT_EQ(std::get<double>(std::get<SumData>(FindMetric(rm, "d")->data).points.at(0).value),
            -1.0);
  // Up-down counters stay cumulative for the delta reader (its selector says so).
  ResourceMetrics drm = delta_->Collect();
  EXPECT_EQ(std::get<SumData>(FindMetric(drm, "i")->data).temporality, Temporality::kCumulative);
}

TEST_F(MeterProviderTest, GaugeKeepsTheLastValue) {
  auto g = meter_.CreateGauge<std::int64_t>("g");
  auto gd = meter_.CreateGauge<double>("gd");
  g.Record(3, {{"q", "a"}});
  g.Record(9, {{"q", "a"}});
  g.Record(-4, {{"q", "b"}});
  gd.Record(2.5);
  ResourceMetrics rm = cumulative_->Collect();
  const auto& data = std::get<GaugeData>(FindMetric(rm, "g")->data);
  ASSERT_EQ(data.points.size(), 2u);
  EXPECT_EQ(std::get<std::int64_t>(FindPoint(data.points, {{"q", "a"}})->value), 9);
  EXPECT_EQ(std::get<std::int64_t>(FindPoint(data.points, {{"q", "b"}})->value), -4);
  EXPECT_EQ(FindPoint(data.points, {{"q", "a"}})->start_time_unix_nano, 0u);
  EXPECT_EQ(std::get<double>(std::get<GaugeData>(FindMetric(rm, "gd")->data).points.at(0).value),
            2.5);

  // The delta reader sees series recorded since its previous collection only; the cumulative
  // reader keeps seeing every series.
  ResourceMetrics d1 = delta_->Collect();
  EXPECT_EQ(std::get<GaugeData>(FindMetric(d1, "g")->data).points.size(), 2u);
  g.Record(10, {{"q", "b"}});
  ResourceMetrics d2 = delta_->Collect();
  const auto& d2data = std::get<GaugeData>(FindMetric(d2, "g")->data);
  ASSERT_EQ(d2data.points.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(d2data.points[0].value), 10);
  EXPECT_EQ(FindMetric(d2, "gd"), nullptr);
  EXPECT_EQ(std::get<GaugeData>(FindMetric(cumulative_->Collect(), "g")->data).points.size(), 2u);
}

TEST_F(MeterProviderTest, HistogramBucketsCountSumMinMax) {
  auto h = meter_.CreateHistogram<double>("h", "", "ms");
  // Default boundaries; buckets are upper-inclusive.
  for (double v : {0.0, 5.0, 5.5, 10.0, 10000.0, 10001.0, 300.0}) h.Record(v);
  h.Record(std::nan(""));  // dropped
  ResourceMetrics rm = cumulative_->Collect();
  const auto& data = std::get<HistogramData>(FindMetric(rm, "h")->data);
  ASSERT_EQ(data.points.size(), 1u);
  const HistogramPoint& p = data.points[0];
  EXPECT_EQ(p.explicit_bounds, std::vector<double>({0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000,
                                                    2500, 5000, 7500, 10000}));
  EXPECT_EQ(p.bucket_counts,
            std::vector<std::uint64_t>({1, 1, 2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1}));
  EXPECT_EQ(p.count, 7u);
  EXPECT_EQ(p.sum, 0.0 + 5 + 5.5 + 10 + 10000 + 10001 + 300);
  EXPECT_EQ(p.min, 0.0);
  EXPECT_EQ(p.max, 10001.0);
}

TEST_F(MeterProviderTest, HistogramAdviceAndNegativeValues) {
  HistogramAdvice advice;
  advice.explicit_bucket_boundaries = std::vector<double>{0.1, 1, 10};
  auto h = meter_.CreateHistogram<double>("rpc.duration", "", "s", advice);
  h.Record(0.05);
  h.Record(0.1);
  h.Record(2);
  h.Record(50);
  auto n = meter_.CreateHistogram<double>("signed");
  n.Record(-2);
  n.Record(3);
  auto u = meter_.CreateHistogram<std::uint64_t>("sizes", "", "By", advice);
  u.Record(1);
  ResourceMetrics rm = cumulative_->Collect();
  const HistogramPoint& p = std::get<HistogramData>(FindMetric(rm, "rpc.duration")->data).points[0];
  EXPECT_EQ(p.explicit_bounds, std::vector<double>({0.1, 1, 10}));
  EXPECT_EQ(p.bucket_counts, std::vector<std::uint64_t>({2, 0, 1, 1}));
  EXPECT_EQ(p.sum, 52.15);
  const HistogramPoint& s = std::get<HistogramData>(FindMetric(rm, "signed")->data).points[0];
  EXPECT_FALSE(s.sum.has_value());  // a negative value was recorded
  EXPECT_EQ(s.min, -2.0);
  EXPECT_EQ(s.max, 3.0);
  EXPECT_EQ(s.count, 2u);
  const HistogramPoint& z = std::get<HistogramData>(FindMetric(rm, "sizes")->data).points[0];
  EXPECT_EQ(z.bucket_counts, std::vector<std::uint64_t>({0, 1, 0, 0}));

  // Invalid advice falls back to the default boundaries.
  HistogramAdvice bad;
  bad.explicit_bucket_boundaries = std::vector<double>{1, 1, 2};
  std::vector<std::string> warnings;
  SetMetricsWarningHandler([&](std::string_view w) { warnings.emplace_back(w); });
  meter_.CreateHistogram<double>("bad.advice", "", "", bad).Record(1);
  SetMetricsWarningHandler(nullptr);
  EXPECT_EQ(warnings.size(), 1u);
  EXPECT_EQ(std::get<HistogramData>(FindMetric(cumulative_->Collect(), "bad.advice")->data)
                .points[0]
                .explicit_bounds.size(),
            15u);
}

TEST_F(MeterProviderTest, BoundAndUnboundRecordsMeetInOneSeries) {
  auto c = meter_.CreateCounter<std::uint64_t>("c");
  auto bound = c.Bind({{"b", 2}, {"a", "x"}});
  bound.Add(1);
  c.Add(10, {{"a", "x"}, {"b", 2}});
  c.Add(100, {{"b", 2}, {"a", "x"}});
  bound.Add(1000);
  auto h = meter_.CreateHistogram<double>("h");
  h.Bind({{"k", "v"}}).Record(1);
  h.Record(2, {{"k", "v"}});
  ResourceMetrics rm = cumulative_->Collect();
  const auto& sum = std::get<SumData>(FindMetric(rm, "c")->data);
  ASSERT_EQ(sum.points.size(), 1u);
  EXPECT_EQ(std::get<std::int64_t>(sum.points[0].value), 1111);
  EXPECT_EQ(std::get<HistogramData>(FindMetric(rm, "h")->data).points.at(0).count, 2u);
}

TEST_F(MeterProviderTest, AttributeSetsAreNormalised) {
  auto c = meter_.CreateCounter<std::uint64_t>("c");
  c.Add(1, {{"b", 1}, {"a", 1}});
  c.Add(2, {{"a", 1}, {"b", 1}});
  c.Add(4, {{"a", 0}, {"b", 1}, {"a", 1}});  // repeated key: the last value wins
  c.Add(8, {{"a", 1}, {"b", 1}, {"", 5}});   // empty keys are dropped
  c.Add(16, {{"a", 2}, {"b", 1}});
  ResourceMetrics rm = cumulative_->Collect();
  const auto& sum = std::get<SumData>(FindMetric(rm, "c")->data);
  ASSERT_EQ(sum.points.size(), 2u);
  EXPECT_EQ(sum.points[0].attributes, Attributes({{"a", 1}, {"b", 1}}));  // sorted
  EXPECT_EQ(std::get<std::int64_t>(sum.points[0].value), 15);
  EXPECT_EQ(std::get<std::int64_t>(sum.points[1].value), 16);
}

TEST_F(MeterProviderTest, ConcurrentAddsSumExactly) {
  for (int threads : {2, 3, 4}) {
    Build(2000);
    auto c = meter_.CreateCounter<std::uint64_t>("c");
    auto d = meter_.CreateCounter<double>("d");
    auto h = meter_.CreateHistogram<double>("h");
    auto bound = c.Bind({{"mode", "bound"}});
    constexpr int kAdds = 50000;
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        const Attributes attrs = {{"mode", "unbound"}, {"thread", t % 2}};
        for (int i = 0; i < kAdds; ++i) {
          bound.Add(1);
          c.Add(2, attrs);
          d.Add(0.5);
          h.Record(i % 20, {{"mode", "h"}});
          // Collections run concurrently with the adds (the second thread collects).
          if (t == 1 && i % 10000 == 0) (void)cumulative_->Collect();
        }
      });
    }
    for (auto& w : workers) w.join();
    ResourceMetrics rm = cumulative_->Collect();
    EXPECT_EQ(SumValue(rm, "c", {{"mode", "bound"}}), 1.0 * threads * kAdds) << threads;
    const double unbound = SumValue(rm, "c", {{"mode", "unbound"}, {"thread", 0}}).value_or(0) +
                           SumValue(rm, "c", {{"mode", "unbound"}, {"thread", 1}}).value_or(0);
    EXPECT_EQ(unbound, 2.0 * threads * kAdds) << threads;
    EXPECT_EQ(SumValue(rm, "d"), 0.5 * threads * kAdds) << threads;
    const HistogramPoint& p = std::get<HistogramData>(FindMetric(rm, "h")->data).points.at(0);
    EXPECT_EQ(p.count, static_cast<std::uint64_t>(threads) * kAdds) << threads;
    EXPECT_EQ(p.min, 0.0);
    EXPECT_EQ(p.max, 19.0);
  }
}

TEST_F(MeterProviderTest, DeltaAndCumulativeReadersAreIndependent) {
  auto c = meter_.CreateCounter<std::uint64_t>("c");
  auto h = meter_.CreateHistogram<double>("h");
  const std::uint64_t t0 = clock_.now();
  c.Add(5, {{"k", "a"}});  // series created at t0
  h.Record(10);
  h.Record(3);

  clock_.Advance(seconds(10));  // t1
  const std::uint64_t t1 = clock_.now();
  ResourceMetrics d1 = delta_->Collect();
  const auto& ds1 = std::get<SumData>(FindMetric(d1, "c")->data);
  EXPECT_EQ(ds1.temporality, Temporality::kDelta);
  EXPECT_EQ(std::get<std::int64_t>(ds1.points.at(0).value), 5);
  EXPECT_EQ(ds1.points[0].start_time_unix_nano, t0);  // first collection: series start
  EXPECT_EQ(ds1.points[0].time_unix_nano, t1);
  const HistogramPoint& dh1 = std::get<HistogramData>(FindMetric(d1, "h")->data).points.at(0);
  EXPECT_EQ(dh1.count, 2u);
  EXPECT_EQ(dh1.min, 3.0);
  EXPECT_EQ(dh1.max, 10.0);

  c.Add(7, {{"k", "a"}});
  c.Add(1, {{"k", "b"}});
  h.Record(20);
  clock_.Advance(seconds(10));  // t2
  const std::uint64_t t2 = clock_.now();
  ResourceMetrics c2 = cumulative_->Collect();  // the cumulative reader's first collection
  EXPECT_EQ(SumValue(c2, "c", {{"k", "a"}}), 12);
  EXPECT_EQ(SumValue(c2, "c", {{"k", "b"}}), 1);
  const auto& cs2 = std::get<SumData>(FindMetric(c2, "c")->data);
  EXPECT_EQ(cs2.temporality, Temporality::kCumulative);
  EXPECT_EQ(FindPoint(cs2.points, {{"k", "a"}})->start_time_unix_nano, t0);
  EXPECT_EQ(FindPoint(cs2.points, {{"k", "b"}})->start_time_unix_nano, t1);
  const HistogramPoint& ch2 = std::get<HistogramData>(FindMetric(c2, "h")->data).points.at(0);
  EXPECT_EQ(ch2.count, 3u);
  EXPECT_EQ(ch2.min, 3.0);
  EXPECT_EQ(ch2.max, 20.0);
  EXPECT_EQ(ch2.start_time_unix_nano, t0);

  h.Record(1);
  clock_.Advance(seconds(10));  // t3
  const std::uint64_t t3 = clock_.now();
  ResourceMetrics d3 = delta_->Collect();
  const auto& ds3 = std::get<SumData>(FindMetric(d3, "c")->data);
  EXPECT_EQ(SumValue(d3, "c", {{"k", "a"}}), 7);
  EXPECT_EQ(SumValue(d3, "c", {{"k", "b"}}), 1);
  EXPECT_EQ(FindPoint(ds3.points, {{"k", "a"}})->start_time_unix_nano, t1);  // previous
  EXPECT_EQ(FindPoint(ds3.points, {{"k", "b"}})->start_time_unix_nano, t1);
  EXPECT_EQ(ds3.points[0].time_unix_nano, t3);
  const HistogramPoint& dh3 = std::get<HistogramData>(FindMetric(d3, "h")->data).points.at(0);
  EXPECT_EQ(dh3.count, 2u);  // 20 and 1
  EXPECT_EQ(dh3.sum, 21.0);
  EXPECT_EQ(dh3.min, 1.0);  // the interval's extremes, not the all-time ones
  EXPECT_EQ(dh3.max, 20.0);
  EXPECT_EQ(dh3.start_time_unix_nano, t1);

  // Nothing new: the delta reader reports nothing, the cumulative reader everything.
  clock_.Advance(seconds(10));
  EXPECT_TRUE(delta_->Collect().scopes.empty());
  ResourceMetrics c4 = cumulative_->Collect();
  EXPECT_EQ(SumValue(c4, "c", {{"k", "a"}}), 12);
  const HistogramPoint& ch4 = std::get<HistogramData>(FindMetric(c4, "h")->data).points.at(0);
  EXPECT_EQ(ch4.count, 4u);
  EXPECT_EQ(ch4.min, 1.0);
  EXPECT_EQ(ch4.max, 20.0);
  EXPECT_EQ(FindPoint(std::get<SumData>(FindMetric(c4, "c")->data).points, {{"k", "a"}})
                ->start_time_unix_nano,
            t0);
  (void)t2;
}

TEST_F(MeterProviderTest, ObservableInstrumentsRunTheirCallbacks) {
  std::int64_t queue = 3;
  int calls = 0;
  auto gauge = meter_.CreateObservableGauge<std::int64_t>("queue.messages", "", "",
                                                          [&](ObservableResult<std::int64_t>& r) {
                                                            ++calls;
                                                            r.Observe(queue, {{"q", "wal"}});
                                                          });
  std::uint64_t total = 100;
  auto counter = meter_.CreateObservableCounter<std::uint64_t>("cpu.time", "", "s");
  ObservableRegistration reg =
      counter.AddCallback([&](ObservableResult<std::uint64_t>& r) { r.Observe(total); });
  auto updown = meter_.CreateObservableUpDownCounter<double>("mem");
  ObservableRegistration reg2 = updown.AddCallback([&](ObservableResult<double>& r) {
    r.Observe(-1.5, {{"a", 1}});
  });

  EXPECT_TRUE(gauge.enabled());
  const std::uint64_t created = clock_.now();
  clock_.Advance(seconds(5));
  ResourceMetrics c1 = cumulative_->Collect();
  EXPECT_EQ(calls, 1);
  const auto& g = std::get<GaugeData>(FindMetric(c1, "queue.messages")->data);
  EXPECT_EQ(std::get<std::int64_t>(g.points.at(0).value), 3);
  const auto& s = std::get<SumData>(FindMetric(c1, "cpu.time")->data);
  EXPECT_TRUE(s.is_monotonic);
  EXPECT_EQ(std::get<std::int64_t>(s.points.at(0).value), 100);
  EXPECT_EQ(s.points[0].start_time_unix_nano, created);
  const auto& m = std::get<SumData>(FindMetric(c1, "mem")->data);
  EXPECT_FALSE(m.is_monotonic);
  EXPECT_EQ(std::get<double>(m.points.at(0).value), -1.5);

  ResourceMetrics d1 = delta_->Collect();  // callbacks run once per collection
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(SumValue(d1, "cpu.time"), 100);
  total = 130;
  queue = 4;
  ResourceMetrics d2 = delta_->Collect();
  EXPECT_EQ(SumValue(d2, "cpu.time"), 30);
  EXPECT_EQ(std::get<SumData>(FindMetric(d2, "cpu.time")->data).temporality, Temporality::kDelta);
  EXPECT_EQ(SumValue(cumulative_->Collect(), "cpu.time"), 130);

  reg.Unregister();
  EXPECT_FALSE(reg.registered());
  ResourceMetrics c3 = cumulative_->Collect();
  EXPECT_EQ(FindMetric(c3, "cpu.time"), nullptr);  // not observed in this collection
  EXPECT_NE(FindMetric(c3, "queue.messages"), nullptr);
  { ObservableRegistration scoped = std::move(reg2); }  // destroyed: unregistered
  EXPECT_EQ(FindMetric(cumulative_->Collect(), "mem"), nullptr);
}

TEST_F(MeterProviderTest, CallbacksMayUnregisterThemselvesAndThrowingOnesAreReported) {
  std::vector<std::string> warnings;
  SetMetricsWarningHandler([&](std::string_view w) { warnings.emplace_back(w); });
  auto g = meter_.CreateObservableGauge<double>("g");
  int runs = 0;
  ObservableRegistration self;
  self = g.AddCallback([&](ObservableResult<double>& r) {
    ++runs;
    r.Observe(1);
    self.Unregister();  // from inside the callback
  });
  ObservableRegistration thrower =
      g.AddCallback([](ObservableResult<double>&) { throw std::runtime_error("boom"); });
  (void)cumulative_->Collect();
  (void)cumulative_->Collect();
  SetMetricsWarningHandler(nullptr);
  EXPECT_EQ(runs, 1);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_THAT(warnings[0], ::testing::HasSubstr("boom"));
}

TEST_F(MeterProviderTest, CardinalityLimitFoldsIntoTheOverflowSeries) {
  Build(5);  // 4 ordinary series + the overflow series
  auto c = meter_.CreateCounter<std::uint64_t>("c");
  for (int i = 0; i < 10; ++i) c.Add(1, {{"i", i}});
  for (int i = 0; i < 10; ++i) c.Add(10, {{"i", i}});
  auto bound = c.Bind({{"i", 42}});  // past the limit: bound to the overflow series
  bound.Add(100);
  auto o = meter_.CreateObservableGauge<std::int64_t>("o", "", "",
                                                      [](ObservableResult<std::int64_t>& r) {
                                                        for (int i = 0; i < 7; ++i)
                                                          r.Observe(i, {{"i", i}});
                                                      });
  EXPECT_TRUE(o.enabled());
  ResourceMetrics rm = cumulative_->Collect();
  const auto& sum = std::get<SumData>(FindMetric(rm, "c")->data);
  ASSERT_EQ(sum.points.size(), 5u);
  const Attributes overflow = {{"otel.metric.overflow", AttributeValue(true)}};
  EXPECT_EQ(SumValue(rm, "c", overflow), 6 * 11 + 100);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(SumValue(rm, "c", {{"i", i}}), 11) << i;
  const auto& gauge = std::get<GaugeData>(FindMetric(rm, "o")->data);
  EXPECT_EQ(gauge.points.size(), 5u);
  EXPECT_NE(FindPoint(gauge.points, overflow), nullptr);
}

TEST_F(MeterProviderTest, ShutdownStopsTheReaders) {
  meter_.CreateCounter<std::uint64_t>("c").Add(1);
  EXPECT_TRUE(provider_->Shutdown(std::chrono::steady_clock::now() + seconds(1)).ok());
  EXPECT_TRUE(provider_->Shutdown(std::chrono::steady_clock::now() + seconds(1)).ok());
  EXPECT_TRUE(cumulative_->Collect().scopes.empty());
  EXPECT_FALSE(provider_->ForceFlush(std::chrono::steady_clock::now() + seconds(1)).ok());
}

TEST(PullMetricReaderTest, UnregisteredReaderCollectsNothing) {
  PullMetricReader reader;
  EXPECT_EQ(reader.Collect().resource, nullptr);
  EXPECT_TRUE(reader.Collect().scopes.empty());
}

}  // namespace
}  // namespace klio::telemetry::sdk
