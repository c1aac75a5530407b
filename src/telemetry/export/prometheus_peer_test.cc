// Checks our exposition against the real Prometheus tools (Debian's prometheus 2.42):
// `promtool check metrics` on the text format, and a real Prometheus server scraping our
// endpoint (it negotiates OpenMetrics) and answering queries for the expected series.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "telemetry/export/prometheus.h"
#include "telemetry/export/prometheus_format.h"
#include "telemetry/export/prometheus_testdata.h"
#include "testing/process.h"

namespace klio::telemetry::exporter {
namespace {

using ::testing::HasSubstr;
using Json = nlohmann::json;

constexpr char kPromtool[] = "/usr/bin/promtool";
constexpr char kPrometheus[] = "/usr/bin/prometheus";

bool Executable(const char* path) { return access(path, X_OK) == 0; }

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Runs `promtool check metrics < file` and returns its exit code, output in `output`.
int PromtoolCheck(const testing::TempDir& dir, const std::string& exposition, std::string* output) {
  std::string file = dir.Join("metrics.txt");
  WriteFile(file, exposition);
  testing::SubprocessOptions options;
  options.argv = {"/bin/sh", "-c", std::string(kPromtool) + " check metrics < '" + file + "'"};
  auto rc = testing::RunCommand(options, output, std::chrono::seconds(60));
  EXPECT_TRUE(rc.ok()) << rc.status().ToString();
  return rc.ok() ? *rc : -1;
}

TEST(PromtoolTest, KlioMetricsPassCheckMetrics) {
  if (!Executable(kPromtool)) GTEST_SKIP() << kPromtool << " not installed";
  testing::TempDir dir("klio-promtool");
  std::string output;
  std::string text = FormatPrometheus(testdata::KlioMetrics(), Format::kText004);
  EXPECT_EQ(PromtoolCheck(dir, text, &output), 0) << output << "\n--- exposition:\n" << text;
  EXPECT_THAT(text, HasSubstr("klio_wal_written_size_bytes_total{"));
  EXPECT_THAT(text, HasSubstr("# TYPE klio_wal_latest_written_time_seconds gauge"));
  EXPECT_THAT(text, HasSubstr("# TYPE rpc_server_call_duration_seconds histogram"));
}

TEST(PromtoolTest, ManySeriesPassCheckMetrics) {
  if (!Executable(kPromtool)) GTEST_SKIP() << kPromtool << " not installed";
  testing::TempDir dir("klio-promtool");
  std::string output;
  std::string text = FormatPrometheus(testdata::ManySeries(200), Format::kText004);
  EXPECT_EQ(PromtoolCheck(dir, text, &output), 0) << output;
}

TEST(PromtoolTest, DetectsABrokenExposition) {
  // Guards the check itself: promtool must fail on what we would never emit.
  if (!Executable(kPromtool)) GTEST_SKIP() << kPromtool << " not installed";
  testing::TempDir dir("klio-promtool");
  std::string output;
  EXPECT_NE(PromtoolCheck(dir, "# TYPE a.b counter\na.b 1\n", &output), 0);
}

// A Prometheus server in a temp dir, scraping `target` every second; stopped by PID.
class PrometheusPeer {
 public:
  explicit PrometheusPeer(int target_port) : dir_("klio-prometheus"), port_(testing::FreePort()) {
    WriteFile(dir_.Join("prometheus.yml"),
              "global:\n"
              "  scrape_interval: 1s\n"
              "  scrape_timeout: 1s\n"
              "scrape_configs:\n"
              "  - job_name: klio\n"
              "    static_configs:\n"
              "      - targets: ['127.0.0.1:" +
                  std::to_string(target_port) + "']\n");
  }

  Status Start() {
    testing::SubprocessOptions options;
    options.argv = {kPrometheus, "--config.file=" + dir_.Join("prometheus.yml"),
                    "--storage.tsdb.path=" + dir_.Join("data"),
                    "--web.listen-address=127.0.0.1:" + std::to_string(port_), "--log.level=warn"};
    options.cwd = dir_.path();
    options.log_path = dir_.Join("prometheus.log");
    KLIO_ASSIGN_OR_RETURN(process_, testing::Subprocess::Start(options));
    return testing::WaitFor(
        [&] {
          httplib::Client client("127.0.0.1", port_);
          auto res = client.Get("/-/ready");
          return res && res->status == 200;
        },
        std::chrono::seconds(60), "prometheus ready");
  }

  ~PrometheusPeer() { process_.Stop(std::chrono::seconds(10)); }

  // GET path?query=... on the Prometheus API; the parsed "data" member, or null.
  Json Api(const std::string& path, const httplib::Params& params = {}) {
    httplib::Client client("127.0.0.1", port_);
    client.set_read_timeout(10, 0);
    auto res = client.Get(path, params, httplib::Headers{});
    if (!res || res->status != 200) return Json();
    Json body = Json::parse(res->body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object() || body.value("status", "") != "success") return Json();
    return body["data"];
  }

  // The value of an instant query returning exactly one series, or "" otherwise.
  std::string QueryOne(const std::string& promql) {
    Json data = Api("/api/v1/query", {{"query", promql}});
    if (!data.is_object() || !data["result"].is_array() || data["result"].size() != 1) return "";
    return data["result"][0]["value"][1].get<std::string>();
  }

  std::string Log() const { return testing::ReadFileOrEmpty(dir_.Join("prometheus.log")); }

