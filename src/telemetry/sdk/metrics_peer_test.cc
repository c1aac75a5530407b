// The metrics SDK against real peers, end to end:
//  * MeterProvider + PullMetricReader + the real PrometheusServer, scraped over HTTP, the
//    exposition checked by `promtool check metrics` (Debian's Prometheus tools);
//  * MeterProvider + PeriodicMetricReader + OtlpMetricExporter into the Node OTLP receiver,
//    which decodes with the official protobuf definitions: names, units, types, temporality,
//    points and buckets, over http/protobuf and grpc.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "telemetry/export/otlp_exporter.h"
#include "telemetry/export/otlp_options.h"
#include "telemetry/export/prometheus.h"
#include "telemetry/metrics.h"
#include "telemetry/sdk/meter_provider.h"
#include "testing/otlp_fixture.h"
#include "testing/process.h"

namespace klio::telemetry::sdk {
namespace {

using nlohmann::json;
using std::chrono::seconds;
using std::chrono::steady_clock;
using ::testing::HasSubstr;

constexpr char kPromtool[] = "/usr/bin/promtool";

std::shared_ptr<const Resource> TestResource() {
  auto r = std::make_shared<Resource>();
  r->attributes = {{"service.name", "klio-server"}, {"service.instance.id", "db1"}};
  return r;
}

// GET /metrics; the body, or "" after a test failure.
std::string Scrape(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  auto res = client.Get("/metrics");
  if (!res) {
    ADD_FAILURE() << "scrape failed: " << httplib::to_string(res.error());
    return "";
  }
  EXPECT_EQ(res->status, 200);
  return res->body;
}

TEST(MetricsPrometheusPeerTest, ScrapedEndpointPassesPromtool) {
  if (access(kPromtool, X_OK) != 0) GTEST_SKIP() << kPromtool << " not installed";
  auto pull = std::make_unique<PullMetricReader>();
  PullMetricReader* reader = pull.get();
  MeterProviderOptions o;
  o.resource = TestResource();
  o.readers.push_back(std::move(pull));
  MeterProvider provider(std::move(o));
  const Meter meter = provider.GetMeter("klio.server", "0.1.0");

  auto written_size = meter.CreateCounter<std::uint64_t>(
      "klio.wal.written_size", "Number of bytes written to disk for WAL files", "By");
  auto bound = written_size.Bind({{"cluster_name", "c1"}});
  bound.Add(200);
  written_size.Add(100, {{"cluster_name", "c1"}});
  written_size.Add(7, {{"cluster_name", "c2"}});
  meter.CreateCounter<std::uint64_t>("klio.wal.written", "Number of WAL files written").Add(2);
  meter.CreateGauge<double>("klio.wal.latest_written_time", "latest WAL file written", "s")
      .Record(1.7e9, {{"cluster_name", "c1"}});
  meter.CreateUpDownCounter<std::int64_t>("klio.test.inflight", "in flight").Add(-2);
  HistogramAdvice advice;
  advice.explicit_bucket_boundaries = std::vector<double>{0.005, 0.1, 1};
  auto duration = meter.CreateHistogram<double>(
      "rpc.server.call.duration", "Measures the duration of an incoming RPC", "s", advice);
  for (double v : {0.002, 0.2, 3.0}) duration.Record(v, {{"rpc.method", "Send"}});
  std::int64_t messages = 5;
  auto queue = meter.CreateObservableGauge<std::int64_t>(
      "klio.queue.messages", "Number of messages stored in the work queue", "",
      [&](ObservableResult<std::int64_t>& r) { r.Observe(messages); });

  EXPECT_TRUE(queue.enabled());
  exporter::PrometheusServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  exporter::PrometheusServer server(options, [reader] { return reader->Collect(); });
  ASSERT_TRUE(server.Start().ok());

  std::string text = Scrape(server.port());
  klio::testing::TempDir dir("klio-metrics-prom");
  const std::string file = dir.Join("metrics.txt");
  std::ofstream(file, std::ios::binary) << text;
  klio::testing::SubprocessOptions check;
  check.argv = {"/bin/sh", "-c", std::string(kPromtool) + " check metrics < '" + file + "'"};
  std::string output;
  auto rc = klio::testing::RunCommand(check, &output, std::chrono::seconds(60));
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(*rc, 0) << output << "\n--- exposition:\n" << text;

  const std::string scope = R"(otel_scope_name="klio.server",otel_scope_schema_url="",)"
                            R"(otel_scope_version="0.1.0")";
  EXPECT_THAT(text, HasSubstr("# TYPE klio_wal_written_size_bytes_total counter"));
  EXPECT_THAT(text, HasSubstr("klio_wal_written_size_bytes_total{cluster_name=\"c1\"," + scope +
                              "} 300\n"));
  EXPECT_THAT(
      text, HasSubstr("klio_wal_written_size_bytes_total{cluster_name=\"c2\"," + scope + "} 7\n"));
  EXPECT_THAT(text, HasSubstr("klio_wal_written_total{" + scope + "} 2\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE klio_wal_latest_written_time_seconds gauge"));
  EXPECT_THAT(text, HasSubstr("klio_queue_messages{" + scope + "} 5\n"));
  EXPECT_THAT(text, HasSubstr("klio_test_inflight{" + scope + "} -2\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE rpc_server_call_duration_seconds histogram"));
  EXPECT_THAT(text, HasSubstr("rpc_server_call_duration_seconds_bucket{" + scope +
                              ",rpc_method=\"Send\",le=\"0.005\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("rpc_server_call_duration_seconds_bucket{" + scope +
                              ",rpc_method=\"Send\",le=\"+Inf\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("rpc_server_call_duration_seconds_count{" + scope +
                              ",rpc_method=\"Send\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("target_info{"));
  EXPECT_THAT(text, HasSubstr("service_name=\"klio-server\""));

  // Every scrape is a fresh collection; Prometheus gets cumulative totals.
  bound.Add(1);
  messages = 6;
  text = Scrape(server.port());
  EXPECT_THAT(text, HasSubstr("klio_wal_written_size_bytes_total{cluster_name=\"c1\"," + scope +
                              "} 301\n"));
  EXPECT_THAT(text, HasSubstr("klio_queue_messages{" + scope + "} 6\n"));
  EXPECT_EQ(server.scrapes(), 2u);
  server.Stop();
  EXPECT_TRUE(provider.Shutdown(steady_clock::now() + seconds(5)).ok());
}

// ---------------------------------------------------------------------------------------------

json Attr(const json& attributes, std::string_view key) {
  for (const json& kv : attributes) {
    if (kv.value("key", "") == key) return kv.at("value");
  }
  ADD_FAILURE() << "no attribute " << key << " in " << attributes.dump();
  return json::object();
}

// The metric called `name` in the first resource/scope of a decoded request.
json Metric(const json& request, std::string_view name) {
  for (const json& m : request.at("resourceMetrics").at(0).at("scopeMetrics").at(0).at("metrics")) {
    if (m.value("name", "") == name) return m;
  }
  ADD_FAILURE() << "no metric " << name << " in " << request.dump();
  return json::object();
}

class MetricsOtlpPeerTest : public ::testing::TestWithParam<std::string> {
 protected:
  static void SetUpTestSuite() {
    auto r = klio::testing::OtlpReceiver::Start();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    receiver_ = std::move(r).value().release();
  }
  static void TearDownTestSuite() {
    delete receiver_;
    receiver_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(receiver_, nullptr);
    ASSERT_TRUE(receiver_->Clear().ok());
  }

  std::unique_ptr<MetricExporter> Exporter(std::string_view temporality) {
    const bool grpc = GetParam() == "grpc";
    std::map<std::string, std::string> env = {
        {"OTEL_EXPORTER_OTLP_PROTOCOL", grpc ? "grpc" : "http/protobuf"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT",
         grpc ? receiver_->grpc_endpoint() : receiver_->http_endpoint()},
        {"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", std::string(temporality)},
    };
    auto options = exporter::OtlpOptionsFromEnv(
        exporter::Signal::kMetrics, [env](std::string_view name) -> std::optional<std::string> {
          auto it = env.find(std::string(name));
          if (it == env.end()) return std::nullopt;
          return it->second;
        });
    EXPECT_TRUE(options.ok()) << options.status().ToString();
    if (!options.ok()) return nullptr;
    auto made = exporter::MakeOtlpMetricExporter(*options);
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    if (!made.ok()) return nullptr;
    return std::move(made).value();
  }

  static klio::testing::OtlpReceiver* receiver_;
};

klio::testing::OtlpReceiver* MetricsOtlpPeerTest::receiver_ = nullptr;

TEST_P(MetricsOtlpPeerTest, DeltaPreferenceArrivesFieldForField) {
  auto exp = Exporter("delta");
  ASSERT_NE(exp, nullptr);
  auto periodic = std::make_unique<PeriodicMetricReader>(
      std::move(exp), PeriodicMetricReaderOptions{std::chrono::hours(1), seconds(10)});
  MeterProviderOptions o;
  o.resource = TestResource();
  o.readers.push_back(std::move(periodic));
  MeterProvider provider(std::move(o));
  const Meter meter = provider.GetMeter("klio.wal", "0.1.0");

  auto written = meter.CreateCounter<std::uint64_t>("klio.wal.written_size", "WAL bytes", "By")
                     .Bind({{"cluster_name", "c1"}});
  written.Add(100);
  auto depth = meter.CreateUpDownCounter<std::int64_t>("klio.queue.depth", "", "{message}");
  depth.Add(5);
  depth.Add(-2);
  HistogramAdvice advice;
  advice.explicit_bucket_boundaries = std::vector<double>{0.01, 0.1, 1};
  auto duration = meter.CreateHistogram<double>("rpc.server.call.duration", "", "s", advice);
  for (double v : {0.005, 0.05, 2.0}) duration.Record(v);
  meter.CreateGauge<double>("klio.wal.latest_written_time", "", "s").Record(1.5);
  auto cpu = meter.CreateObservableCounter<double>("process.cpu.time", "", "s",
                                                   [](ObservableResult<double>& r) {
                                                     r.Observe(2.5, {{"cpu.mode", "user"}});
                                                   });

  ASSERT_TRUE(provider.ForceFlush(steady_clock::now() + seconds(20)).ok());
  ASSERT_TRUE(receiver_->WaitForRequests("metrics", 1).ok());
  auto received = receiver_->Received("metrics");
  ASSERT_EQ(received.size(), 1u);
  const json& req = received[0].at("request");
  const json& rm = req.at("resourceMetrics").at(0);
  EXPECT_EQ(Attr(rm.at("resource").at("attributes"), "service.name").value("stringValue", ""),
            "klio-server");
  const json& sm = rm.at("scopeMetrics").at(0);
  EXPECT_EQ(sm.at("scope").value("name", ""), "klio.wal");
  EXPECT_EQ(sm.at("scope").value("version", ""), "0.1.0");
  EXPECT_EQ(sm.at("metrics").size(), 5u);

  const json w = Metric(req, "klio.wal.written_size");
  EXPECT_EQ(w.value("unit", ""), "By");
  EXPECT_EQ(w.value("description", ""), "WAL bytes");
  EXPECT_EQ(w.at("sum").value("aggregationTemporality", ""), "AGGREGATION_TEMPORALITY_DELTA");
  EXPECT_TRUE(w.at("sum").value("isMonotonic", false));
  const json& wp = w.at("sum").at("dataPoints").at(0);
  EXPECT_EQ(wp.value("asInt", ""), "100");
  EXPECT_EQ(Attr(wp.at("attributes"), "cluster_name").value("stringValue", ""), "c1");
  const std::string first_time = wp.value("timeUnixNano", "");
  EXPECT_LE(std::stoull(wp.value("startTimeUnixNano", "0")), std::stoull(first_time));

  const json d = Metric(req, "klio.queue.depth");
  EXPECT_EQ(d.value("unit", ""), "{message}");
  EXPECT_EQ(d.at("sum").value("aggregationTemporality", ""),
            "AGGREGATION_TEMPORALITY_CUMULATIVE");  // up-down counters stay cumulative
  EXPECT_FALSE(d.at("sum").value("isMonotonic", false));
  EXPECT_EQ(d.at("sum").at("dataPoints").at(0).value("asInt", ""), "3");

  const json h = Metric(req, "rpc.server.call.duration");
  EXPECT_EQ(h.value("unit", ""), "s");
  EXPECT_EQ(h.at("histogram").value("aggregationTemporality", ""), "AGGREGATION_TEMPORALITY_DELTA");
  const json& hp = h.at("histogram").at("dataPoints").at(0);
  EXPECT_EQ(hp.value("count", ""), "3");
  EXPECT_DOUBLE_EQ(hp.value("sum", 0.0), 2.055);
  EXPECT_EQ(hp.at("bucketCounts"), json({"1", "1", "0", "1"}));
  EXPECT_EQ(hp.at("explicitBounds"), json({0.01, 0.1, 1.0}));
  EXPECT_EQ(hp.value("min", -1.0), 0.005);
  EXPECT_EQ(hp.value("max", -1.0), 2.0);

  const json g = Metric(req, "klio.wal.latest_written_time");
  ASSERT_TRUE(g.contains("gauge")) << g.dump();
  EXPECT_EQ(g.at("gauge").at("dataPoints").at(0).value("asDouble", 0.0), 1.5);

  const json c = Metric(req, "process.cpu.time");
  EXPECT_EQ(c.at("sum").value("aggregationTemporality", ""), "AGGREGATION_TEMPORALITY_DELTA");
  const json& cp = c.at("sum").at("dataPoints").at(0);
  EXPECT_EQ(cp.value("asDouble", 0.0), 2.5);
  EXPECT_EQ(Attr(cp.at("attributes"), "cpu.mode").value("stringValue", ""), "user");

  // Second export: deltas since the first, starting where the first ended.
  written.Add(50);
  duration.Record(0.5);
  ASSERT_TRUE(provider.ForceFlush(steady_clock::now() + seconds(20)).ok());
  ASSERT_TRUE(receiver_->WaitForRequests("metrics", 2).ok());
  received = receiver_->Received("metrics");
  ASSERT_EQ(received.size(), 2u);
  const json& req2 = received[1].at("request");
  const json wp2 = Metric(req2, "klio.wal.written_size").at("sum").at("dataPoints").at(0);
  EXPECT_EQ(wp2.value("asInt", ""), "50");
  EXPECT_EQ(wp2.value("startTimeUnixNano", ""), first_time);
  const json hp2 = Metric(req2, "rpc.server.call.duration").at("histogram").at("dataPoints").at(0);
  EXPECT_EQ(hp2.value("count", ""), "1");
  EXPECT_EQ(hp2.at("bucketCounts"), json({"0", "0", "1", "0"}));
  EXPECT_EQ(hp2.value("min", -1.0), 0.5);
  EXPECT_EQ(Metric(req2, "klio.queue.depth").at("sum").at("dataPoints").at(0).value("asInt", ""),
            "3");
  EXPECT_TRUE(provider.Shutdown(steady_clock::now() + seconds(20)).ok());
  (void)cpu;
}

TEST_P(MetricsOtlpPeerTest, CumulativePreferenceKeepsTotals) {
  auto exp = Exporter("cumulative");
  ASSERT_NE(exp, nullptr);
  auto periodic = std::make_unique<PeriodicMetricReader>(
      std::move(exp), PeriodicMetricReaderOptions{std::chrono::hours(1), seconds(10)});
  MeterProviderOptions o;
  o.readers.push_back(std::move(periodic));
  MeterProvider provider(std::move(o));
  auto c = provider.GetMeter("klio.wal").CreateCounter<double>("klio.wal.written", "", "{file}");
  c.Add(1.5);
  ASSERT_TRUE(provider.ForceFlush(steady_clock::now() + seconds(20)).ok());
  c.Add(1);
  // Shutdown makes the final export.
  ASSERT_TRUE(provider.Shutdown(steady_clock::now() + seconds(20)).ok());
  ASSERT_TRUE(receiver_->WaitForRequests("metrics", 2).ok());
  auto received = receiver_->Received("metrics");
  ASSERT_EQ(received.size(), 2u);
  const json s1 = Metric(received[0].at("request"), "klio.wal.written").at("sum");
  const json s2 = Metric(received[1].at("request"), "klio.wal.written").at("sum");
  EXPECT_EQ(s2.value("aggregationTemporality", ""), "AGGREGATION_TEMPORALITY_CUMULATIVE");
  EXPECT_EQ(s1.at("dataPoints").at(0).value("asDouble", 0.0), 1.5);
  EXPECT_EQ(s2.at("dataPoints").at(0).value("asDouble", 0.0), 2.5);
  EXPECT_EQ(s1.at("dataPoints").at(0).value("startTimeUnixNano", ""),
            s2.at("dataPoints").at(0).value("startTimeUnixNano", ""));
}

INSTANTIATE_TEST_SUITE_P(Transports, MetricsOtlpPeerTest, ::testing::Values("http", "grpc"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace klio::telemetry::sdk
