// Table tests of OTLP exporter options from the environment (otel-reference §1.7): endpoint
// rules for base and per-signal URLs, gRPC targets and TLS, precedence, defaults, headers,
// and every kind of bad value.
#include "telemetry/export/otlp_options.h"

#include <gtest/gtest.h>

#include <map>

namespace klio::telemetry::exporter {
namespace {

using Env = std::map<std::string, std::string>;

EnvGetter Getter(const Env& env) {
  return [env](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    if (it == env.end()) return std::nullopt;
    return it->second;
  };
}

Result<OtlpOptions> Load(Signal signal, const Env& env) {
  return OtlpOptionsFromEnv(signal, Getter(env));
}

struct EndpointCase {
  Env env;
  Signal signal;
  std::string want_endpoint;
  bool want_tls;
};

TEST(OtlpOptionsTest, EndpointRules) {
  const std::vector<EndpointCase> cases = {
      // Defaults.
      {{}, Signal::kTraces, "http://localhost:4318/v1/traces", false},
      {{}, Signal::kMetrics, "http://localhost:4318/v1/metrics", false},
      {{}, Signal::kLogs, "http://localhost:4318/v1/logs", false},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}}, Signal::kTraces, "localhost:4317", false},
      // Base URL: exactly one '/' before v1/<signal>.
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}},
       Signal::kTraces,
       "http://collector:4318/v1/traces",
       false},
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318"}},
       Signal::kMetrics,
       "http://collector:4318/v1/metrics",
       false},
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/mycollector/"}},
       Signal::kTraces,
       "http://collector:4318/mycollector/v1/traces",
       false},
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318/mycollector"}},
       Signal::kLogs,
       "http://collector:4318/mycollector/v1/logs",
       false},
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "https://c.example.com"}},
       Signal::kTraces,
       "https://c.example.com/v1/traces",
       true},
      // Per-signal URL: verbatim; only an empty path becomes "/".
      {{{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://collector:4318"}},
       Signal::kTraces,
       "http://collector:4318/",
       false},
      {{{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "https://c.example.com/v1/metrics/"}},
       Signal::kMetrics,
       "https://c.example.com/v1/metrics/",
       true},
      {{{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://c:1/custom/logs"}},
       Signal::kLogs,
       "http://c:1/custom/logs",
       false},
      {{{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://c:1?x=1"}},
       Signal::kTraces,
       "http://c:1/?x=1",
       false},
      // Per-signal wins over base; another signal's variable is ignored.
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:4318"},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4318/t"}},
       Signal::kTraces,
       "http://traces:4318/t",
       false},
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:4318"},
        {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:4318/t"}},
       Signal::kMetrics,
       "http://base:4318/v1/metrics",
       false},
      {{{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://logs:1"}},
       Signal::kTraces,
       "http://localhost:4318/v1/traces",
       false},
      // Empty means unset.
      {{{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://base:1"}},
       Signal::kTraces,
       "http://base:1/v1/traces",
       false},
      // gRPC: no path ever; the scheme decides TLS and beats INSECURE.
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317"}},
       Signal::kTraces,
       "collector:4317",
       false},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4317/ignored/path"}},
       Signal::kMetrics,
       "collector:4317",
       true},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "https://collector:4317"},
        {"OTEL_EXPORTER_OTLP_INSECURE", "true"}},
       Signal::kTraces,
       "collector:4317",
       true},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"}},
       Signal::kTraces,
       "collector:4317",
       true},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"},
        {"OTEL_EXPORTER_OTLP_INSECURE", "TRUE"}},
       Signal::kTraces,
       "collector:4317",
       false},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "dns:///collector:4317"},
        {"OTEL_EXPORTER_OTLP_LOGS_INSECURE", "true"},
        {"OTEL_EXPORTER_OTLP_INSECURE", "false"}},
       Signal::kLogs,
       "dns:///collector:4317",
       false},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"},
        {"OTEL_EXPORTER_OTLP_SPAN_INSECURE", "true"}},
       Signal::kTraces,
       "collector:4317",
       false},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"},
        {"OTEL_EXPORTER_OTLP_METRIC_INSECURE", "true"}},
       Signal::kMetrics,
       "collector:4317",
       false},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4317"},
        {"OTEL_EXPORTER_OTLP_METRIC_INSECURE", "true"}},
       Signal::kLogs,
       "collector:4317",
       true},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_TRACES_INSECURE", "false"},
        {"OTEL_EXPORTER_OTLP_SPAN_INSECURE", "true"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT", "c:1"}},
       Signal::kTraces,
       "c:1",
       true},
      // INSECURE has no effect on HTTP (the scheme decides).
      {{{"OTEL_EXPORTER_OTLP_INSECURE", "true"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "https://c:1"}},
       Signal::kTraces,
       "https://c:1/v1/traces",
       true},
      // Protocol: per-signal over general.
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf"}},
       Signal::kMetrics,
       "http://localhost:4318/v1/metrics",
       false},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"},
        {"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf"}},
       Signal::kTraces,
       "localhost:4317",
       false},
      {{{"OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "GRPC"}}, Signal::kTraces, "localhost:4317", false},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    Result<OtlpOptions> o = Load(c.signal, c.env);
    ASSERT_TRUE(o.ok()) << "case " << i << ": " << o.status().ToString();
    EXPECT_EQ(o->endpoint, c.want_endpoint) << "case " << i;
    EXPECT_EQ(o->use_tls, c.want_tls) << "case " << i;
  }
}

TEST(OtlpOptionsTest, Defaults) {
  Result<OtlpOptions> o = Load(Signal::kMetrics, {});
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->signal, Signal::kMetrics);
  EXPECT_EQ(o->protocol, OtlpProtocol::kHttpProtobuf);
  EXPECT_EQ(o->compression, Compression::kNone);
  EXPECT_EQ(o->timeout, std::chrono::milliseconds(10000));
  EXPECT_TRUE(o->headers.empty());
  EXPECT_TRUE(o->certificate_file.empty());
  EXPECT_TRUE(o->client_certificate_file.empty());
  EXPECT_TRUE(o->client_key_file.empty());
  EXPECT_EQ(o->temporality, TemporalityPreference::kCumulative);
  EXPECT_EQ(o->max_request_bytes, 64u << 20);
}