 private:
  testing::TempDir dir_;
  int port_;
  testing::Subprocess process_;
};

TEST(PrometheusPeerTest, RealPrometheusScrapesOurEndpoint) {
  if (!Executable(kPrometheus)) GTEST_SKIP() << kPrometheus << " not installed";
  PrometheusServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  PrometheusServer server(options, [] { return testdata::KlioMetrics(); });
  ASSERT_TRUE(server.Start().ok());

  PrometheusPeer prometheus(server.port());
  Status started = prometheus.Start();
  ASSERT_TRUE(started.ok()) << started.ToString() << "\n" << prometheus.Log();

  Status up =
      testing::WaitFor([&] { return prometheus.QueryOne("up{job=\"klio\"}") == "1"; },
                       std::chrono::seconds(60), "target up", std::chrono::milliseconds(250));
  Json targets = prometheus.Api("/api/v1/targets");
  ASSERT_TRUE(up.ok()) << up.ToString() << "\ntargets: " << targets.dump() << "\n"
                       << prometheus.Log();
  ASSERT_TRUE(targets["activeTargets"].is_array());
  ASSERT_EQ(targets["activeTargets"].size(), 1u);
  EXPECT_EQ(targets["activeTargets"][0]["health"], "up");
  EXPECT_EQ(targets["activeTargets"][0]["lastError"], "");
  EXPECT_GE(server.scrapes(), 1u);

  // The series a dashboard or alert rule relies on, by exact name and labels.
  const std::string scope = R"(otel_scope_name="klio.server",otel_scope_version="0.1.0")";
  const std::string cluster = R"(cluster_name="cluster-example")";
  EXPECT_EQ(prometheus.QueryOne("klio_wal_written_size_bytes_total{" + cluster + "," + scope + "}"),
            "3355443200");
  EXPECT_EQ(prometheus.QueryOne("klio_wal_written_total{" + cluster + "}"), "200");
  EXPECT_EQ(prometheus.QueryOne("klio_wal_latest_written_time_seconds{" + cluster + "}"),
            "1700000059.25");
  EXPECT_EQ(prometheus.QueryOne("klio_queue_bytes"), "1048576");
  EXPECT_EQ(prometheus.QueryOne("klio_backup_latest_duration_seconds"), "420.125");
  EXPECT_EQ(prometheus.QueryOne("klio_backup_successes_total{otel_scope_name=\"klio.sidecar\"}"),
            "12");
  EXPECT_EQ(prometheus.QueryOne("process_memory_usage_bytes"), "52428800");
  EXPECT_EQ(prometheus.QueryOne("system_cpu_utilization_ratio"), "0.25");
  EXPECT_EQ(prometheus.QueryOne("process_cpu_time_seconds_total"), "12.5");
  const std::string rpc = R"(rpc_method="klio.v1.WalService/Stream",rpc_system_name="grpc")";
  EXPECT_EQ(prometheus.QueryOne("rpc_server_call_duration_seconds_count{" + rpc + "}"), "40");
  EXPECT_EQ(prometheus.QueryOne("rpc_server_call_duration_seconds_sum{" + rpc + "}"), "3.2");
  EXPECT_EQ(prometheus.QueryOne("rpc_server_call_duration_seconds_bucket{le=\"+Inf\"}"), "40");
  // A quantile computed by Prometheus from our cumulative buckets lands in the right bucket.
  std::string p50 =
      prometheus.QueryOne("histogram_quantile(0.5, rpc_server_call_duration_seconds_bucket)");
  ASSERT_FALSE(p50.empty());
  EXPECT_GT(std::stod(p50), 0.005);
  EXPECT_LE(std::stod(p50), 0.025);
  // The resource, joined to the scrape's own job/instance labels.
  EXPECT_EQ(prometheus.QueryOne(
                "target_info{job=\"klio\",service_name=\"klio-server\",host_name=\"klio-0\"}"),
            "1");

  // Prometheus negotiated OpenMetrics, so metadata is keyed by family name.
  Json meta = prometheus.Api("/api/v1/metadata");
  ASSERT_TRUE(meta.is_object()) << prometheus.Log();
  ASSERT_TRUE(meta.contains("klio_wal_written_size_bytes")) << meta.dump();
  EXPECT_EQ(meta["klio_wal_written_size_bytes"][0]["type"], "counter");
  EXPECT_EQ(meta["klio_wal_written_size_bytes"][0]["unit"], "bytes");
  ASSERT_TRUE(meta.contains("rpc_server_call_duration_seconds"));
  EXPECT_EQ(meta["rpc_server_call_duration_seconds"][0]["type"], "histogram");
  ASSERT_TRUE(meta.contains("target"));
  EXPECT_EQ(meta["target"][0]["type"], "info");

  // Nothing was dropped by the scrape: every sample we expose was ingested.
  std::string scraped = prometheus.QueryOne("scrape_samples_scraped{job=\"klio\"}");
  const std::string om = FormatPrometheus(testdata::KlioMetrics(), Format::kOpenMetrics);
  size_t samples = 0;
  for (size_t pos = 0; pos < om.size();) {
    size_t end = om.find('\n', pos);
    if (om[pos] != '#') ++samples;
    pos = end + 1;
  }
  EXPECT_EQ(scraped, std::to_string(samples));
  server.Stop();
}

}  // namespace
}  // namespace klio::telemetry::exporter
