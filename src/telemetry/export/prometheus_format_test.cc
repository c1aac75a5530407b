#include "telemetry/export/prometheus_format.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "telemetry/export/prometheus_testdata.h"

namespace klio::telemetry::exporter {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using namespace testdata;  // NOLINT(google-build-using-namespace): test vocabulary

sdk::ResourceMetrics OneScope(std::vector<sdk::MetricData> metrics, std::string scope = "s",
                              std::string version = "") {
  sdk::ResourceMetrics rm;
  sdk::ScopeMetrics sm;
  sm.scope.name = std::move(scope);
  sm.scope.version = std::move(version);
  sm.metrics = std::move(metrics);
  rm.scopes.push_back(std::move(sm));
  return rm;
}

constexpr char kScope[] = R"(otel_scope_name="s",otel_scope_schema_url="",otel_scope_version="")";

TEST(PrometheusFormatTest, CounterText) {
  auto rm = OneScope({Counter("klio.wal.written_size", "By", "Bytes of WAL",
                              {IntPoint(3355443200, {{"cluster_name", "c1"}})})});
  EXPECT_EQ(FormatPrometheus(rm, Format::kText004),
            "# HELP klio_wal_written_size_bytes_total Bytes of WAL\n"
            "# TYPE klio_wal_written_size_bytes_total counter\n"
            "klio_wal_written_size_bytes_total{cluster_name=\"c1\"," +
                std::string(kScope) + "} 3355443200\n");
}

TEST(PrometheusFormatTest, CounterOpenMetrics) {
  auto rm = OneScope({Counter("klio.wal.written_size", "By", "Bytes of WAL",
                              {IntPoint(3355443200, {{"cluster_name", "c1"}})})});
  EXPECT_EQ(FormatPrometheus(rm, Format::kOpenMetrics),
            "# TYPE klio_wal_written_size_bytes counter\n"
            "# UNIT klio_wal_written_size_bytes bytes\n"
            "# HELP klio_wal_written_size_bytes Bytes of WAL\n"
            "klio_wal_written_size_bytes_total{cluster_name=\"c1\"," +
                std::string(kScope) + "} 3355443200\n# EOF\n");
}

TEST(PrometheusFormatTest, GaugeAndUpDownCounter) {
  auto rm = OneScope({Gauge("klio.wal.latest_written_time", "s", "", {DoublePoint(1.5)}),
                      UpDown("process.memory.usage", "By", "rss", {IntPoint(-3)})});
  EXPECT_EQ(FormatPrometheus(rm, Format::kText004),
            "# TYPE klio_wal_latest_written_time_seconds gauge\n"
            "klio_wal_latest_written_time_seconds{" +
                std::string(kScope) +
                "} 1.5\n"
                "# HELP process_memory_usage_bytes rss\n"
                "# TYPE process_memory_usage_bytes gauge\n"
                "process_memory_usage_bytes{" +
                std::string(kScope) + "} -3\n");
}

TEST(PrometheusFormatTest, UnitLineOnlyWhenNameEndsWithUnit) {
  // `klio_queue_bytes` ends with the unit; a ratio gauge has no unit word; `{file}` neither.
  auto rm = OneScope({Gauge("klio.queue.bytes", "By", "q", {IntPoint(1)}),
                      Gauge("cpu.utilization", "1", "u", {DoublePoint(0.5)}),
                      Counter("files", "{file}", "f", {IntPoint(2)})});
  std::string om = FormatPrometheus(rm, Format::kOpenMetrics);
  EXPECT_THAT(om, HasSubstr("# TYPE klio_queue_bytes gauge\n# UNIT klio_queue_bytes bytes\n"));
  EXPECT_THAT(om, HasSubstr("# TYPE cpu_utilization_ratio gauge\n# HELP"));
  EXPECT_THAT(om, HasSubstr("# TYPE files counter\n# HELP files f\nfiles_total{"));
}

TEST(PrometheusFormatTest, HistogramText) {
  auto rm = OneScope(
      {Histogram("rpc.server.call.duration", "s", "RPC duration",
                 {HistPoint({0.005, 1, 2.5}, {2, 3, 0, 1}, 7.25, {{"rpc.method", "a/b"}})})});
  std::string labels = std::string(kScope) + ",rpc_method=\"a/b\"";
  EXPECT_EQ(FormatPrometheus(rm, Format::kText004),
            "# HELP rpc_server_call_duration_seconds RPC duration\n"
            "# TYPE rpc_server_call_duration_seconds histogram\n"
            "rpc_server_call_duration_seconds_bucket{" +
                labels +
                ",le=\"0.005\"} 2\n"
                "rpc_server_call_duration_seconds_bucket{" +
                labels +
                ",le=\"1\"} 5\n"
                "rpc_server_call_duration_seconds_bucket{" +
                labels +
                ",le=\"2.5\"} 5\n"
                "rpc_server_call_duration_seconds_bucket{" +
                labels +
                ",le=\"+Inf\"} 6\n"
                "rpc_server_call_duration_seconds_sum{" +
                labels +
                "} 7.25\n"
                "rpc_server_call_duration_seconds_count{" +
                labels + "} 6\n");
}

TEST(PrometheusFormatTest, HistogramOpenMetricsUsesFloatLe) {
  auto rm = OneScope({Histogram("d", "s", "", {HistPoint({1, 2.5}, {1, 1, 1}, 4)})});
  std::string om = FormatPrometheus(rm, Format::kOpenMetrics);
  EXPECT_THAT(om, HasSubstr("# TYPE d_seconds histogram\n# UNIT d_seconds seconds\n"));
  EXPECT_THAT(om, HasSubstr("le=\"1.0\"} 1\n"));
  EXPECT_THAT(om, HasSubstr("le=\"2.5\"} 2\n"));
  EXPECT_THAT(om, HasSubstr("le=\"+Inf\"} 3\n"));
}

TEST(PrometheusFormatTest, HistogramWithoutSumOrBoundsAndEmptyLabels) {
  sdk::HistogramPoint p = HistPoint({}, {4}, 0);
  p.sum.reset();
  sdk::ResourceMetrics rm;
  rm.scopes.push_back(sdk::ScopeMetrics{});  // empty scope name: labels still present
  rm.scopes[0].metrics.push_back(Histogram("h", "", "", {p}));
  std::string text = FormatPrometheus(rm, Format::kText004);
  EXPECT_THAT(text, HasSubstr("h_bucket{" + std::string(R"(otel_scope_name="",)") +
                              R"(otel_scope_schema_url="",otel_scope_version="",le="+Inf"} 4)"));
  EXPECT_THAT(text, Not(HasSubstr("h_sum")));
  EXPECT_THAT(text, HasSubstr("h_count{"));
}

TEST(PrometheusFormatTest, InconsistentHistogramIsDroppedAndReported) {
  sdk::HistogramPoint bad_total = HistPoint({1}, {1, 1}, 2);
  bad_total.count = 5;
  sdk::HistogramPoint bad_bounds = HistPoint({2, 1}, {1, 1, 1}, 2);
  sdk::HistogramPoint bad_size = HistPoint({1, 2}, {1, 1}, 2);
  auto rm = OneScope({Histogram("h", "", "", {bad_total, bad_bounds, bad_size})});
  FormatReport report;
  EXPECT_EQ(FormatPrometheus(rm, Format::kText004, &report), "");
  EXPECT_EQ(report.dropped_points, 3u);
  EXPECT_FALSE(report.notes.empty());
}

TEST(PrometheusFormatTest, DeltaTemporalityIsDropped) {
  auto counter = Counter("c", "", "", {IntPoint(1)});
  std::get<sdk::SumData>(counter.data).temporality = sdk::Temporality::kDelta;
  auto hist = Histogram("h", "", "", {HistPoint({1}, {1, 0}, 1)});
  std::get<sdk::HistogramData>(hist.data).temporality = sdk::Temporality::kDelta;
  auto rm = OneScope({counter, hist, Gauge("g", "", "", {IntPoint(1)})});
  FormatReport report;
  std::string text = FormatPrometheus(rm, Format::kText004, &report);
  EXPECT_THAT(text, HasSubstr("# TYPE g gauge"));
  EXPECT_THAT(text, Not(HasSubstr("c_total")));
  EXPECT_THAT(text, Not(HasSubstr("h_bucket")));
  EXPECT_EQ(report.dropped_metrics, 2u);
  ASSERT_EQ(report.notes.size(), 2u);
  EXPECT_THAT(report.notes[0], HasSubstr("delta temporality"));
}

TEST(PrometheusFormatTest, EscapingOfLabelValuesAndHelp) {
  auto rm = OneScope({Gauge("g", "", "line1\nback\\slash \"q\"",
                            {IntPoint(1, {{"path", "C:\\dir \"x\"\nnext"}})})});
  std::string text = FormatPrometheus(rm, Format::kText004);
  EXPECT_THAT(text, HasSubstr("# HELP g line1\\nback\\\\slash \"q\"\n"));
  EXPECT_THAT(text, HasSubstr(R"(g{otel_scope_name="s",otel_scope_schema_url="",)"
                              R"(otel_scope_version="",path="C:\\dir \"x\"\nnext"} 1)"));
  std::string om = FormatPrometheus(rm, Format::kOpenMetrics);
  EXPECT_THAT(om, HasSubstr("# HELP g line1\\nback\\\\slash \\\"q\\\"\n"));
}

TEST(PrometheusFormatTest, LabelNameRulesAndCollisions) {
  // AttributeValue(true): a bare `true` would pick KeyValue's int overload.
  auto rm = OneScope({Gauge("g", "", "",
                            {IntPoint(1, {{"b.key", "2"},
                                          {"a.key", AttributeValue(true)},
                                          {"b-key", "1"},
                                          {"123abc", std::int64_t{5}},
                                          {"...", "dropped"}})})});
  FormatReport report;
  std::string text = FormatPrometheus(rm, Format::kText004, &report);
  // `b-key` < `b.key` in key order, so "1;2".
  EXPECT_THAT(text, HasSubstr(R"(g{a_key="true",b_key="1;2",key_123abc="5",otel_scope_name=)"));
  EXPECT_EQ(report.dropped_attributes, 1u);
}

TEST(PrometheusFormatTest, ScopeLabelsAndAttributes) {
  sdk::ResourceMetrics rm;
  sdk::ScopeMetrics sm;
  sm.scope.name = "klio.server";
  sm.scope.version = "1.2.3";
  sm.scope.schema_url = "https://opentelemetry.io/schemas/1.26.0";
  sm.scope.attributes = {{"component", "wal"}, {"name", "collides"}};
  // A point attribute that would overwrite a scope label is dropped.
  sm.metrics.push_back(Gauge("g", "", "", {IntPoint(1, {{"otel.scope.name", "evil"}})}));
  rm.scopes.push_back(sm);
  FormatReport report;
  EXPECT_EQ(FormatPrometheus(rm, Format::kText004, &report),
            "# TYPE g gauge\n"
            "g{otel_scope_component=\"wal\",otel_scope_name=\"klio.server\","
            "otel_scope_schema_url=\"https://opentelemetry.io/schemas/1.26.0\","
            "otel_scope_version=\"1.2.3\"} 1\n");
  EXPECT_EQ(report.dropped_attributes, 2u);
}

TEST(PrometheusFormatTest, TargetInfo) {
  sdk::ResourceMetrics rm = OneScope({Gauge("g", "", "", {IntPoint(1)})});
  auto resource = std::make_shared<Resource>();
  resource->attributes = {{"service.name", "klio-server"},
                          {"telemetry.sdk.language", "cpp"},
                          {"k8s.pod.name", "klio-0"}};
  rm.resource = resource;
  const std::string labels =
      R"(k8s_pod_name="klio-0",service_name="klio-server",telemetry_sdk_language="cpp")";
  EXPECT_EQ(FormatPrometheus(rm, Format::kText004), "# TYPE g gauge\ng{" + std::string(kScope) +
                                                        "} 1\n"
                                                        "# HELP target_info Target metadata\n"
                                                        "# TYPE target_info gauge\n"
                                                        "target_info{" +
                                                        labels + "} 1\n");
  // OpenMetrics: an info family, first.
  EXPECT_EQ(FormatPrometheus(rm, Format::kOpenMetrics),
            "# TYPE target info\n"
            "# HELP target Target metadata\n"
            "target_info{" +
                labels +
                "} 1\n"
                "# TYPE g gauge\ng{" +
                std::string(kScope) +
                "} 1\n"
                "# EOF\n");
}

TEST(PrometheusFormatTest, EmptyResourceHasNoTargetInfo) {
  sdk::ResourceMetrics rm = OneScope({});
  rm.resource = std::make_shared<Resource>();
  EXPECT_EQ(FormatPrometheus(rm, Format::kText004), "");
  EXPECT_EQ(FormatPrometheus(rm, Format::kOpenMetrics), "# EOF\n");
}

TEST(PrometheusFormatTest, SameNameFromTwoScopesMerges) {
  sdk::ResourceMetrics rm = OneScope({Counter("c", "", "first help", {IntPoint(1)})}, "a");
  sdk::ResourceMetrics other = OneScope({Counter("c", "", "second help", {IntPoint(2)})}, "b");
  rm.scopes.push_back(other.scopes[0]);
  std::string text = FormatPrometheus(rm, Format::kText004);
  EXPECT_EQ(
      text,
      "# HELP c_total first help\n# TYPE c_total counter\n"
      "c_total{otel_scope_name=\"a\",otel_scope_schema_url=\"\",otel_scope_version=\"\"} 1\n"
      "c_total{otel_scope_name=\"b\",otel_scope_schema_url=\"\",otel_scope_version=\"\"} 2\n");
}

TEST(PrometheusFormatTest, TypeConflictDropsTheLaterMetric) {
  // Scope a: gauge `x_total`; scope b: counter `x` (also `x_total`) -> dropped.
  // Scope b: gauge `h_count` clashes with histogram `h`'s `_count` series -> dropped.
  sdk::ResourceMetrics rm = OneScope({Gauge("x_total", "", "", {IntPoint(1)}),
                                      Histogram("h", "", "", {HistPoint({1}, {1, 0}, 0.5)})},
                                     "a");
  sdk::ResourceMetrics other =
      OneScope({Counter("x", "", "", {IntPoint(2)}), Gauge("h.count", "", "", {IntPoint(3)}),
                Gauge("target.info", "", "", {IntPoint(4)})},
               "b");
  rm.scopes.push_back(other.scopes[0]);
  FormatReport report;
  std::string text = FormatPrometheus(rm, Format::kText004, &report);
  EXPECT_THAT(text, HasSubstr("# TYPE x_total gauge\n"));
  EXPECT_THAT(text, Not(HasSubstr("counter")));
  EXPECT_THAT(text, Not(HasSubstr("# TYPE h_count")));
  EXPECT_THAT(text, Not(HasSubstr("target_info")));
  EXPECT_EQ(report.dropped_metrics, 3u);
  ASSERT_EQ(report.notes.size(), 3u);
  EXPECT_THAT(report.notes[0], HasSubstr("conflicts"));
}

TEST(PrometheusFormatTest, DuplicateSeriesKeepTheFirst) {
  auto rm = OneScope({Gauge("g", "", "", {IntPoint(1, {{"a", "x"}}), IntPoint(2, {{"a", "x"}})})});
  FormatReport report;
  std::string text = FormatPrometheus(rm, Format::kText004, &report);
  EXPECT_THAT(text, HasSubstr("} 1\n"));
  EXPECT_THAT(text, Not(HasSubstr("} 2\n")));
  EXPECT_EQ(report.dropped_points, 1u);
}

TEST(PrometheusFormatTest, SpecialValues) {
  auto rm =
      OneScope({Gauge("g", "", "",
                      {DoublePoint(std::numeric_limits<double>::infinity(), {{"k", "1"}}),
                       DoublePoint(-std::numeric_limits<double>::infinity(), {{"k", "2"}}),
                       DoublePoint(std::nan(""), {{"k", "3"}}), DoublePoint(1e21, {{"k", "4"}})})});
  std::string text = FormatPrometheus(rm, Format::kText004);
  EXPECT_THAT(text, HasSubstr("k=\"1\",otel_scope_name=\"s\",otel_scope_schema_url=\"\","
                              "otel_scope_version=\"\"} +Inf\n"));
  EXPECT_THAT(text, HasSubstr("} -Inf\n"));
  EXPECT_THAT(text, HasSubstr("} NaN\n"));
  EXPECT_THAT(text, HasSubstr("} 1e+21\n"));
}

TEST(PrometheusFormatTest, DeterministicOrdering) {
  sdk::ResourceMetrics a =
      OneScope({Gauge("zeta", "", "", {IntPoint(1, {{"k", "b"}}), IntPoint(2, {{"k", "a"}})}),
                Gauge("alpha", "", "", {IntPoint(3)})});
  sdk::ResourceMetrics b =
      OneScope({Gauge("alpha", "", "", {IntPoint(3)}),
                Gauge("zeta", "", "", {IntPoint(2, {{"k", "a"}}), IntPoint(1, {{"k", "b"}})})});
  std::string text = FormatPrometheus(a, Format::kText004);
  EXPECT_EQ(text, FormatPrometheus(b, Format::kText004));
  EXPECT_LT(text.find("alpha"), text.find("zeta"));
  EXPECT_LT(text.find("k=\"a\""), text.find("k=\"b\""));
}

TEST(PrometheusFormatTest, KlioMetricsHaveTheContractNames) {
  std::string text = FormatPrometheus(KlioMetrics(), Format::kText004);
  for (const char* family :
       {"klio_wal_written_size_bytes_total counter", "klio_wal_written_total counter",
        "klio_wal_latest_written_time_seconds gauge", "klio_queue_bytes gauge",
        "klio_backup_latest_duration_seconds gauge", "rpc_server_call_duration_seconds histogram",
        "process_memory_usage_bytes gauge", "system_cpu_utilization_ratio gauge",
        "process_cpu_time_seconds_total counter", "target_info gauge"}) {
    EXPECT_THAT(text, HasSubstr(std::string("# TYPE ") + family + "\n"));
  }
  std::string om = FormatPrometheus(KlioMetrics(), Format::kOpenMetrics);
  EXPECT_TRUE(om.starts_with("# TYPE target info\n"));
  EXPECT_TRUE(om.ends_with("\n# EOF\n"));
}

}  // namespace
}  // namespace klio::telemetry::exporter
