// The environment matrix of env_config.h: enabled/disabled, exporter selection per signal with
// every valid and an invalid value, OTLP options errors, Prometheus options, intervals.
#include "telemetry/setup/env_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace klio::telemetry::setup {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using Vars = std::map<std::string, std::string, std::less<>>;
using Severity = Diagnostic::Severity;
using exporter::OtlpProtocol;
using exporter::Signal;

constexpr ExporterKind kOtlp = ExporterKind::kOtlp;
constexpr ExporterKind kConsole = ExporterKind::kConsole;
constexpr ExporterKind kProm = ExporterKind::kPrometheus;

TelemetryConfig Read(Vars vars) { return ReadTelemetryConfig(MapEnvironment(std::move(vars))); }

std::vector<std::string> Messages(const Diagnostics& d, Severity severity) {
  std::vector<std::string> out;
  for (const Diagnostic& x : d) {
    if (x.severity == severity) out.push_back(x.message);
  }
  return out;
}

TEST(EnvConfigTest, NothingSetIsDisabled) {
  TelemetryConfig c = Read({{"PATH", "/bin"}, {"HOME", "/root"}});
  EXPECT_FALSE(c.enabled);
  EXPECT_EQ(c.disabled_reason, "no OTEL_* variable is set");
  EXPECT_THAT(c.traces.exporters, IsEmpty());
  EXPECT_THAT(c.metrics.exporters, IsEmpty());
  EXPECT_THAT(c.logs.exporters, IsEmpty());
  EXPECT_THAT(c.diagnostics, IsEmpty());
}

TEST(EnvConfigTest, EmptyOtelValuesCountAsUnset) {
  EXPECT_FALSE(Read({{"OTEL_SERVICE_NAME", ""}, {"OTEL_TRACES_EXPORTER", "  "}}).enabled);
  // A non-OTEL variable (Kubernetes names) does not turn telemetry on either.
  EXPECT_FALSE(Read({{"POD_NAME", "p"}, {"NOT_OTEL_X", "1"}, {"OTEL", "1"}}).enabled);
}

