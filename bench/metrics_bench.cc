// Benchmarks of the metrics API + SDK (docs/design/telemetry.md §4.6; anchors in
// otel-reference §6.8). One MeterProvider with a pull reader is installed for the whole binary;
// nothing is exported during the measurements, so the figures are the record paths alone.
//
// Multi-thread variants use ->Threads(1) and ->Threads(2) with UseRealTime: compare their
// items_per_second (total over all threads) to see whether a second thread adds throughput.
#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "telemetry/metrics.h"
#include "telemetry/sdk/meter_provider.h"

namespace klio::telemetry {
namespace {

// The installed provider and the instruments every benchmark uses.
struct Env {
  Env() {
    auto r = std::make_unique<sdk::PullMetricReader>();
    reader = r.get();
    sdk::MeterProviderOptions o;
    o.readers.push_back(std::move(r));
    provider = std::make_unique<sdk::MeterProvider>(std::move(o));
    SetMeterProvider(provider.get());
    const Meter meter = GetMeter("klio.bench");
    counter = meter.CreateCounter<std::uint64_t>("bench.counter", "", "By");
    updown = meter.CreateUpDownCounter<std::int64_t>("bench.updown");
    histogram = meter.CreateHistogram<double>("bench.histogram", "", "s");
    gauge = meter.CreateGauge<double>("bench.gauge");
    // 1000 attribute sets of 3 attributes (as in the published 3-attribute benchmarks).
    for (int i = 0; i < 1000; ++i) {
      sets.push_back({{"cluster_name", AttributeValue("cluster-" + std::to_string(i % 10))},
                      {"segment.kind", i % 2 == 0 ? "wal" : "history"},
                      {"attempt", i / 20}});
    }
    // Touch every series once so the measured loop finds them (steady state).
    for (const auto& s : sets) {
      counter.Add(0, s);
      histogram.Record(0, s);
    }
  }
  std::unique_ptr<sdk::MeterProvider> provider;
  sdk::PullMetricReader* reader = nullptr;
  Counter<std::uint64_t> counter;
  UpDownCounter<std::int64_t> updown;
  Histogram<double> histogram;
  Gauge<double> gauge;
  std::vector<Attributes> sets;
};

Env& E() {
  static Env* env = new Env();
  return *env;
}

// ---------------------------------------------------------------------------------------------
// No provider: the API's no-op cost.

void BM_NoopCounterAdd(benchmark::State& state) {
  const Counter<std::uint64_t> noop;  // default-constructed: no-op forever (folds away)
  for (auto _ : state) noop.Add(1);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NoopCounterAdd);

// An instrument of a meter no provider is attached to: what instrumented code pays in a
// process without telemetry (one atomic load of the storage pointer and a branch).
void BM_NoProviderCounterAdd(benchmark::State& state) {
  static internal::MeterHandle* detached =
      new internal::MeterHandle(InstrumentationScope{"klio.bench.detached"}, nullptr, true);
  const Counter<std::uint64_t> counter = Meter(detached).CreateCounter<std::uint64_t>("c");
  const BoundCounter<std::uint64_t> bound = counter.Bind({{"k", "v"}});
  for (auto _ : state) {
    counter.Add(1);
    bound.Add(1);
  }
  state.SetItemsProcessed(2 * state.iterations());
}
BENCHMARK(BM_NoProviderCounterAdd);

void BM_NoopCounterAddWithAttributes(benchmark::State& state) {
  const Counter<std::uint64_t> noop;
  const Attributes& attrs = E().sets[0];
  for (auto _ : state) noop.Add(1, attrs);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_NoopCounterAddWithAttributes);

// ---------------------------------------------------------------------------------------------
// Baseline, not klio code: what one shared std::atomic counter costs (a locked add; with two
// threads the cache line moves between cores). The per-thread cells exist to avoid this.

std::atomic<std::uint64_t> g_shared_counter{0};

void BM_BaselineSharedAtomicAdd(benchmark::State& state) {
  for (auto _ : state) g_shared_counter.fetch_add(1, std::memory_order_relaxed);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_BaselineSharedAtomicAdd)->Threads(1)->Threads(2)->UseRealTime();

// ---------------------------------------------------------------------------------------------
// Counter.

void BM_CounterAddBound(benchmark::State& state) {
  const BoundCounter<std::uint64_t> bound = E().counter.Bind({{"cluster_name", "c1"}});
  for (auto _ : state) bound.Add(1);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterAddBound)->Threads(1)->Threads(2)->UseRealTime();

void BM_CounterAddNoAttributes(benchmark::State& state) {
  const Counter<std::uint64_t>& counter = E().counter;
  for (auto _ : state) counter.Add(1);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterAddNoAttributes)->Threads(1)->Threads(2)->UseRealTime();

// 3 attributes, prebuilt (the usual form for a hot path), cycling over 1000 series.
void BM_CounterAdd3Attributes(benchmark::State& state) {
  Env& e = E();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7;
  for (auto _ : state) {
    e.counter.Add(1, e.sets[i]);
    if (++i == e.sets.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterAdd3Attributes)->Threads(1)->Threads(2)->UseRealTime();

// 3 attributes written inline at the call site: the KeyValue list is built (short strings, no
// heap allocation) and destroyed on every call.
void BM_CounterAdd3AttributesInline(benchmark::State& state) {
  const Counter<std::uint64_t>& counter = E().counter;
  std::int64_t attempt = 0;
  for (auto _ : state) {
    counter.Add(1, {{"cluster_name", "cluster-1"}, {"segment.kind", "wal"}, {"attempt", attempt}});
    attempt = (attempt + 1) & 31;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CounterAdd3AttributesInline);

void BM_UpDownCounterAddBound(benchmark::State& state) {
  const BoundUpDownCounter<std::int64_t> bound = E().updown.Bind({{"q", "wal"}});
  std::int64_t v = 1;
  for (auto _ : state) {
    bound.Add(v);
    v = -v;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_UpDownCounterAddBound);

// ---------------------------------------------------------------------------------------------
// Histogram (15 default boundaries; values spread over the buckets).

constexpr std::array<double, 8> kValues = {0.5, 7, 30, 80, 300, 900, 4000, 12000};

void BM_HistogramRecordBound(benchmark::State& state) {
  const BoundHistogram<double> bound = E().histogram.Bind({{"rpc.method", "Send"}});
  std::size_t i = 0;
  for (auto _ : state) {
    bound.Record(kValues[i]);
    i = (i + 1) & 7;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecordBound)->Threads(1)->Threads(2)->UseRealTime();

void BM_HistogramRecordNoAttributes(benchmark::State& state) {
  const Histogram<double>& h = E().histogram;
  std::size_t i = 0;
  for (auto _ : state) {
    h.Record(kValues[i]);
    i = (i + 1) & 7;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecordNoAttributes)->Threads(1)->Threads(2)->UseRealTime();

void BM_HistogramRecord3Attributes(benchmark::State& state) {
  Env& e = E();
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 7;
  for (auto _ : state) {
    e.histogram.Record(kValues[i & 7], e.sets[i]);
    if (++i == e.sets.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HistogramRecord3Attributes)->Threads(1)->Threads(2)->UseRealTime();

// ---------------------------------------------------------------------------------------------
// Gauge.

void BM_GaugeRecordNoAttributes(benchmark::State& state) {
  const Gauge<double>& g = E().gauge;
  double v = 0;
  for (auto _ : state) g.Record(v += 1);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GaugeRecordNoAttributes);

void BM_GaugeRecordBound(benchmark::State& state) {
  const BoundGauge<double> bound = E().gauge.Bind({{"q", "wal"}});
  double v = 0;
  for (auto _ : state) bound.Record(v += 1);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GaugeRecordBound);

void BM_GaugeRecord3Attributes(benchmark::State& state) {
  Env& e = E();
  std::size_t i = 0;
  for (auto _ : state) {
    e.gauge.Record(static_cast<double>(i), e.sets[i]);
    if (++i == e.sets.size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_GaugeRecord3Attributes);

// ---------------------------------------------------------------------------------------------
// Collection: the whole provider (1000 counter series, 1000 histogram series, a few more) into
// one ResourceMetrics, as a Prometheus scrape or a periodic export does.

void BM_CollectAll(benchmark::State& state) {
  Env& e = E();
  for (auto _ : state) benchmark::DoNotOptimize(e.reader->Collect());
}
BENCHMARK(BM_CollectAll)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace klio::telemetry
