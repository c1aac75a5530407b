// Tracing and logs-bridge hot paths (docs/design/telemetry.md §4.5; anchors in otel-reference
// §6.8). Run the Release build: build-rel/bench/trace_bench. Multi-threaded variants share one
// provider, so they also measure contention on the batch queue.
#include <benchmark/benchmark.h>

#include <memory>

#include "telemetry/log.h"
#include "telemetry/propagation.h"
#include "telemetry/sdk/batch_log_processor.h"
#include "telemetry/sdk/batch_span_processor.h"
#include "telemetry/sdk/logger_provider.h"
#include "telemetry/sdk/testing_exporters.h"
#include "telemetry/sdk/tracer_provider.h"

namespace klio::telemetry {
namespace {

using sdk::BatchSpanProcessor;
using sdk::TracerProvider;

// One provider per sampler, alive for the whole run. The queue is large and the exporter
// discards, so the worker keeps up; drops are reported as a counter when it does not.
struct Bench {
  explicit Bench(std::unique_ptr<sdk::Sampler> sampler) {
    sdk::TracerProviderOptions o;
    o.sampler = std::move(sampler);
    sdk::BatchOptions b;
    b.max_queue_size = 1 << 16;
    auto bsp = std::make_unique<BatchSpanProcessor>(
        std::make_unique<sdk::testing::DiscardingSpanExporter>(), nullptr, b);
    processor = bsp.get();
    o.processors.push_back(std::move(bsp));
    provider = std::make_unique<TracerProvider>(std::move(o));
    tracer = provider->GetTracer("klio.bench");
  }
  std::unique_ptr<TracerProvider> provider;
  BatchSpanProcessor* processor;
  Tracer tracer;
};

Bench& Sampled() {
  static Bench* b = new Bench(sdk::NewAlwaysOnSampler());
  return *b;
}
Bench& Unsampled() {
  static Bench* b = new Bench(sdk::NewAlwaysOffSampler());
  return *b;
}

// Every kFlushEvery iterations, lets the worker drain the queue outside the timed region, so
// the measurement is the enqueue path, not the (cheaper) drop path of a full queue.
constexpr int kFlushEvery = 8192;
void MaybeDrain(benchmark::State& state, Bench& b, int* n) {
  if (++*n % kFlushEvery != 0) return;
  state.PauseTiming();
  (void)b.provider->ForceFlush(std::chrono::steady_clock::now() + std::chrono::seconds(10));
  state.ResumeTiming();
}

void ReportDrops(benchmark::State& state, const Bench& b) {
  if (state.thread_index() == 0) {
    state.counters["dropped"] = static_cast<double>(b.processor->stats().dropped);
  }
}

void BM_NoopSpanStartEnd(benchmark::State& state) {
  Tracer tracer;  // no SDK
  for (auto _ : state) {
    Span span = tracer.StartSpan("op");
    span.End();
    benchmark::DoNotOptimize(span);
  }
}
BENCHMARK(BM_NoopSpanStartEnd)->Threads(1)->Threads(2);

void BM_SampledSpanStartEnd(benchmark::State& state) {
  Bench& b = Sampled();
  int n = 0;
  for (auto _ : state) {
    Span span = b.tracer.StartSpan("op");
    span.End();
    MaybeDrain(state, b, &n);
  }
  ReportDrops(state, b);
}
BENCHMARK(BM_SampledSpanStartEnd)->Threads(1)->Threads(2);

void BM_UnsampledSpanStartEnd(benchmark::State& state) {
  Bench& b = Unsampled();
  for (auto _ : state) {
    Span span = b.tracer.StartSpan("op");
    span.End();
    benchmark::DoNotOptimize(span);
  }
}
BENCHMARK(BM_UnsampledSpanStartEnd)->Threads(1)->Threads(2);

void BM_SampledSpanWith4Attributes(benchmark::State& state) {
  Bench& b = Sampled();
  int n = 0;
  for (auto _ : state) {
    Span span = b.tracer.StartSpan(
        "op", {.attributes = {
                   {"cluster_name", "main"}, {"bytes", 16777216}, {"timeline", 1}, {"ok", true}}});
    span.End();
    MaybeDrain(state, b, &n);
  }
  ReportDrops(state, b);
}
BENCHMARK(BM_SampledSpanWith4Attributes)->Threads(1)->Threads(2);

void BM_SampledChildSpanOfActive(benchmark::State& state) {
  Bench& b = Sampled();
  Span parent = b.tracer.StartSpan("parent");
  Scope scope(parent);
  int n = 0;
  for (auto _ : state) {
    Span span = b.tracer.StartSpan("child");
    span.End();
    MaybeDrain(state, b, &n);
  }
  ReportDrops(state, b);
}
BENCHMARK(BM_SampledChildSpanOfActive)->Threads(1)->Threads(2);

void BM_ScopeActivateDeactivate(benchmark::State& state) {
  Bench& b = Sampled();
  Span span = b.tracer.StartSpan("active");
  for (auto _ : state) {
    Scope scope(span);
    benchmark::ClobberMemory();
  }
}
BENCHMARK(BM_ScopeActivateDeactivate)->Threads(1)->Threads(2);

void BM_IdGeneration(benchmark::State& state) {
  auto gen = sdk::NewRandomIdGenerator();
  for (auto _ : state) {
    benchmark::DoNotOptimize(gen->GenerateTraceId());
    benchmark::DoNotOptimize(gen->GenerateSpanId());
  }
}
BENCHMARK(BM_IdGeneration)->Threads(1)->Threads(2);

void BM_SamplerParentBasedRatio(benchmark::State& state) {
  auto sampler = sdk::NewParentBasedSampler(sdk::NewTraceIdRatioBasedSampler(0.5));
  auto gen = sdk::NewRandomIdGenerator();
  TraceId id = gen->GenerateTraceId();
  Attributes none;
  SpanContext root;
  for (auto _ : state) {
    auto r = sampler->ShouldSample({root, id, "op", SpanKind::kInternal, none, {}});
    benchmark::DoNotOptimize(r.decision);
  }
}
BENCHMARK(BM_SamplerParentBasedRatio);

constexpr std::string_view kTraceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

void BM_TraceparentParse(benchmark::State& state) {
  for (auto _ : state) {
    auto ctx = ParseTraceParent(kTraceParent);
    benchmark::DoNotOptimize(ctx);
  }
}
BENCHMARK(BM_TraceparentParse);

void BM_TraceparentFormat(benchmark::State& state) {
  SpanContext ctx = *ParseTraceParent(kTraceParent);
  char buf[kTraceParentSize];
  for (auto _ : state) {
    FormatTraceParent(ctx, buf);
    benchmark::DoNotOptimize(buf);
  }
}
BENCHMARK(BM_TraceparentFormat);

void BM_TraceContextInjectExtractMetadata(benchmark::State& state) {
  SpanContext ctx = *ParseTraceParent(kTraceParent);
  for (auto _ : state) {
    MapCarrier md;
    InjectTraceContext(ctx, md);
    SpanContext out = ExtractTraceContext(md);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_TraceContextInjectExtractMetadata);

void BM_BaggageParse10(benchmark::State& state) {
  std::string header;
  for (int i = 0; i < 10; ++i) {
    header += "key" + std::to_string(i) + "=value%20" + std::to_string(i) + ",";
  }
  for (auto _ : state) {
    Baggage b = Baggage::Parse(header);
    benchmark::DoNotOptimize(b);
  }
}
BENCHMARK(BM_BaggageParse10);

// A klio::log line with 4 fields and no sink: the baseline the bridge adds to. The log
// output fd is -1, so this is the logger's own work, not write(2).
void BM_LogLineNoSink(benchmark::State& state) {
  log::Options lo = log::CurrentOptions();
  lo.fd = -1;
  log::Configure(lo);
  const log::Logger logger = log::GetLogger("klio.bench.nosink");
  if (log::internal::HasSinks()) {
    state.SkipWithError("a sink is installed (run this benchmark alone)");
    return;
  }
  for (auto _ : state) {
    logger.Info("wal segment archived", {{"cluster_name", "main"},
                                         {"bytes", 16777216},
                                         {"timeline", 1},
                                         {"segment", "000000010000000A000000FE"}});
  }
}
BENCHMARK(BM_LogLineNoSink);

// The same line through the logs bridge into the batch log processor (installed once, so
// this runs after the no-sink baseline).
void BM_LogLineThroughBridge(benchmark::State& state) {
  static sdk::LoggerProvider* provider = [] {
    log::Options lo = log::CurrentOptions();
    lo.fd = -1;
    log::Configure(lo);
    sdk::LoggerProviderOptions o;
    sdk::BatchOptions b = sdk::DefaultBatchLogOptions();
    b.max_queue_size = 1 << 16;
    o.processors.push_back(std::make_unique<sdk::BatchLogRecordProcessor>(
        std::make_unique<sdk::testing::DiscardingLogExporter>(), nullptr, b));
    auto* p = new sdk::LoggerProvider(std::move(o));
    p->InstallLogBridge();
    return p;
  }();
  benchmark::DoNotOptimize(provider);
  const log::Logger logger = log::GetLogger("klio.bench");
  int n = 0;
  for (auto _ : state) {
    logger.Info("wal segment archived", {{"cluster_name", "main"},
                                         {"bytes", 16777216},
                                         {"timeline", 1},
                                         {"segment", "000000010000000A000000FE"}});
    if (++n % kFlushEvery == 0) {
      state.PauseTiming();
      (void)provider->ForceFlush(std::chrono::steady_clock::now() + std::chrono::seconds(10));
      state.ResumeTiming();
    }
  }
}
BENCHMARK(BM_LogLineThroughBridge)->Threads(1)->Threads(2);

}  // namespace
}  // namespace klio::telemetry
