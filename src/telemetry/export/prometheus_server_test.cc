#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <zlib.h>

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "telemetry/export/prometheus.h"
#include "telemetry/export/prometheus_testdata.h"
#include "testing/process.h"

namespace klio::telemetry::exporter {
namespace {

using ::testing::HasSubstr;

EnvGetter FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(PrometheusEnvTest, Defaults) {
  auto options = PrometheusServerOptionsFromEnv(FakeEnv({}));
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->host, "localhost");
  EXPECT_EQ(options->port, 9464);
  EXPECT_EQ(options->path, "/metrics");
}

TEST(PrometheusEnvTest, EmptyMeansUnset) {
  auto options = PrometheusServerOptionsFromEnv(
      FakeEnv({{"OTEL_EXPORTER_PROMETHEUS_HOST", ""}, {"OTEL_EXPORTER_PROMETHEUS_PORT", ""}}));
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->host, "localhost");
  EXPECT_EQ(options->port, 9464);
}

TEST(PrometheusEnvTest, HostAndPort) {
  auto options = PrometheusServerOptionsFromEnv(FakeEnv(
      {{"OTEL_EXPORTER_PROMETHEUS_HOST", "0.0.0.0"}, {"OTEL_EXPORTER_PROMETHEUS_PORT", " 9100 "}}));
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->host, "0.0.0.0");
  EXPECT_EQ(options->port, 9100);
  options = PrometheusServerOptionsFromEnv(FakeEnv({{"OTEL_EXPORTER_PROMETHEUS_PORT", "0"}}));
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->port, 0);
  options = PrometheusServerOptionsFromEnv(FakeEnv({{"OTEL_EXPORTER_PROMETHEUS_PORT", "65535"}}));
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->port, 65535);
}

TEST(PrometheusEnvTest, BadPortsNameTheVariable) {
  struct Case {
    const char* value;
    const char* reason;
  };
  for (const Case& c : {Case{"abc", "not a decimal number"}, Case{"94x4", "not a decimal number"},
                        Case{"1.5", "not a decimal number"}, Case{"65536", "out of range"},
                        Case{"-1", "out of range"}, Case{"99999999999999999999", "out of range"}}) {
    auto options =
        PrometheusServerOptionsFromEnv(FakeEnv({{"OTEL_EXPORTER_PROMETHEUS_PORT", c.value}}));
    ASSERT_FALSE(options.ok()) << c.value;
    EXPECT_EQ(options.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(options.status().message(), HasSubstr("OTEL_EXPORTER_PROMETHEUS_PORT"));
    EXPECT_THAT(options.status().message(), HasSubstr(c.reason)) << c.value;
    EXPECT_THAT(options.status().message(), HasSubstr(c.value));
  }
  auto bad_host =
      PrometheusServerOptionsFromEnv(FakeEnv({{"OTEL_EXPORTER_PROMETHEUS_HOST", "a b"}}));
  ASSERT_FALSE(bad_host.ok());
  EXPECT_THAT(bad_host.status().message(), HasSubstr("OTEL_EXPORTER_PROMETHEUS_HOST"));
}

TEST(PrometheusNegotiationTest, AcceptHeaders) {
  EXPECT_EQ(NegotiateFormat(""), Format::kText004);
  EXPECT_EQ(NegotiateFormat("*/*"), Format::kText004);
  EXPECT_EQ(NegotiateFormat("text/plain"), Format::kText004);
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text"), Format::kOpenMetrics);
  EXPECT_EQ(NegotiateFormat("application/json"), Format::kText004);  // fallback
  // Prometheus 2.42.
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text;version=1.0.0,application/"
                            "openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;"
                            "q=0.5,*/*;q=0.1"),
            Format::kOpenMetrics);
  // Prometheus 3 (protobuf first, which we do not serve).
  EXPECT_EQ(NegotiateFormat("application/vnd.google.protobuf;proto=io.prometheus.client."
                            "MetricFamily;encoding=delimited;q=0.6,application/openmetrics-text;"
                            "version=1.0.0;escaping=allow-utf-8;q=0.5,application/"
                            "openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;"
                            "escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"),
            Format::kOpenMetrics);
  // q-values win over order; an unknown OpenMetrics version is not ours.
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text;q=0.2, text/plain;q=0.9"),
            Format::kText004);
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text; version=2.0.0"), Format::kText004);
  EXPECT_EQ(NegotiateFormat("application/openmetrics-text;q=0, text/plain"), Format::kText004);
  EXPECT_EQ(NegotiateFormat("APPLICATION/OpenMetrics-Text ; Version=\"1.0.0\""),
            Format::kOpenMetrics);
}

std::string Gunzip(const std::string& in) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) return "<init failed>";
  std::string out(in.size() * 20 + 1024, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "<inflate failed>";
}

class PrometheusServerTest : public ::testing::Test {
 protected:
  PrometheusServerOptions Options() {
    PrometheusServerOptions options;
    options.host = "127.0.0.1";
    options.port = 0;
    return options;
  }
  PrometheusServer::CollectFn Collect() {
    return [this] {
      ++collects_;
      return testdata::KlioMetrics();
    };
  }
  std::atomic<int> collects_{0};
};

TEST_F(PrometheusServerTest, ServesTextByDefault) {
  PrometheusServer server(Options(), Collect());
  ASSERT_TRUE(server.Start().ok());
  ASSERT_GT(server.port(), 0);
  httplib::Client client("127.0.0.1", server.port());
  client.set_decompress(false);
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_FALSE(res->has_header("Content-Encoding"));
  EXPECT_EQ(res->body, FormatPrometheus(testdata::KlioMetrics(), Format::kText004));
  EXPECT_EQ(collects_.load(), 1);
  EXPECT_EQ(server.scrapes(), 1u);
  server.Stop();
}

