// SetupTelemetry without external peers: disabled means nothing installed and no thread
// started; console exporters for all three signals; a bad exporter value turns off only its
// signal; the Prometheus endpoint (and a port in use); shutdown by the deadline against an
// OTLP endpoint that never answers; a second setup is refused.
#include "telemetry/setup/setup.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "telemetry/log.h"
#include "telemetry/metrics.h"
#include "telemetry/sdk/logger_provider.h"
#include "telemetry/sdk/meter_provider.h"
#include "telemetry/sdk/tracer_provider.h"
#include "telemetry/trace.h"
#include "testing/process.h"

namespace klio::telemetry::setup {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using Vars = std::map<std::string, std::string, std::less<>>;
using namespace std::chrono_literals;

std::size_t ThreadCount() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

SetupOptions Options(Vars vars) {
  SetupOptions o;
  o.env = MapEnvironment(std::move(vars));
  o.default_service_name = "klio-test";
  return o;
}

std::unique_ptr<Telemetry> MustSetup(SetupOptions options) {
  Result<std::unique_ptr<Telemetry>> t = SetupTelemetry(std::move(options));
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? std::move(*t) : nullptr;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SetupTest, NothingSetInstallsNothingAndStartsNoThread) {
  for (const Vars& vars : {Vars{}, Vars{{"OTEL_SDK_DISABLED", "true"}, {"OTEL_SERVICE_NAME", "x"}},
                           Vars{{"POD_NAME", "p"}}}) {
    const std::size_t threads = ThreadCount();
    std::unique_ptr<Telemetry> t = MustSetup(Options(vars));
    ASSERT_NE(t, nullptr);
    EXPECT_FALSE(t->enabled());
    EXPECT_EQ(t->tracer_provider(), nullptr);
    EXPECT_EQ(t->meter_provider(), nullptr);
    EXPECT_EQ(t->logger_provider(), nullptr);
    EXPECT_EQ(t->prometheus_port(), 0);
    EXPECT_TRUE(t->resource().attributes.empty());
    EXPECT_EQ(GetTracerProvider(), nullptr);
    EXPECT_EQ(GetMeterProvider(), nullptr);
    EXPECT_FALSE(GetTracer("klio.test").enabled());
    EXPECT_EQ(ThreadCount(), threads);
    EXPECT_TRUE(t->Shutdown(std::chrono::steady_clock::now() + 1s).ok());
  }
}

TEST(SetupTest, ConsoleExportersForEverySignal) {
  testing::TempDir dir("klio-setup");
  const std::string out_path = dir.Join("console.txt");
  const int fd = open(out_path.c_str(), O_CREAT | O_WRONLY | O_APPEND, 0600);
  ASSERT_GE(fd, 0);
  SetupOptions o = Options({{"OTEL_SERVICE_NAME", "klio-console"},
                            {"OTEL_TRACES_EXPORTER", "console"},
                            {"OTEL_METRICS_EXPORTER", "console"},
                            {"OTEL_LOGS_EXPORTER", "console"},
                            {"POD_NAME", "pod-9"}});
  o.console_fd = fd;
  {
    std::unique_ptr<Telemetry> t = MustSetup(std::move(o));
    ASSERT_TRUE(t && t->enabled());
    ASSERT_NE(t->tracer_provider(), nullptr);
    ASSERT_NE(t->meter_provider(), nullptr);
    ASSERT_NE(t->logger_provider(), nullptr);
    EXPECT_EQ(GetTracerProvider(), t->tracer_provider());
    EXPECT_EQ(ResourceString(t->resource(), "k8s.pod.name"), "pod-9");

    Span span = GetTracer("klio.backup").StartSpan("backup");
    span.SetAttribute("backup.name", "b1");
    span.End();
    GetMeter("klio.test").CreateCounter<std::uint64_t>("klio.backup.successes").Add(1);
    log::GetLogger("klio.test").Info("console log line from the setup test");
    EXPECT_TRUE(t->Shutdown(std::chrono::steady_clock::now() + 5s).ok());
  }
  close(fd);
  EXPECT_EQ(GetTracerProvider(), nullptr);  // the destructor uninstalled everything
  EXPECT_EQ(GetMeterProvider(), nullptr);
  const std::string out = ReadAll(out_path);
  EXPECT_THAT(out, AllOf(HasSubstr("span name=backup"), HasSubstr("service=klio-console"),
                         HasSubstr("name=klio.backup.successes"),
                         HasSubstr("name=process.cpu.time"), HasSubstr("name=system.memory.usage"),
                         HasSubstr("console log line from the setup test")));
}

TEST(SetupTest, BadExporterValueTurnsOffOnlyItsSignal) {
  SetupOptions o = Options({{"OTEL_TRACES_EXPORTER", "jaeger"},
                            {"OTEL_METRICS_EXPORTER", "none"},
                            {"OTEL_LOGS_EXPORTER", "console"}});
  o.console_fd = -1;
  std::unique_ptr<Telemetry> t = MustSetup(std::move(o));
  ASSERT_TRUE(t && t->enabled());
  EXPECT_EQ(t->tracer_provider(), nullptr);
  EXPECT_EQ(t->meter_provider(), nullptr);
  EXPECT_NE(t->logger_provider(), nullptr);
  EXPECT_TRUE(t->config().traces.exporters.empty());
}

TEST(SetupTest, SecondSetupIsRefusedWhileTheFirstIsInstalled) {
  const Vars console_traces_only = {{"OTEL_TRACES_EXPORTER", "console"},
                                    {"OTEL_METRICS_EXPORTER", "none"},
                                    {"OTEL_LOGS_EXPORTER", "none"}};
  SetupOptions a = Options(console_traces_only);
  a.console_fd = -1;
  std::unique_ptr<Telemetry> first = MustSetup(std::move(a));
  SetupOptions b = Options(console_traces_only);
  Result<std::unique_ptr<Telemetry>> second = SetupTelemetry(std::move(b));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  first.reset();
  SetupOptions c = Options(console_traces_only);
  c.console_fd = -1;
  EXPECT_NE(MustSetup(std::move(c)), nullptr);
}

TEST(SetupTest, PrometheusEndpointServesRuntimeMetricsAndResource) {
  const int port = testing::FreePort();
  std::unique_ptr<Telemetry> t =
      MustSetup(Options({{"OTEL_SERVICE_NAME", "klio-prom"},
                         {"OTEL_METRICS_EXPORTER", "prometheus"},
                         {"OTEL_TRACES_EXPORTER", "none"},
                         {"OTEL_LOGS_EXPORTER", "none"},
                         {"OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1"},
                         {"OTEL_EXPORTER_PROMETHEUS_PORT", std::to_string(port)}}));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->prometheus_port(), port);
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/metrics");
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->body,
              AllOf(HasSubstr("process_cpu_time_seconds_total{"), HasSubstr("cpu_mode=\"user\""),
                    HasSubstr("system_memory_utilization_ratio{"),
                    HasSubstr("service_name=\"klio-prom\"")));
  EXPECT_TRUE(t->Shutdown(std::chrono::steady_clock::now() + 5s).ok());
  EXPECT_EQ(t->prometheus_port(), 0);
  EXPECT_FALSE(client.Get("/metrics"));
}

