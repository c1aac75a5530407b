// Microbenchmarks for the Prometheus pull path: formatting one collection of 200 series in
// text 0.0.4 and OpenMetrics 1.0, the klio metric set, name translation, and a whole scrape over
// loopback HTTP (collect + format + gzip + transfer). A scrape happens every 15-60 s, so the
// budget is generous; the point is to keep a scrape of a few hundred series well under 1 ms.
#include <benchmark/benchmark.h>
#include <httplib.h>

#include <string>

#include "telemetry/export/prometheus.h"
#include "telemetry/export/prometheus_format.h"
#include "telemetry/export/prometheus_names.h"
#include "telemetry/export/prometheus_testdata.h"

namespace klio::telemetry::exporter {
namespace {

void BM_Format200Series(benchmark::State& state) {
  const sdk::ResourceMetrics metrics = testdata::ManySeries(200);
  const Format format = state.range(0) == 0 ? Format::kText004 : Format::kOpenMetrics;
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = FormatPrometheus(metrics, format);
    bytes = out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetLabel(format == Format::kText004 ? "text-0.0.4" : "openmetrics-1.0");
  state.counters["bytes"] = static_cast<double>(bytes);
  state.counters["series"] = 200;
}
BENCHMARK(BM_Format200Series)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

void BM_FormatKlioMetrics(benchmark::State& state) {
  const sdk::ResourceMetrics metrics = testdata::KlioMetrics();
  for (auto _ : state) benchmark::DoNotOptimize(FormatPrometheus(metrics, Format::kText004));
}
BENCHMARK(BM_FormatKlioMetrics)->Unit(benchmark::kMicrosecond);

void BM_MetricName(benchmark::State& state) {
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        PrometheusMetricName("klio.wal.written_size", "By", NameKind::kMonotonicCounter));
  }
}
BENCHMARK(BM_MetricName);

void BM_Scrape200SeriesHttp(benchmark::State& state) {
  const sdk::ResourceMetrics metrics = testdata::ManySeries(200);
  PrometheusServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  PrometheusServer server(options, [&] { return metrics; });
  if (!server.Start().ok()) {
    state.SkipWithError("server did not start");
    return;
  }
  httplib::Client client("127.0.0.1", server.port());
  client.set_keep_alive(true);
  httplib::Headers headers = {{"Accept", "application/openmetrics-text;version=1.0.0"}};
  if (state.range(0) == 1) headers.emplace("Accept-Encoding", "gzip");
  for (auto _ : state) {
    auto res = client.Get("/metrics", headers);
    if (!res || res->status != 200) {
      state.SkipWithError("scrape failed");
      break;
    }
    benchmark::DoNotOptimize(res->body);
  }
  state.SetLabel(state.range(0) == 1 ? "gzip" : "identity");
  server.Stop();
}
BENCHMARK(BM_Scrape200SeriesHttp)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace klio::telemetry::exporter
