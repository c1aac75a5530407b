// The OTLP exporters against the independent decoder: the Node OTLP receiver
// (klio::testing::OtlpReceiver, official protobuf definitions). Every test runs over
// http/protobuf and grpc, with and without gzip: field mapping of spans, metrics and logs,
// headers, retries (503 then 200, 400 not retried, Retry-After / RetryInfo honoured),
// partial success, and deadlines (a receiver that never answers).
#include "telemetry/export/otlp_exporter.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

#include "testing/otlp_fixture.h"
#include "testing/process.h"

namespace klio::telemetry::exporter {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

struct Param {
  std::string transport;  // "http" or "grpc"
  bool gzip;
};

void PrintTo(const Param& p, std::ostream* os) { *os << p.transport << (p.gzip ? "+gzip" : ""); }

std::string ParamName(const ::testing::TestParamInfo<Param>& info) {
  return info.param.transport + (info.param.gzip ? "_gzip" : "_plain");
}

TraceId Tid(std::uint8_t seed) {
  TraceId id;
  for (std::size_t i = 0; i < 16; ++i) id.bytes[i] = static_cast<std::uint8_t>(seed + i);
  return id;
}
SpanId Sid(std::uint8_t seed) {
  SpanId id;
  for (std::size_t i = 0; i < 8; ++i) id.bytes[i] = static_cast<std::uint8_t>(seed + i);
  return id;
}
std::string Hex(const auto& id) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (std::uint8_t b : id.bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

std::shared_ptr<const InstrumentationScope> Scope(std::string name, std::string version) {
  auto s = std::make_shared<InstrumentationScope>();
  s->name = std::move(name);
  s->version = std::move(version);
  return s;
}

Resource TestResource() {
  Resource r;
  r.attributes = {{"service.name", "klio"}, {"service.instance.id", "db1"}};
  return r;
}

std::vector<sdk::SpanData> TestSpans() {
  sdk::SpanData s;
  s.context.trace_id = Tid(1);
  s.context.span_id = Sid(100);
  s.context.trace_flags = 1;
  s.context.trace_state = "vendor=x";
  s.parent_span_id = Sid(200);
  s.parent_is_remote = true;
  s.name = "backup_run";
  s.kind = sdk::SpanKind::kClient;
  s.start_time_unix_nano = 1'700'000'000'000'000'000ULL;
  s.end_time_unix_nano = 1'700'000'000'500'000'000ULL;
  s.attributes = {{"db.system", "postgresql"},
                  {"klio.attempt", -3},
                  {"klio.full", AttributeValue(true)},
                  {"klio.ratio", AttributeValue(0.5)},
                  {"klio.tags", std::vector<std::string>{"a", "b"}}};
  s.dropped_attributes_count = 1;
  s.events.push_back(sdk::SpanEvent{
      1'700'000'000'100'000'000ULL, "exception", {{"exception.message", "boom"}}, 0});
  s.events.push_back(sdk::SpanEvent{1'700'000'000'200'000'000ULL, "retry", {}, 2});
  s.dropped_events_count = 4;
  sdk::SpanLink link;
  link.context.trace_id = Tid(50);
  link.context.span_id = Sid(60);
  link.context.is_remote = true;
  link.attributes = {{"link.reason", "follows"}};
  s.links.push_back(link);
  s.status_code = sdk::SpanStatusCode::kError;
  s.status_message = "checksum mismatch";
  s.scope = Scope("klio.backup", "0.1.0");

  sdk::SpanData root;
  root.context.trace_id = Tid(7);
  root.context.span_id = Sid(8);
  root.name = "backup";
  root.kind = sdk::SpanKind::kServer;
  root.status_code = sdk::SpanStatusCode::kOk;
  root.scope = Scope("klio.wal", "");
  return {s, root};
}

sdk::ResourceMetrics TestMetrics() {
  sdk::ResourceMetrics rm;
  rm.resource = std::make_shared<const Resource>(TestResource());
  sdk::ScopeMetrics scope;
  scope.scope.name = "klio.wal";
  scope.scope.version = "0.1.0";
  sdk::MetricData gauge{"klio_queue_bytes", "bytes queued", "By", sdk::GaugeData{}};
  std::get<sdk::GaugeData>(gauge.data)
      .points.push_back(sdk::NumberPoint{{{"queue", "wal"}}, 0, 2000, std::int64_t{0}});
  sdk::MetricData counter{"klio.wal.written", "WAL files written", "{file}", sdk::SumData{}};
  std::get<sdk::SumData>(counter.data)
      .points.push_back(sdk::NumberPoint{{}, 1000, 2000, std::int64_t{42}});
  sdk::MetricData updown{"klio.queue.depth", "", "1", sdk::SumData{}};
  auto& ud = std::get<sdk::SumData>(updown.data);
  ud.temporality = sdk::Temporality::kDelta;
  ud.is_monotonic = false;
  ud.points.push_back(sdk::NumberPoint{{}, 1000, 2000, -2.5});
  sdk::MetricData hist{"rpc.server.call.duration", "", "s", sdk::HistogramData{}};
  sdk::HistogramPoint p;
  p.attributes = {{"rpc.method", "Export"}};
  p.start_time_unix_nano = 1000;
  p.time_unix_nano = 2000;
  p.count = 6;
  p.sum = 3.5;
  p.explicit_bounds = {0.1, 1, 10};
  p.bucket_counts = {1, 2, 3, 0};
  p.min = 0.0;
  p.max = 7.25;
  std::get<sdk::HistogramData>(hist.data).points.push_back(p);
  sdk::HistogramPoint no_sum;
  no_sum.start_time_unix_nano = 1000;
  no_sum.time_unix_nano = 2000;
  no_sum.count = 1;
  no_sum.explicit_bounds = {0};
  no_sum.bucket_counts = {1, 0};
  std::get<sdk::HistogramData>(hist.data).points.push_back(no_sum);
  scope.metrics = {gauge, counter, updown, hist};
  rm.scopes.push_back(scope);
  return rm;
}

std::vector<sdk::LogRecordData> TestLogs() {
  sdk::LogRecordData r;
  r.time_unix_nano = 1'700'000'000'000'000'001ULL;
  r.observed_time_unix_nano = 1'700'000'000'000'000'002ULL;
  r.severity_number = 17;
  r.severity_text = "error";
  r.body = "segment 000000010000000000000003: checksum mismatch";
  r.attributes = {{"logger", "klio.wal"}, {"attempt", 2}};
  r.trace_id = Tid(9);
  r.span_id = Sid(10);
  r.trace_flags = 1;
  r.event_name = "wal.corrupt";
  r.scope = Scope("klio.wal", "0.1.0");
  sdk::LogRecordData plain;
  plain.severity_number = 9;
  plain.severity_text = "info";
  plain.body = "started";
  plain.scope = r.scope;
  return {r, plain};
}

// The value object of attribute `key` in a JSON attribute list.
json Attr(const json& attributes, std::string_view key) {
  for (const json& kv : attributes) {
    if (kv.value("key", "") == key) return kv.at("value");
  }
  ADD_FAILURE() << "no attribute " << key << " in " << attributes.dump();
  return json::object();
}

class OtlpExporterPeerTest : public ::testing::TestWithParam<Param> {
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

  const std::string& transport() const { return GetParam().transport; }

  // Options as a user would set them in the environment, plus fast retry timings.
  OtlpOptions Options(Signal signal, const std::map<std::string, std::string>& extra = {}) {
    std::map<std::string, std::string> env = {
        {"OTEL_EXPORTER_OTLP_PROTOCOL", transport() == "grpc" ? "grpc" : "http/protobuf"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT",
         transport() == "grpc" ? receiver_->grpc_endpoint() : receiver_->http_endpoint()},
        {"OTEL_EXPORTER_OTLP_COMPRESSION", GetParam().gzip ? "gzip" : "none"},
        {"OTEL_EXPORTER_OTLP_HEADERS", "x-klio-test=hello%20world,x-tenant=general"},
        {"OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-tenant=traces"},
    };
    for (const auto& [k, v] : extra) env[k] = v;
    Result<OtlpOptions> o = OtlpOptionsFromEnv(signal, [env](std::string_view name) {
      auto it = env.find(std::string(name));
      return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
    });
    EXPECT_TRUE(o.ok()) << o.status().ToString();
    OtlpOptions options = o.value_or(OtlpOptions{});
    options.retry.initial_backoff = milliseconds(20);
    options.retry.max_backoff = milliseconds(50);
    return options;
  }

  std::unique_ptr<OtlpSpanExporter> SpanExporter(const OtlpOptions& options) {
    auto e = MakeOtlpSpanExporter(options, [this](std::string_view w) {
      std::lock_guard lock(warnings_mu_);
      warnings_.emplace_back(w);
    });
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  void ExpectTransportDetails(const json& req) {
    EXPECT_EQ(req.value("transport", ""), transport());
    EXPECT_FALSE(req.contains("decode_error")) << req.dump();
    EXPECT_EQ(req.value("content_encoding", ""), GetParam().gzip ? "gzip" : "identity");
    const json& headers = req.at("headers");
    EXPECT_EQ(headers.value("x-klio-test", ""), "hello world") << headers.dump();
    EXPECT_NE(headers.value("user-agent", "").find("klio-otlp-exporter-cpp/"), std::string::npos)
        << headers.dump();
    if (transport() == "http") {
      EXPECT_EQ(req.value("content_type", ""), "application/x-protobuf");
    }
  }

  static klio::testing::OtlpReceiver* receiver_;
  std::mutex warnings_mu_;
  std::vector<std::string> warnings_;
};

klio::testing::OtlpReceiver* OtlpExporterPeerTest::receiver_ = nullptr;

TEST_P(OtlpExporterPeerTest, SpansArriveFieldForField) {
  auto exporter = SpanExporter(Options(Signal::kTraces));
  ASSERT_NE(exporter, nullptr);
  const auto spans = TestSpans();
  ASSERT_TRUE(exporter->Export(spans, TestResource(), steady_clock::now() + seconds(10)).ok());
  EXPECT_EQ(exporter->Stats().exported_items, 2u);

  const auto received = receiver_->Received("traces");
  ASSERT_EQ(received.size(), 1u);
  const json& req = received[0];
  ExpectTransportDetails(req);
  EXPECT_EQ(req.at("headers").value("x-tenant", ""), "traces");  // per-signal wins
  if (transport() == "http") {
    EXPECT_EQ(req.value("path", ""), "/v1/traces");
  }

  const json& rs = req.at("request").at("resourceSpans").at(0);
  EXPECT_EQ(Attr(rs.at("resource").at("attributes"), "service.name").value("stringValue", ""),
            "klio");
  const json& scope_spans = rs.at("scopeSpans");
  ASSERT_EQ(scope_spans.size(), 2u);
  EXPECT_EQ(scope_spans[0].at("scope").value("name", ""), "klio.backup");
  EXPECT_EQ(scope_spans[0].at("scope").value("version", ""), "0.1.0");
  EXPECT_EQ(scope_spans[1].at("scope").value("name", ""), "klio.wal");

  const json& span = scope_spans[0].at("spans").at(0);
  EXPECT_EQ(span.value("name", ""), "backup_run");
  EXPECT_EQ(span.value("traceId", ""), Hex(Tid(1)));
  EXPECT_EQ(span.value("spanId", ""), Hex(Sid(100)));
  EXPECT_EQ(span.value("parentSpanId", ""), Hex(Sid(200)));
  EXPECT_EQ(span.value("traceState", ""), "vendor=x");
  EXPECT_EQ(span.value("kind", ""), "SPAN_KIND_CLIENT");
  EXPECT_EQ(span.value("startTimeUnixNano", ""), "1700000000000000000");
  EXPECT_EQ(span.value("endTimeUnixNano", ""), "1700000000500000000");
  EXPECT_EQ(span.value("flags", 0), 0x301);
  EXPECT_EQ(span.value("droppedAttributesCount", 0), 1);
  EXPECT_EQ(span.value("droppedEventsCount", 0), 4);
  const json& attrs = span.at("attributes");
  EXPECT_EQ(Attr(attrs, "db.system").value("stringValue", ""), "postgresql");
  EXPECT_EQ(Attr(attrs, "klio.attempt").value("intValue", ""), "-3");
  EXPECT_EQ(Attr(attrs, "klio.full").value("boolValue", false), true);
  EXPECT_EQ(Attr(attrs, "klio.ratio").value("doubleValue", 0.0), 0.5);
  EXPECT_EQ(Attr(attrs, "klio.tags").at("arrayValue").at("values").at(1).value("stringValue", ""),
            "b");
  const json& events = span.at("events");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].value("name", ""), "exception");
  EXPECT_EQ(events[0].value("timeUnixNano", ""), "1700000000100000000");
  EXPECT_EQ(Attr(events[0].at("attributes"), "exception.message").value("stringValue", ""), "boom");
  EXPECT_EQ(events[1].value("droppedAttributesCount", 0), 2);
  const json& link = span.at("links").at(0);
  EXPECT_EQ(link.value("traceId", ""), Hex(Tid(50)));
  EXPECT_EQ(link.value("spanId", ""), Hex(Sid(60)));
  EXPECT_EQ(link.value("flags", 0), 0x300);
  EXPECT_EQ(Attr(link.at("attributes"), "link.reason").value("stringValue", ""), "follows");
  EXPECT_EQ(span.at("status").value("code", ""), "STATUS_CODE_ERROR");
  EXPECT_EQ(span.at("status").value("message", ""), "checksum mismatch");

  const json& root = scope_spans[1].at("spans").at(0);
  EXPECT_EQ(root.value("name", ""), "backup");
  EXPECT_EQ(root.value("kind", ""), "SPAN_KIND_SERVER");
  EXPECT_FALSE(root.contains("parentSpanId") && !root.at("parentSpanId").get<std::string>().empty())
      << root.dump();
  EXPECT_EQ(root.value("flags", 0), 0x100);
  EXPECT_EQ(root.at("status").value("code", ""), "STATUS_CODE_OK");
  EXPECT_TRUE(exporter->Shutdown(steady_clock::now() + seconds(5)).ok());
}

TEST_P(OtlpExporterPeerTest, MetricsArriveFieldForField) {
  auto made = MakeOtlpMetricExporter(Options(Signal::kMetrics));
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  auto exporter = std::move(made).value();
  ASSERT_TRUE(exporter->Export(TestMetrics(), steady_clock::now() + seconds(10)).ok());
  EXPECT_EQ(exporter->Stats().exported_items, 5u);

  const auto received = receiver_->Received("metrics");
  ASSERT_EQ(received.size(), 1u);
  ExpectTransportDetails(received[0]);
  EXPECT_EQ(received[0].at("headers").value("x-tenant", ""), "general");
  const json& rm = received[0].at("request").at("resourceMetrics").at(0);
  EXPECT_EQ(
      Attr(rm.at("resource").at("attributes"), "service.instance.id").value("stringValue", ""),
      "db1");
  const json& sm = rm.at("scopeMetrics").at(0);
  EXPECT_EQ(sm.at("scope").value("name", ""), "klio.wal");
  const json& metrics = sm.at("metrics");
  ASSERT_EQ(metrics.size(), 4u);

  EXPECT_EQ(metrics[0].value("name", ""), "klio_queue_bytes");
  EXPECT_EQ(metrics[0].value("unit", ""), "By");
  EXPECT_EQ(metrics[0].value("description", ""), "bytes queued");
  const json& gp = metrics[0].at("gauge").at("dataPoints").at(0);
  EXPECT_EQ(gp.value("asInt", ""), "0");
  EXPECT_EQ(gp.value("timeUnixNano", ""), "2000");
  EXPECT_EQ(Attr(gp.at("attributes"), "queue").value("stringValue", ""), "wal");

  const json& counter = metrics[1].at("sum");
  EXPECT_EQ(metrics[1].value("unit", ""), "{file}");
  EXPECT_EQ(counter.value("aggregationTemporality", ""), "AGGREGATION_TEMPORALITY_CUMULATIVE");
  EXPECT_EQ(counter.value("isMonotonic", false), true);
  EXPECT_EQ(counter.at("dataPoints").at(0).value("asInt", ""), "42");
  EXPECT_EQ(counter.at("dataPoints").at(0).value("startTimeUnixNano", ""), "1000");

  const json& updown = metrics[2].at("sum");
  EXPECT_EQ(updown.value("aggregationTemporality", ""), "AGGREGATION_TEMPORALITY_DELTA");
  EXPECT_EQ(updown.value("isMonotonic", false), false);
  EXPECT_EQ(updown.at("dataPoints").at(0).value("asDouble", 0.0), -2.5);

  const json& hist = metrics[3].at("histogram");
  EXPECT_EQ(metrics[3].value("unit", ""), "s");
  EXPECT_EQ(hist.value("aggregationTemporality", ""), "AGGREGATION_TEMPORALITY_CUMULATIVE");
  const json& hp = hist.at("dataPoints").at(0);
  EXPECT_EQ(hp.value("count", ""), "6");
  EXPECT_EQ(hp.value("sum", 0.0), 3.5);
  EXPECT_EQ(hp.at("bucketCounts"), json({"1", "2", "3", "0"}));
  EXPECT_EQ(hp.at("explicitBounds"), json({0.1, 1.0, 10.0}));
  ASSERT_TRUE(hp.contains("min")) << hp.dump();
  EXPECT_EQ(hp.value("min", -1.0), 0.0);
  EXPECT_EQ(hp.value("max", 0.0), 7.25);
  EXPECT_EQ(Attr(hp.at("attributes"), "rpc.method").value("stringValue", ""), "Export");
  const json& no_sum = hist.at("dataPoints").at(1);
  EXPECT_FALSE(no_sum.contains("sum")) << no_sum.dump();
  EXPECT_FALSE(no_sum.contains("min"));
  EXPECT_EQ(no_sum.at("bucketCounts"), json({"1", "0"}));
  EXPECT_TRUE(exporter->Shutdown(steady_clock::now() + seconds(5)).ok());
}

TEST_P(OtlpExporterPeerTest, LogsArriveFieldForField) {
  auto made = MakeOtlpLogExporter(Options(Signal::kLogs));
  ASSERT_TRUE(made.ok()) << made.status().ToString();
  auto exporter = std::move(made).value();
  const auto logs = TestLogs();
  ASSERT_TRUE(exporter->Export(logs, TestResource(), steady_clock::now() + seconds(10)).ok());

  const auto received = receiver_->Received("logs");
  ASSERT_EQ(received.size(), 1u);
  ExpectTransportDetails(received[0]);
  const json& sl = received[0].at("request").at("resourceLogs").at(0).at("scopeLogs").at(0);
  EXPECT_EQ(sl.at("scope").value("name", ""), "klio.wal");
  const json& records = sl.at("logRecords");
  ASSERT_EQ(records.size(), 2u);
  const json& r = records[0];
  EXPECT_EQ(r.value("timeUnixNano", ""), "1700000000000000001");
  EXPECT_EQ(r.value("observedTimeUnixNano", ""), "1700000000000000002");
  EXPECT_EQ(r.value("severityNumber", ""), "SEVERITY_NUMBER_ERROR");
  EXPECT_EQ(r.value("severityText", ""), "error");
  EXPECT_EQ(r.at("body").value("stringValue", ""),
            "segment 000000010000000000000003: checksum mismatch");
  EXPECT_EQ(Attr(r.at("attributes"), "attempt").value("intValue", ""), "2");
  EXPECT_EQ(r.value("traceId", ""), Hex(Tid(9)));
  EXPECT_EQ(r.value("spanId", ""), Hex(Sid(10)));
  EXPECT_EQ(r.value("flags", 0), 1);
  EXPECT_EQ(r.value("eventName", ""), "wal.corrupt");
  EXPECT_EQ(records[1].value("severityNumber", ""), "SEVERITY_NUMBER_INFO");
  EXPECT_EQ(records[1].at("body").value("stringValue", ""), "started");
  EXPECT_TRUE(exporter->Shutdown(steady_clock::now() + seconds(5)).ok());
}

TEST_P(OtlpExporterPeerTest, UnavailableThenSuccessDeliversOnce) {
  const json failure = transport() == "grpc" ? json{{"grpc_code", 14}} : json{{"http_status", 503}};
  ASSERT_TRUE(receiver_->ScriptResponses("traces", transport(), json::array({failure})).ok());
  auto exporter = SpanExporter(Options(Signal::kTraces));
  ASSERT_NE(exporter, nullptr);
  const auto spans = TestSpans();
  ASSERT_TRUE(exporter->Export(spans, TestResource(), steady_clock::now() + seconds(10)).ok());
  const auto received = receiver_->Received("traces");
  ASSERT_EQ(received.size(), 2u);  // the refused attempt and the accepted one, nothing more
  const json ok_response =
      transport() == "grpc" ? json{{"grpc_code", 0}} : json{{"http_status", 200}};
  EXPECT_EQ(received[1].at("response"), ok_response) << received[1].dump();
  EXPECT_EQ(exporter->Stats().exported_items, 2u);
  EXPECT_EQ(exporter->Stats().requests, 2u);
}

TEST_P(OtlpExporterPeerTest, BadRequestIsNotRetried) {
  const json failure = transport() == "grpc" ? json{{"grpc_code", 3}} : json{{"http_status", 400}};
  ASSERT_TRUE(receiver_->ScriptResponses("traces", transport(), json::array({failure})).ok());
  auto exporter = SpanExporter(Options(Signal::kTraces));
  ASSERT_NE(exporter, nullptr);
  const auto spans = TestSpans();
  Status s = exporter->Export(spans, TestResource(), steady_clock::now() + seconds(10));
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_EQ(receiver_->Received("traces").size(), 1u);
  EXPECT_EQ(exporter->Stats().failed_items, 2u);
}

TEST_P(OtlpExporterPeerTest, ServerRetryDelayIsHonoured) {
  const json failure = transport() == "grpc" ? json{{"grpc_code", 14}, {"retry_after_s", 1}}
                                             : json{{"http_status", 429}, {"retry_after_s", 1}};
  ASSERT_TRUE(receiver_->ScriptResponses("traces", transport(), json::array({failure})).ok());
  auto exporter = SpanExporter(Options(Signal::kTraces));
  ASSERT_NE(exporter, nullptr);
  const auto spans = TestSpans();
  const auto start = steady_clock::now();
  ASSERT_TRUE(exporter->Export(spans, TestResource(), start + seconds(10)).ok());
  const auto took = steady_clock::now() - start;
  EXPECT_GE(took, milliseconds(950));  // the 20 ms backoff alone would retry much sooner
  EXPECT_LT(took, seconds(8));
  EXPECT_EQ(receiver_->Received("traces").size(), 2u);
}

TEST_P(OtlpExporterPeerTest, ResourceExhaustedRetriedOnlyWithRetryInfo) {
  if (transport() != "grpc") GTEST_SKIP() << "gRPC status semantics";
  ASSERT_TRUE(receiver_
                  ->ScriptResponses("traces", "grpc",
                                    json::array({json{{"grpc_code", 8}, {"retry_after_s", 0}},
                                                 json{{"grpc_code", 8}}}))
                  .ok());
  auto exporter = SpanExporter(Options(Signal::kTraces));
  ASSERT_NE(exporter, nullptr);
  const auto spans = TestSpans();
  Status s = exporter->Export(spans, TestResource(), steady_clock::now() + seconds(10));
  EXPECT_EQ(s.code(), StatusCode::kResourceExhausted) << s.ToString();
  EXPECT_EQ(receiver_->Received("traces").size(), 2u);  // retried once, then gave up at once
}

TEST_P(OtlpExporterPeerTest, PartialSuccessIsReported) {
  ASSERT_TRUE(
      receiver_
          ->ScriptResponses(
              "traces", transport(),
              json::array({json{
                  {"partial_success", {{"rejected", 1}, {"error_message", "span without name"}}}}}))
          .ok());
  auto exporter = SpanExporter(Options(Signal::kTraces));
  ASSERT_NE(exporter, nullptr);
  const auto spans = TestSpans();
  ASSERT_TRUE(exporter->Export(spans, TestResource(), steady_clock::now() + seconds(10)).ok());
  EXPECT_EQ(receiver_->Received("traces").size(), 1u);
  const OtlpExporterStats stats = exporter->Stats();
  EXPECT_EQ(stats.rejected_items, 1u);
  EXPECT_EQ(stats.exported_items, 1u);
  EXPECT_EQ(stats.partial_successes, 1u);
  std::lock_guard lock(warnings_mu_);
  ASSERT_EQ(warnings_.size(), 1u);
  EXPECT_NE(warnings_[0].find("span without name"), std::string::npos) << warnings_[0];
}

TEST_P(OtlpExporterPeerTest, SilentReceiverCannotHoldExportPastItsTimeout) {
  ASSERT_TRUE(
      receiver_->ScriptResponses("traces", transport(), json::array({json{{"delay_ms", 600000}}}))
          .ok());
  auto exporter = SpanExporter(Options(Signal::kTraces, {{"OTEL_EXPORTER_OTLP_TIMEOUT", "1000"}}));
  ASSERT_NE(exporter, nullptr);
  const auto spans = TestSpans();
  const auto start = steady_clock::now();
  Status s = exporter->Export(spans, TestResource(), start + seconds(60));
  const auto took = steady_clock::now() - start;
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  // Correctness bound with a generous margin (sanitizers, shared CI cores), not a perf check.
  EXPECT_LT(took, seconds(4));
  EXPECT_EQ(exporter->Stats().failed_items, 2u);
  const auto shutdown_start = steady_clock::now();
  EXPECT_TRUE(exporter->Shutdown(shutdown_start + seconds(1)).ok());
  EXPECT_LT(steady_clock::now() - shutdown_start, seconds(2));
}

TEST_P(OtlpExporterPeerTest, ShutdownReturnsByItsDeadlineWhileTheReceiverIsSilent) {
  ASSERT_TRUE(
      receiver_->ScriptResponses("traces", transport(), json::array({json{{"delay_ms", 600000}}}))
          .ok());
  auto exporter = SpanExporter(Options(Signal::kTraces, {{"OTEL_EXPORTER_OTLP_TIMEOUT", "60000"}}));
  ASSERT_NE(exporter, nullptr);
  const auto spans = TestSpans();
  Status export_status;
  steady_clock::time_point export_end;
  std::thread t([&] {
    export_status = exporter->Export(spans, TestResource(), steady_clock::now() + seconds(60));
    export_end = steady_clock::now();
  });
  ASSERT_TRUE(receiver_->WaitForRequests("traces", 1, seconds(10)).ok());
  const auto start = steady_clock::now();
  const Status s = exporter->Shutdown(start + seconds(1));
  const auto took = steady_clock::now() - start;
  t.join();
  EXPECT_TRUE(s.ok()) << s.ToString();  // the in-flight export was cancelled in time
  EXPECT_LT(took, seconds(3));
  EXPECT_LT(export_end - start, seconds(3));
  EXPECT_EQ(export_status.code(), StatusCode::kCancelled) << export_status.ToString();
  // After Shutdown, Export fails fast without touching the network.
  const auto again = steady_clock::now();
  EXPECT_EQ(exporter->Export(spans, TestResource(), again + seconds(10)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_LT(steady_clock::now() - again, milliseconds(100));
  EXPECT_EQ(receiver_->Received("traces").size(), 1u);
}

TEST_P(OtlpExporterPeerTest, UnreachableReceiverFailsWithinTheTimeout) {
  std::map<std::string, std::string> env = {{"OTEL_EXPORTER_OTLP_TIMEOUT", "1500"}};
  // A port nobody listens on: connection refused, retried with backoff until the budget ends.
  const int port = klio::testing::FreePort();
  env["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:" + std::to_string(port);
  auto exporter = SpanExporter(Options(Signal::kTraces, env));
  ASSERT_NE(exporter, nullptr);
  const auto spans = TestSpans();
  const auto start = steady_clock::now();
  Status s = exporter->Export(spans, TestResource(), start + seconds(60));
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kDeadlineExceeded)
      << s.ToString();
  EXPECT_LT(steady_clock::now() - start, seconds(5));
  EXPECT_GE(exporter->Stats().requests, 2u);
}

INSTANTIATE_TEST_SUITE_P(Transports, OtlpExporterPeerTest,
                         ::testing::Values(Param{"http", false}, Param{"http", true},
                                           Param{"grpc", false}, Param{"grpc", true}),
                         ParamName);

}  // namespace
}  // namespace klio::telemetry::exporter