TEST_F(PrometheusServerTest, NegotiatesOpenMetrics) {
  PrometheusServer server(Options(), Collect());
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/metrics", {{"Accept", "application/openmetrics-text; version=1.0.0"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->get_header_value("Content-Type"),
              HasSubstr("application/openmetrics-text; version=1.0.0; charset=utf-8"));
  EXPECT_TRUE(res->body.ends_with("# EOF\n"));
}

TEST_F(PrometheusServerTest, GzipWhenAskedForBothFormats) {
  PrometheusServer server(Options(), Collect());
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  client.set_decompress(false);
  for (Format format : {Format::kText004, Format::kOpenMetrics}) {
    httplib::Headers headers = {{"Accept-Encoding", "gzip"}};
    if (format == Format::kOpenMetrics) headers.emplace("Accept", "application/openmetrics-text");
    auto res = client.Get("/metrics", headers);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value("Content-Encoding"), "gzip");
    EXPECT_EQ(res->get_header_value_count("Content-Encoding"), 1u);
    std::string plain = Gunzip(res->body);
    EXPECT_EQ(plain, FormatPrometheus(testdata::KlioMetrics(), format));
    EXPECT_LT(res->body.size(), plain.size());
  }
  // Not when the scraper refuses it.
  auto res = client.Get("/metrics", {{"Accept-Encoding", "gzip;q=0, identity"}});
  ASSERT_TRUE(res);
  EXPECT_FALSE(res->has_header("Content-Encoding"));
}

TEST_F(PrometheusServerTest, OtherPathsAndMethods) {
  PrometheusServerOptions options = Options();
  options.path = "/custom.metrics";  // a regex metacharacter must not matter
  PrometheusServer server(options, Collect());
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  EXPECT_EQ(client.Get("/")->status, 404);
  EXPECT_EQ(client.Get("/metrics")->status, 404);
  EXPECT_EQ(client.Get("/customXmetrics")->status, 404);
  EXPECT_EQ(client.Get("/custom.metrics")->status, 200);
  auto post = client.Post("/custom.metrics", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  EXPECT_EQ(collects_.load(), 1);
}

TEST_F(PrometheusServerTest, PortInUseIsAClearError) {
  PrometheusServer first(Options(), Collect());
  ASSERT_TRUE(first.Start().ok());
  PrometheusServerOptions options = Options();
  options.port = first.port();
  PrometheusServer second(options, Collect());
  Status status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("already in use"));
  EXPECT_THAT(status.message(), HasSubstr("OTEL_EXPORTER_PROMETHEUS_PORT"));
  EXPECT_THAT(status.message(), HasSubstr(std::to_string(first.port())));
  EXPECT_EQ(second.port(), 0);
}

TEST_F(PrometheusServerTest, BadHostAndPath) {
  PrometheusServerOptions options = Options();
  options.host = "no-such-host.invalid";
  Status status = PrometheusServer(options, Collect()).Start();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("OTEL_EXPORTER_PROMETHEUS_HOST"));
  options = Options();
  options.path = "metrics";
  EXPECT_EQ(PrometheusServer(options, Collect()).Start().code(), StatusCode::kInvalidArgument);
}

TEST_F(PrometheusServerTest, LocalhostMeansIpv4Loopback) {
  PrometheusServerOptions options = Options();
  options.host = "localhost";
  PrometheusServer server(options, Collect());
  ASSERT_TRUE(server.Start().ok());
  EXPECT_TRUE(testing::PortOpen(server.port()));
}

TEST_F(PrometheusServerTest, CollectFailureIs500AndWarns) {
  std::vector<std::string> warnings;
  std::mutex mu;
  PrometheusServer server(
      Options(), []() -> sdk::ResourceMetrics { throw std::runtime_error("boom"); },
      [&](std::string_view w) {
        std::lock_guard<std::mutex> lock(mu);
        warnings.emplace_back(w);
      });
  ASSERT_TRUE(server.Start().ok());
  httplib::Client client("127.0.0.1", server.port());
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 500);
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("boom"));
}

TEST_F(PrometheusServerTest, StopIsPromptWithAnIdleKeepAliveConnection) {
  PrometheusServer server(Options(), Collect());
  ASSERT_TRUE(server.Start().ok());
  int port = server.port();
  httplib::Client client("127.0.0.1", port);
  client.set_keep_alive(true);
  ASSERT_TRUE(client.Get("/metrics"));
  auto start = std::chrono::steady_clock::now();
  server.Stop();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(2500));
  EXPECT_FALSE(testing::PortOpen(port));
  EXPECT_EQ(server.port(), 0);
  server.Stop();  // idempotent
  // Restartable.
  ASSERT_TRUE(server.Start().ok());
  EXPECT_TRUE(testing::PortOpen(server.port()));
}

TEST_F(PrometheusServerTest, StopRightAfterStart) {
  for (int i = 0; i < 20; ++i) {
    PrometheusServer server(Options(), Collect());
    ASSERT_TRUE(server.Start().ok());
    server.Stop();
  }
}

TEST_F(PrometheusServerTest, ConcurrentScrapes) {
  PrometheusServer server(Options(), Collect());
  ASSERT_TRUE(server.Start().ok());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      httplib::Client client("127.0.0.1", server.port());
      for (int i = 0; i < 10; ++i) {
        auto res = client.Get("/metrics");
        if (res && res->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_EQ(server.scrapes(), 40u);
}

}  // namespace
}  // namespace klio::telemetry::exporter