TEST(OtlpOptionsTest, ScalarOptionsAndPrecedence) {
  const Env env = {
      {"OTEL_EXPORTER_OTLP_COMPRESSION", "gzip"},
      {"OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "none"},
      {"OTEL_EXPORTER_OTLP_TIMEOUT", "2500"},
      {"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "0"},
      {"OTEL_EXPORTER_OTLP_CERTIFICATE", "/etc/ca.pem"},
      {"OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE", "/etc/traces-ca.pem"},
      {"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE", "/etc/client.pem"},
      {"OTEL_EXPORTER_OTLP_CLIENT_KEY", "/etc/client.key"},
      {"OTEL_EXPORTER_OTLP_LOGS_CLIENT_KEY", "/etc/logs.key"},
      {"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "Delta"},
  };
  Result<OtlpOptions> traces = Load(Signal::kTraces, env);
  Result<OtlpOptions> metrics = Load(Signal::kMetrics, env);
  Result<OtlpOptions> logs = Load(Signal::kLogs, env);
  ASSERT_TRUE(traces.ok() && metrics.ok() && logs.ok());
  EXPECT_EQ(traces->compression, Compression::kGzip);
  EXPECT_EQ(logs->compression, Compression::kNone);
  EXPECT_EQ(traces->timeout, std::chrono::milliseconds(2500));
  EXPECT_EQ(metrics->timeout, std::chrono::milliseconds(2147483647));  // 0 = no limit
  EXPECT_EQ(traces->certificate_file, "/etc/traces-ca.pem");
  EXPECT_EQ(metrics->certificate_file, "/etc/ca.pem");
  EXPECT_EQ(traces->client_certificate_file, "/etc/client.pem");
  EXPECT_EQ(traces->client_key_file, "/etc/client.key");
  EXPECT_EQ(logs->client_key_file, "/etc/logs.key");
  EXPECT_EQ(metrics->temporality, TemporalityPreference::kDelta);
  EXPECT_EQ(traces->temporality, TemporalityPreference::kCumulative);  // metrics only

  Result<OtlpOptions> low =
      Load(Signal::kMetrics, {{"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "lowmemory"}});
  ASSERT_TRUE(low.ok());
  EXPECT_EQ(low->temporality, TemporalityPreference::kLowMemory);
}

TEST(OtlpOptionsTest, HeadersMergedPerSignalWins) {
  const Env env = {
      {"OTEL_EXPORTER_OTLP_HEADERS", "api-key=general, x-tenant = a%20b ,Authorization=Bearer%3Dx"},
      {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "API-KEY=traces,x-extra=1,"},
  };
  Result<OtlpOptions> traces = Load(Signal::kTraces, env);
  ASSERT_TRUE(traces.ok()) << traces.status().ToString();
  using H = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(traces->headers, (H{{"api-key", "traces"},
                                {"x-tenant", "a b"},
                                {"Authorization", "Bearer=x"},
                                {"x-extra", "1"}}));
  Result<OtlpOptions> logs = Load(Signal::kLogs, env);
  ASSERT_TRUE(logs.ok());
  EXPECT_EQ(logs->headers,
            (H{{"api-key", "general"}, {"x-tenant", "a b"}, {"Authorization", "Bearer=x"}}));
}

TEST(OtlpOptionsTest, HeaderValueMayContainEqualsAndEmpty) {
  auto h = ParseOtlpHeaders("a=b=c,empty=", "V");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 2u);
  EXPECT_EQ((*h)[0].second, "b=c");
  EXPECT_EQ((*h)[1].second, "");
}

struct BadCase {
  Env env;
  Signal signal;
  StatusCode code;
  std::string variable;       // must be named in the message
  std::string accepted;       // must be listed in the message
  std::string must_not_show;  // a secret that must not leak
};

TEST(OtlpOptionsTest, BadValuesNameTheVariableAndAcceptedValues) {
  const std::vector<BadCase> cases = {
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"}},
       Signal::kTraces,
       StatusCode::kUnimplemented,
       "OTEL_EXPORTER_OTLP_PROTOCOL",
       "grpc, http/protobuf",
       ""},
      {{{"OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "udp"}},
       Signal::kLogs,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
       "grpc, http/protobuf",
       ""},
      {{{"OTEL_EXPORTER_OTLP_ENDPOINT", "collector:4318"}},
       Signal::kTraces,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_ENDPOINT",
       "http://",
       ""},
      {{{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "ftp://c/x"}},
       Signal::kTraces,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
       "https://",
       ""},
      {{{"OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "http://"}},
       Signal::kMetrics,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
       "http://",
       ""},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_ENDPOINT", "http://"}},
       Signal::kTraces,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_ENDPOINT",
       "host:port",
       ""},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_INSECURE", "yes"}},
       Signal::kTraces,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_INSECURE",
       "true, false",
       ""},
      {{{"OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"}, {"OTEL_EXPORTER_OTLP_METRICS_INSECURE", "1"}},
       Signal::kMetrics,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_METRICS_INSECURE",
       "true, false",
       ""},
      {{{"OTEL_EXPORTER_OTLP_COMPRESSION", "zstd"}},
       Signal::kTraces,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_COMPRESSION",
       "gzip, none",
       ""},
      {{{"OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "deflate"}},
       Signal::kMetrics,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION",
       "gzip, none",
       ""},
      {{{"OTEL_EXPORTER_OTLP_TIMEOUT", "-1"}},
       Signal::kTraces,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_TIMEOUT",
       "milliseconds",
       ""},
      {{{"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "10s"}},
       Signal::kLogs,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT",
       "milliseconds",
       ""},
      {{{"OTEL_EXPORTER_OTLP_TIMEOUT", "2147483648"}},
       Signal::kTraces,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_TIMEOUT",
       "2147483647",
       ""},
      {{{"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "sometimes"}},
       Signal::kMetrics,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE",
       "cumulative, delta, lowmemory",
       ""},
      {{{"OTEL_EXPORTER_OTLP_HEADERS", "api-key=s3cr3t,novalue"}},
       Signal::kTraces,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_HEADERS",
       "key=value",
       "s3cr3t"},
      {{{"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "bad key=s3cr3t"}},
       Signal::kTraces,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
       "token",
       "s3cr3t"},
      {{{"OTEL_EXPORTER_OTLP_LOGS_HEADERS", "k=s3cr3t%zz"}},
       Signal::kLogs,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_LOGS_HEADERS",
       "%-escape",
       "s3cr3t"},
      {{{"OTEL_EXPORTER_OTLP_HEADERS", "k=s3cr3t%4"}},
       Signal::kMetrics,
       StatusCode::kInvalidArgument,
       "OTEL_EXPORTER_OTLP_HEADERS",
       "%-escape",
       "s3cr3t"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    Result<OtlpOptions> o = Load(c.signal, c.env);
    ASSERT_FALSE(o.ok()) << "case " << i;
    const std::string msg = o.status().message();
    EXPECT_EQ(o.status().code(), c.code) << "case " << i << ": " << msg;
    EXPECT_NE(msg.find(c.variable), std::string::npos) << "case " << i << ": " << msg;
    EXPECT_NE(msg.find(c.accepted), std::string::npos) << "case " << i << ": " << msg;
    if (!c.must_not_show.empty()) {
      EXPECT_EQ(msg.find(c.must_not_show), std::string::npos) << "case " << i << ": " << msg;
    } else if (c.code == StatusCode::kInvalidArgument) {
      // The bad value is echoed (otel-reference §1.1) unless it may be a secret.
      const std::string& value = c.env.at(c.variable);
      EXPECT_NE(msg.find(value), std::string::npos) << "case " << i << ": " << msg;
    }
  }
}

TEST(OtlpOptionsTest, BadValueOfAnotherSignalIsIgnored) {
  EXPECT_TRUE(Load(Signal::kTraces, {{"OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "zstd"}}).ok());
  EXPECT_TRUE(
      Load(Signal::kTraces, {{"OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE", "x"}}).ok());
  // INSECURE is not read for HTTP.
  EXPECT_TRUE(Load(Signal::kTraces, {{"OTEL_EXPORTER_OTLP_INSECURE", "maybe"}}).ok());
}

TEST(OtlpOptionsTest, SignalNames) {
  EXPECT_EQ(SignalName(Signal::kTraces), "traces");
  EXPECT_EQ(SignalName(Signal::kMetrics), "metrics");
  EXPECT_EQ(SignalName(Signal::kLogs), "logs");
}

}  // namespace
}  // namespace klio::telemetry::exporter