TEST(EnvConfigTest, OnlyServiceNameEnablesOtlpForEverySignal) {
  TelemetryConfig c = Read({{"OTEL_SERVICE_NAME", "klio-server"}});
  ASSERT_TRUE(c.enabled);
  EXPECT_THAT(c.traces.exporters, ElementsAre(kOtlp));
  EXPECT_THAT(c.metrics.exporters, ElementsAre(kOtlp));
  EXPECT_THAT(c.logs.exporters, ElementsAre(kOtlp));
  ASSERT_TRUE(c.traces.otlp.has_value());
  EXPECT_EQ(c.traces.otlp->protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(c.traces.otlp->endpoint, "http://localhost:4318/v1/traces");
  EXPECT_EQ(c.metrics.otlp->endpoint, "http://localhost:4318/v1/metrics");
  EXPECT_EQ(c.logs.otlp->endpoint, "http://localhost:4318/v1/logs");
  EXPECT_EQ(c.MetricInterval(kOtlp), std::chrono::milliseconds(60000));
  EXPECT_EQ(c.MetricInterval(kConsole), std::chrono::milliseconds(10000));
  EXPECT_EQ(c.metric_export_timeout, std::chrono::milliseconds(30000));
  EXPECT_THAT(c.diagnostics, IsEmpty());
}

TEST(EnvConfigTest, SdkDisabled) {
  struct Case {
    std::string value;
    bool enabled;
    bool warns;
  };
  const Case cases[] = {
      {"true", false, false}, {"TRUE", false, false}, {"True", false, false},
      {"false", true, false}, {"1", true, true},      {"yes", true, true},
      {"", true, false},
  };
  for (const Case& tc : cases) {
    TelemetryConfig c = Read({{"OTEL_SERVICE_NAME", "s"}, {"OTEL_SDK_DISABLED", tc.value}});
    EXPECT_EQ(c.enabled, tc.enabled) << tc.value;
    if (!tc.enabled) {
      EXPECT_EQ(c.disabled_reason, "OTEL_SDK_DISABLED=true");
    }
    EXPECT_EQ(Messages(c.diagnostics, Severity::kWarn).size(), tc.warns ? 1u : 0u) << tc.value;
  }
  // OTEL_SDK_DISABLED alone is an OTEL_ variable, but it turns everything off.
  EXPECT_FALSE(Read({{"OTEL_SDK_DISABLED", "true"}}).enabled);
}

struct ExporterCase {
  Signal signal;
  std::string value;
  std::vector<ExporterKind> want;
  bool error;
};

TEST(EnvConfigTest, ExporterSelectionMatrix) {
  const ExporterCase cases[] = {
      {Signal::kTraces, "otlp", {kOtlp}, false},
      {Signal::kTraces, "console", {kConsole}, false},
      {Signal::kTraces, "none", {}, false},
      {Signal::kTraces, "OTLP", {kOtlp}, false},
      {Signal::kTraces, " console , otlp ", {kConsole, kOtlp}, false},
      {Signal::kTraces, "otlp,otlp", {kOtlp}, false},
      {Signal::kTraces, "otlp,none", {}, false},
      {Signal::kTraces, "prometheus", {}, true},
      {Signal::kTraces, "zipkin", {}, true},
      {Signal::kTraces, "logging", {}, true},
      {Signal::kMetrics, "otlp", {kOtlp}, false},
      {Signal::kMetrics, "prometheus", {kProm}, false},
      {Signal::kMetrics, "console", {kConsole}, false},
      {Signal::kMetrics, "none", {}, false},
      {Signal::kMetrics, "otlp,prometheus", {kOtlp, kProm}, false},
      {Signal::kMetrics, "prometheus,console,otlp", {kProm, kConsole, kOtlp}, false},
      {Signal::kMetrics, "otlp,statsd", {}, true},
      {Signal::kLogs, "otlp", {kOtlp}, false},
      {Signal::kLogs, "console", {kConsole}, false},
      {Signal::kLogs, "none", {}, false},
      {Signal::kLogs, "prometheus", {}, true},
      {Signal::kLogs, "file", {}, true},
  };
  const char* vars[] = {"OTEL_TRACES_EXPORTER", "OTEL_METRICS_EXPORTER", "OTEL_LOGS_EXPORTER"};
  for (const ExporterCase& tc : cases) {
    const std::string var = vars[static_cast<int>(tc.signal)];
    TelemetryConfig c = Read({{"OTEL_SERVICE_NAME", "s"}, {var, tc.value}});
    SCOPED_TRACE(var + "=" + tc.value);
    ASSERT_TRUE(c.enabled);
    const SignalConfig& sig = tc.signal == Signal::kTraces    ? c.traces
                              : tc.signal == Signal::kMetrics ? c.metrics
                                                              : c.logs;
    EXPECT_EQ(sig.exporters, tc.want);
    EXPECT_EQ(sig.otlp.has_value(), sig.Has(kOtlp));
    std::vector<std::string> errors = Messages(c.diagnostics, Severity::kError);
    if (tc.error) {
      ASSERT_EQ(errors.size(), 1u);
      const std::string accepted = tc.signal == Signal::kMetrics
                                       ? "accepted values: otlp, prometheus, console, none"
                                       : "accepted values: otlp, console, none";
      EXPECT_THAT(errors[0], AllOf(HasSubstr(var), HasSubstr(accepted), HasSubstr(tc.value)));
    } else {
      EXPECT_THAT(errors, IsEmpty());
    }
    // The other signals keep their default.
    for (const SignalConfig* other : {&c.traces, &c.metrics, &c.logs}) {
      if (other != &sig) {
        EXPECT_THAT(other->exporters, ElementsAre(kOtlp));
      }
    }
  }
}

TEST(EnvConfigTest, SignalsAreIndependent) {
  TelemetryConfig c = Read({{"OTEL_TRACES_EXPORTER", "console"},
                            {"OTEL_METRICS_EXPORTER", "prometheus"},
                            {"OTEL_LOGS_EXPORTER", "none"}});
  ASSERT_TRUE(c.enabled);
  EXPECT_THAT(c.traces.exporters, ElementsAre(kConsole));
  EXPECT_FALSE(c.traces.otlp.has_value());
  EXPECT_THAT(c.metrics.exporters, ElementsAre(kProm));
  EXPECT_THAT(c.logs.exporters, IsEmpty());
  EXPECT_EQ(c.prometheus.host, "localhost");
  EXPECT_EQ(c.prometheus.port, 9464);
}

TEST(EnvConfigTest, OtlpProtocolPerSignalOverGeneral) {
  TelemetryConfig c = Read({{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
                            {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf"},
                            {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"}});
  ASSERT_TRUE(c.traces.otlp && c.metrics.otlp && c.logs.otlp);
  EXPECT_EQ(c.traces.otlp->protocol, OtlpProtocol::kGrpc);
  EXPECT_EQ(c.traces.otlp->endpoint, "collector:4317");
  EXPECT_EQ(c.metrics.otlp->protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(c.metrics.otlp->endpoint, "http://collector:4317/v1/metrics");
  EXPECT_EQ(c.logs.otlp->protocol, OtlpProtocol::kGrpc);
}

TEST(EnvConfigTest, InvalidOtlpSettingDisablesOnlyThatSignalsOtlpExporter) {
  TelemetryConfig c = Read({{"OTEL_SERVICE_NAME", "s"},
                            {"OTEL_METRICS_EXPORTER", "otlp,prometheus"},
                            {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/json"},
                            {"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "carrier-pigeon"}});
  EXPECT_THAT(c.traces.exporters, IsEmpty());
  EXPECT_THAT(c.metrics.exporters, ElementsAre(kProm));  // the pull endpoint still works
  EXPECT_THAT(c.logs.exporters, ElementsAre(kOtlp));
  std::vector<std::string> errors = Messages(c.diagnostics, Severity::kError);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0], AllOf(HasSubstr("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"),
                               HasSubstr("carrier-pigeon"), HasSubstr("traces exporter is")));
  EXPECT_THAT(errors[1],
              AllOf(HasSubstr("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"), HasSubstr("http/json")));
}

TEST(EnvConfigTest, OtlpHeaderErrorsNeverEchoTheValue) {
  TelemetryConfig c = Read({{"OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%ZZsecret"}});
  std::vector<std::string> errors = Messages(c.diagnostics, Severity::kError);
  ASSERT_EQ(errors.size(), 3u);  // one per signal
  for (const std::string& e : errors) {
    EXPECT_THAT(e, HasSubstr("OTEL_EXPORTER_OTLP_HEADERS"));
    EXPECT_THAT(e, ::testing::Not(HasSubstr("secret")));
  }
}

TEST(EnvConfigTest, PrometheusHostAndPort) {
  TelemetryConfig c = Read({{"OTEL_METRICS_EXPORTER", "prometheus"},
                            {"OTEL_EXPORTER_PROMETHEUS_HOST", "0.0.0.0"},
                            {"OTEL_EXPORTER_PROMETHEUS_PORT", "19464"}});
  EXPECT_THAT(c.metrics.exporters, ElementsAre(kProm));
  EXPECT_EQ(c.prometheus.host, "0.0.0.0");
  EXPECT_EQ(c.prometheus.port, 19464);

  c = Read({{"OTEL_METRICS_EXPORTER", "prometheus"}, {"OTEL_EXPORTER_PROMETHEUS_PORT", "http"}});
  EXPECT_THAT(c.metrics.exporters, IsEmpty());
  std::vector<std::string> errors = Messages(c.diagnostics, Severity::kError);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_THAT(errors[0], HasSubstr("OTEL_EXPORTER_PROMETHEUS_PORT"));

  // Not read when prometheus is not selected.
  c = Read({{"OTEL_METRICS_EXPORTER", "otlp"}, {"OTEL_EXPORTER_PROMETHEUS_PORT", "http"}});
  EXPECT_THAT(c.diagnostics, IsEmpty());
}

TEST(EnvConfigTest, MetricIntervalAndTimeout) {
  struct Case {
    std::string interval, timeout;
    std::optional<std::chrono::milliseconds> want_interval;
    std::chrono::milliseconds want_timeout;
    std::size_t warnings;
  };
  using std::chrono::milliseconds;
  const Case cases[] = {
      {"", "", std::nullopt, milliseconds(30000), 0},
      {"5000", "2000", milliseconds(5000), milliseconds(2000), 0},
      {"-1", "abc", std::nullopt, milliseconds(30000), 2},
      {"0", "0", std::nullopt, milliseconds(2147483647), 1},
      {"1.5", "99999999999", std::nullopt, milliseconds(30000), 2},
  };
  for (const Case& tc : cases) {
    TelemetryConfig c = Read({{"OTEL_SERVICE_NAME", "s"},
                              {"OTEL_METRIC_EXPORT_INTERVAL", tc.interval},
                              {"OTEL_METRIC_EXPORT_TIMEOUT", tc.timeout}});
    SCOPED_TRACE(tc.interval + " / " + tc.timeout);
    EXPECT_EQ(c.metric_export_interval, tc.want_interval);
    EXPECT_EQ(c.metric_export_timeout, tc.want_timeout);
    EXPECT_EQ(Messages(c.diagnostics, Severity::kWarn).size(), tc.warnings);
  }
  TelemetryConfig c = Read({{"OTEL_METRIC_EXPORT_INTERVAL", "1000"}});
  EXPECT_EQ(c.MetricInterval(kConsole), std::chrono::milliseconds(1000));
  EXPECT_EQ(c.MetricInterval(kOtlp), std::chrono::milliseconds(1000));
}

TEST(EnvConfigTest, PropagatorsApplyEvenWhenDisabled) {
  TelemetryConfig c = Read({{"OTEL_SDK_DISABLED", "true"}, {"OTEL_PROPAGATORS", "baggage,b3"}});
  EXPECT_FALSE(c.enabled);
  EXPECT_FALSE(c.propagators.trace_context);
  EXPECT_TRUE(c.propagators.baggage);
  std::vector<std::string> warnings = Messages(c.diagnostics, Severity::kWarn);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], AllOf(HasSubstr("OTEL_PROPAGATORS"), HasSubstr("b3")));
}

TEST(EnvConfigTest, ConfigFileIsReportedAndIgnored) {
  TelemetryConfig c = Read({{"OTEL_CONFIG_FILE", "/etc/otel.yaml"}});
  EXPECT_TRUE(c.enabled);
  std::vector<std::string> warnings = Messages(c.diagnostics, Severity::kWarn);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("OTEL_CONFIG_FILE"));
}

TEST(EnvConfigTest, ProcessEnvironmentListsNames) {
  ASSERT_EQ(setenv("KLIO_SETUP_TEST_VAR", "x", 1), 0);
  Environment env = ProcessEnvironment();
  std::vector<std::string> names = env.names();
  EXPECT_NE(std::find(names.begin(), names.end(), "KLIO_SETUP_TEST_VAR"), names.end());
  EXPECT_EQ(env.get("KLIO_SETUP_TEST_VAR"), "x");
  EXPECT_EQ(env.get("KLIO_SETUP_TEST_UNSET"), std::nullopt);
  unsetenv("KLIO_SETUP_TEST_VAR");
}

TEST(EnvConfigTest, EnvBoolRules) {
  Diagnostics d;
  EnvGetter env = MapEnvironment({{"A", "true"}, {"B", "False"}, {"C", "on"}, {"D", ""}}).get;
  EXPECT_TRUE(EnvBool(env, "A", false, &d));
  EXPECT_FALSE(EnvBool(env, "B", true, &d));
  EXPECT_FALSE(EnvBool(env, "C", true, &d));
  EXPECT_TRUE(EnvBool(env, "D", true, &d));
  EXPECT_TRUE(EnvBool(env, "UNSET", true, &d));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_THAT(d[0].message, AllOf(HasSubstr("C"), HasSubstr("\"on\"")));
}

}  // namespace
}  // namespace klio::telemetry::setup