TEST(SetupTest, PrometheusPortInUseDropsOnlyTheEndpoint) {
  // Hold a listening socket on the port.
  const int holder = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ASSERT_EQ(bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(holder, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const int port = ntohs(addr.sin_port);

  SetupOptions o = Options({{"OTEL_METRICS_EXPORTER", "prometheus,console"},
                            {"OTEL_TRACES_EXPORTER", "console"},
                            {"OTEL_LOGS_EXPORTER", "none"},
                            {"OTEL_EXPORTER_PROMETHEUS_HOST", "127.0.0.1"},
                            {"OTEL_EXPORTER_PROMETHEUS_PORT", std::to_string(port)}});
  o.console_fd = -1;
  std::unique_ptr<Telemetry> t = MustSetup(std::move(o));
  ASSERT_TRUE(t);
  EXPECT_EQ(t->prometheus_port(), 0);
  EXPECT_NE(t->meter_provider(), nullptr);  // the console reader still works
  EXPECT_NE(t->tracer_provider(), nullptr);
  EXPECT_EQ(t->config().metrics.exporters, std::vector<ExporterKind>{ExporterKind::kConsole});
  close(holder);
}

TEST(SetupTest, ShutdownReturnsByTheDeadlineWhenTheCollectorNeverAnswers) {
  // A listening socket that never accepts: connections hang in the backlog.
  const int holder = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(holder, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(listen(holder, 1), 0);
  socklen_t len = sizeof(addr);
  ASSERT_EQ(getsockname(holder, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  std::unique_ptr<Telemetry> t = MustSetup(Options(
      {{"OTEL_EXPORTER_OTLP_ENDPOINT", endpoint}, {"OTEL_EXPORTER_OTLP_TIMEOUT", "60000"}}));
  ASSERT_TRUE(t);
  for (int i = 0; i < 10; ++i) GetTracer("klio.test").StartSpan("s").End();
  log::GetLogger("klio.test").Info("a line for the hanging collector");
  const auto start = std::chrono::steady_clock::now();
  Status s = t->Shutdown(start + 1500ms);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 3s) << s.ToString();
  t.reset();
  close(holder);
}

}  // namespace
}  // namespace klio::telemetry::setup
