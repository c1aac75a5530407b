// Tests for the OTLP encoder: every mapped field of spans, metrics and logs is checked by
// field number with our reader, and whole requests are parsed by `protoc --decode_raw` (an
// independent protobuf parser). Response and google.rpc.Status decoding too.
#include "telemetry/export/otlp_encode.h"

#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <random>

#include "telemetry/export/otlp_test_util.h"
#include "testing/process.h"

namespace klio::telemetry::exporter {
namespace {

using testing::AsDouble;
using testing::Count;
using testing::Message;
using testing::Messages;
using testing::Scalar;

TraceId MakeTraceId(std::uint8_t seed) {
  TraceId id;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) {
    id.bytes[i] = static_cast<std::uint8_t>(seed + i);
  }
  return id;
}

SpanId MakeSpanId(std::uint8_t seed) {
  SpanId id;
  for (std::size_t i = 0; i < id.bytes.size(); ++i) {
    id.bytes[i] = static_cast<std::uint8_t>(seed + i);
  }
  return id;
}

std::string Bytes(const auto& id) {
  return std::string(reinterpret_cast<const char*>(id.bytes.data()), id.bytes.size());
}

auto Scope(std::string name, std::string version = "1.0") {
  auto s = std::make_shared<InstrumentationScope>();
  s->name = std::move(name);
  s->version = std::move(version);
  return std::shared_ptr<const InstrumentationScope>(s);
}

sdk::SpanData DenseSpan(std::shared_ptr<const InstrumentationScope> scope) {
  sdk::SpanData s;
  s.context.trace_id = MakeTraceId(1);
  s.context.span_id = MakeSpanId(100);
  s.context.trace_flags = 0x01;
  s.context.trace_state = "k=v";
  s.parent_span_id = MakeSpanId(200);
  s.parent_is_remote = true;
  s.name = "backup_run";
  s.kind = sdk::SpanKind::kClient;
  s.start_time_unix_nano = 1'700'000'000'000'000'000ULL;
  s.end_time_unix_nano = 1'700'000'000'123'000'000ULL;
  s.attributes = {{"str", "value"},
                  {"neg", -5},
                  {"flag", AttributeValue(true)},
                  {"ratio", AttributeValue(0.25)},
                  {"ints", std::vector<std::int64_t>{1, 2, 3}},
                  {"strs", std::vector<std::string>{"a", "b"}},
                  {"bools", std::vector<bool>{true, false}},
                  {"dbls", std::vector<double>{1.5}}};
  s.dropped_attributes_count = 2;
  sdk::SpanEvent e1;
  e1.time_unix_nano = 1'700'000'000'001'000'000ULL;
  e1.name = "exception";
  e1.attributes = {{"exception.message", "boom"}};
  e1.dropped_attributes_count = 1;
  sdk::SpanEvent e2;
  e2.time_unix_nano = 1'700'000'000'002'000'000ULL;
  e2.name = "retry";
  s.events = {e1, e2};
  s.dropped_events_count = 3;
  sdk::SpanLink link;
  link.context.trace_id = MakeTraceId(50);
  link.context.span_id = MakeSpanId(60);
  link.context.trace_flags = 0x01;
  link.context.trace_state = "a=b";
  link.context.is_remote = false;
  link.attributes = {{"link.kind", "follows"}};
  link.dropped_attributes_count = 4;
  s.links = {link};
  s.dropped_links_count = 5;
  s.status_code = sdk::SpanStatusCode::kError;
  s.status_message = "failed";
  s.scope = std::move(scope);
  return s;
}

Resource TestResource() {
  Resource r;
  r.attributes = {{"service.name", "klio"}, {"host.name", "db1"}};
  r.schema_url = "https://opentelemetry.io/schemas/1.26.0";
  return r;
}

// An AnyValue's payload by oneof member.
std::string_view AnyString(std::string_view any) { return Message(any, 1); }

std::string_view AttrValue(std::string_view owner, std::uint32_t field, std::string_view key) {
  for (std::string_view kv : Messages(owner, field)) {
    if (Message(kv, 1) == key) return Message(kv, 2);
  }
  ADD_FAILURE() << "attribute " << key << " not found";
  return {};
}

TEST(OtlpEncodeTest, DenseSpanFieldByField) {
  const std::vector<sdk::SpanData> spans = {DenseSpan(Scope("klio.backup", "0.1.0"))};
  ProtoWriter w;
  EncodeTraceRequest(spans, TestResource(), &w);

  ASSERT_EQ(Count(w.view(), 1), 1u);
  const std::string_view rs = Message(w.view(), 1);
  EXPECT_EQ(Message(rs, 3), "https://opentelemetry.io/schemas/1.26.0");
  const std::string_view resource = Message(rs, 1);
  EXPECT_EQ(AnyString(AttrValue(resource, 1, "service.name")), "klio");
  EXPECT_EQ(AnyString(AttrValue(resource, 1, "host.name")), "db1");

  ASSERT_EQ(Count(rs, 2), 1u);
  const std::string_view ss = Message(rs, 2);
  EXPECT_EQ(Message(Message(ss, 1), 1), "klio.backup");
  EXPECT_EQ(Message(Message(ss, 1), 2), "0.1.0");
  ASSERT_EQ(Count(ss, 2), 1u);
  const std::string_view span = Message(ss, 2);

  EXPECT_EQ(Message(span, 1), Bytes(MakeTraceId(1)));
  EXPECT_EQ(Message(span, 2), Bytes(MakeSpanId(100)));
  EXPECT_EQ(Message(span, 3), "k=v");
  EXPECT_EQ(Message(span, 4), Bytes(MakeSpanId(200)));
  EXPECT_EQ(Message(span, 5), "backup_run");
  EXPECT_EQ(Scalar(span, 6), 3u);  // CLIENT
  EXPECT_EQ(Scalar(span, 7), 1'700'000'000'000'000'000ULL);
  EXPECT_EQ(Scalar(span, 8), 1'700'000'000'123'000'000ULL);
  EXPECT_EQ(Count(span, 9), 8u);
  EXPECT_EQ(Scalar(span, 10), 2u);
  EXPECT_EQ(Count(span, 11), 2u);
  EXPECT_EQ(Scalar(span, 12), 3u);
  EXPECT_EQ(Count(span, 13), 1u);
  EXPECT_EQ(Scalar(span, 14), 5u);
  EXPECT_EQ(Scalar(span, 16), 0x301u);  // sampled | has-is-remote | is-remote

  // Attribute value types.
  EXPECT_EQ(AnyString(AttrValue(span, 9, "str")), "value");
  EXPECT_EQ(static_cast<std::int64_t>(Scalar(AttrValue(span, 9, "neg"), 3)), -5);
  EXPECT_EQ(Scalar(AttrValue(span, 9, "flag"), 2), 1u);
  EXPECT_EQ(AsDouble(Scalar(AttrValue(span, 9, "ratio"), 4)), 0.25);
  const auto ints = Messages(Message(AttrValue(span, 9, "ints"), 5), 1);
  ASSERT_EQ(ints.size(), 3u);
  EXPECT_EQ(Scalar(ints[2], 3), 3u);
  const auto strs = Messages(Message(AttrValue(span, 9, "strs"), 5), 1);
  ASSERT_EQ(strs.size(), 2u);
  EXPECT_EQ(AnyString(strs[1]), "b");
  const auto bools = Messages(Message(AttrValue(span, 9, "bools"), 5), 1);
  ASSERT_EQ(bools.size(), 2u);
  EXPECT_EQ(Count(bools[1], 2), 1u);  // false is still written (oneof member)
  EXPECT_EQ(Scalar(bools[1], 2, 99), 0u);
  const auto dbls = Messages(Message(AttrValue(span, 9, "dbls"), 5), 1);
  ASSERT_EQ(dbls.size(), 1u);
  EXPECT_EQ(AsDouble(Scalar(dbls[0], 4)), 1.5);

  // Events.
  const auto events = Messages(span, 11);
  EXPECT_EQ(Scalar(events[0], 1), 1'700'000'000'001'000'000ULL);
  EXPECT_EQ(Message(events[0], 2), "exception");
  EXPECT_EQ(AnyString(AttrValue(events[0], 3, "exception.message")), "boom");
  EXPECT_EQ(Scalar(events[0], 4), 1u);
  EXPECT_EQ(Message(events[1], 2), "retry");
  EXPECT_EQ(Count(events[1], 3), 0u);

  // Link.
  const std::string_view link = Message(span, 13);
  EXPECT_EQ(Message(link, 1), Bytes(MakeTraceId(50)));
  EXPECT_EQ(Message(link, 2), Bytes(MakeSpanId(60)));
  EXPECT_EQ(Message(link, 3), "a=b");
  EXPECT_EQ(AnyString(AttrValue(link, 4, "link.kind")), "follows");
  EXPECT_EQ(Scalar(link, 5), 4u);
  EXPECT_EQ(Scalar(link, 6), 0x101u);  // sampled | has-is-remote, not remote

  // Status.
  const std::string_view status = Message(span, 15);
  EXPECT_EQ(Message(status, 2), "failed");
  EXPECT_EQ(Scalar(status, 3), 2u);
}

TEST(OtlpEncodeTest, RootSpanDefaultsAreOmitted) {
  sdk::SpanData s;
  s.context.trace_id = MakeTraceId(1);
  s.context.span_id = MakeSpanId(2);
  s.name = "root";
  s.scope = Scope("x");
  ProtoWriter w;
  EncodeTraceRequest(std::span(&s, 1), Resource{}, &w);
  const std::string_view span = Message(Message(Message(w.view(), 1), 2), 2);
  EXPECT_EQ(Count(span, 4), 0u);   // no parent
  EXPECT_EQ(Count(span, 15), 0u);  // unset status, no message
  EXPECT_EQ(Scalar(span, 6), 1u);  // INTERNAL
  EXPECT_EQ(Scalar(span, 16), 0x100u);
  EXPECT_EQ(Count(span, 10) + Count(span, 12) + Count(span, 14), 0u);
}

TEST(OtlpEncodeTest, SpansAreGroupedByScopeInFirstSeenOrder) {
  const auto a = Scope("a");
  const auto b = Scope("b", "2");
  const auto a_copy = Scope("a");  // equal in value, another object
  std::vector<sdk::SpanData> spans;
  for (const auto& [scope, name] :
       std::vector<std::pair<std::shared_ptr<const InstrumentationScope>, std::string>>{
           {a, "1"}, {b, "2"}, {a_copy, "3"}, {nullptr, "4"}, {b, "5"}}) {
    sdk::SpanData s;
    s.context.trace_id = MakeTraceId(1);
    s.context.span_id = MakeSpanId(1);
    s.name = name;
    s.scope = scope;
    spans.push_back(s);
  }
  ProtoWriter w;
  EncodeTraceRequest(spans, Resource{}, &w);
  const auto groups = Messages(Message(w.view(), 1), 2);
  ASSERT_EQ(groups.size(), 3u);
  auto names = [](std::string_view group) {
    std::string out;
    for (auto span : Messages(group, 2)) out += std::string(Message(span, 5));
    return out;
  };
  EXPECT_EQ(Message(Message(groups[0], 1), 1), "a");
  EXPECT_EQ(names(groups[0]), "13");
  EXPECT_EQ(Message(Message(groups[1], 1), 1), "b");
  EXPECT_EQ(Message(Message(groups[1], 1), 2), "2");
  EXPECT_EQ(names(groups[1]), "25");
  EXPECT_EQ(Message(Message(groups[2], 1), 1), "");
  EXPECT_EQ(names(groups[2]), "4");
}

TEST(OtlpEncodeTest, EmptyBatchEncodesNothing) {
  ProtoWriter w;
  EncodeTraceRequest({}, TestResource(), &w);
  EncodeLogsRequest({}, TestResource(), &w);
  sdk::ResourceMetrics empty;
  empty.scopes.push_back(sdk::ScopeMetrics{});
  EncodeMetricsRequest(empty, &w);
  EXPECT_EQ(w.size(), 0u);
}

sdk::ResourceMetrics SampleMetrics() {
  sdk::ResourceMetrics rm;
  rm.resource = std::make_shared<const Resource>(TestResource());
  sdk::ScopeMetrics scope;
  scope.scope.name = "klio.wal";
  scope.scope.version = "0.1.0";

  sdk::MetricData gauge{"klio_queue_bytes", "bytes in the queue", "By", sdk::GaugeData{}};
  std::get<sdk::GaugeData>(gauge.data)
      .points.push_back(sdk::NumberPoint{{{"queue", "wal"}}, 0, 2000, std::int64_t{0}});
  sdk::MetricData sum{"klio.wal.written", "WAL files written", "{file}", sdk::SumData{}};
  auto& sd = std::get<sdk::SumData>(sum.data);
  sd.temporality = sdk::Temporality::kDelta;
  sd.is_monotonic = false;
  sd.points.push_back(sdk::NumberPoint{{}, 1000, 2000, -2.5});
  sdk::MetricData hist{"rpc.server.call.duration", "", "s", sdk::HistogramData{}};
  auto& hd = std::get<sdk::HistogramData>(hist.data);
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
  hd.points.push_back(p);
  sdk::HistogramPoint no_sum;
  no_sum.count = 1;
  no_sum.bucket_counts = {1};
  hd.points.push_back(no_sum);
  scope.metrics = {gauge, sum, hist};
  rm.scopes.push_back(scope);
  rm.scopes.push_back(sdk::ScopeMetrics{});  // empty scope: left out
  return rm;
}

TEST(OtlpEncodeTest, MetricsFieldByField) {
  const sdk::ResourceMetrics rm = SampleMetrics();
  EXPECT_EQ(CountDataPoints(rm), 4u);
  ProtoWriter w;
  EncodeMetricsRequest(rm, &w);
  const std::string_view resource_metrics = Message(w.view(), 1);
  EXPECT_EQ(AnyString(AttrValue(Message(resource_metrics, 1), 1, "service.name")), "klio");
  ASSERT_EQ(Count(resource_metrics, 2), 1u);
  const std::string_view sm = Message(resource_metrics, 2);
  EXPECT_EQ(Message(Message(sm, 1), 1), "klio.wal");
  const auto metrics = Messages(sm, 2);
  ASSERT_EQ(metrics.size(), 3u);

  // Gauge with an int point of value 0 (oneof: still written).
  EXPECT_EQ(Message(metrics[0], 1), "klio_queue_bytes");
  EXPECT_EQ(Message(metrics[0], 2), "bytes in the queue");
  EXPECT_EQ(Message(metrics[0], 3), "By");
  const std::string_view gp = Message(Message(metrics[0], 5), 1);
  EXPECT_EQ(Count(gp, 2), 0u);
  EXPECT_EQ(Scalar(gp, 3), 2000u);
  EXPECT_EQ(Count(gp, 6), 1u);
  EXPECT_EQ(Scalar(gp, 6, 99), 0u);
  EXPECT_EQ(AnyString(AttrValue(gp, 7, "queue")), "wal");

  // Sum: delta, not monotonic, double point.
  const std::string_view sum = Message(metrics[1], 7);
  EXPECT_EQ(Scalar(sum, 2), 1u);
  EXPECT_EQ(Count(sum, 3), 0u);  // false is the default
  const std::string_view sp = Message(sum, 1);
  EXPECT_EQ(Scalar(sp, 2), 1000u);
  EXPECT_EQ(AsDouble(Scalar(sp, 4)), -2.5);

  // Histogram.
  const std::string_view hist = Message(metrics[2], 9);
  EXPECT_EQ(Scalar(hist, 2), 2u);
  const auto points = Messages(hist, 1);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(Scalar(points[0], 4), 6u);
  EXPECT_EQ(AsDouble(Scalar(points[0], 5)), 3.5);
  const std::string_view counts = Message(points[0], 6);
  ASSERT_EQ(counts.size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>(counts[8]), 2);
  const std::string_view bounds = Message(points[0], 7);
  ASSERT_EQ(bounds.size(), 24u);
  double b2;
  std::memcpy(&b2, bounds.data() + 16, 8);
  EXPECT_EQ(b2, 10.0);
  EXPECT_EQ(Count(points[0], 11), 1u);  // min 0.0 is present (optional)
  EXPECT_EQ(AsDouble(Scalar(points[0], 11, 1)), 0.0);
  EXPECT_EQ(AsDouble(Scalar(points[0], 12)), 7.25);
  EXPECT_EQ(Message(AttrValue(points[0], 9, "rpc.method"), 1), "Export");
  EXPECT_EQ(Count(points[1], 5), 0u);  // no sum
  EXPECT_EQ(Count(points[1], 11) + Count(points[1], 12), 0u);
  EXPECT_EQ(Count(points[1], 7), 0u);
}

TEST(OtlpEncodeTest, MonotonicCumulativeSum) {
  sdk::ResourceMetrics rm;
  sdk::ScopeMetrics scope;
  sdk::MetricData sum{"c", "", "1", sdk::SumData{}};
  std::get<sdk::SumData>(sum.data).points.push_back(sdk::NumberPoint{{}, 1, 2, std::int64_t{-7}});
  scope.metrics = {sum};
  rm.scopes = {scope};
  ProtoWriter w;
  EncodeMetricsRequest(rm, &w);
  const std::string_view s = Message(Message(Message(Message(w.view(), 1), 2), 2), 7);
  EXPECT_EQ(Scalar(s, 2), 2u);
  EXPECT_EQ(Scalar(s, 3), 1u);
  EXPECT_EQ(static_cast<std::int64_t>(Scalar(Message(s, 1), 6)), -7);  // sfixed64
}

std::vector<sdk::LogRecordData> SampleLogs() {
  sdk::LogRecordData r;
  r.time_unix_nano = 5;
  r.observed_time_unix_nano = 6;
  r.severity_number = 17;
  r.severity_text = "error";
  r.body = "segment 000000010000000000000003: checksum mismatch";
  r.attributes = {{"logger", "klio.wal"}, {"attempt", 2}};
  r.dropped_attributes_count = 1;
  r.trace_id = MakeTraceId(9);
  r.span_id = MakeSpanId(8);
  r.trace_flags = 1;
  r.event_name = "wal.corrupt";
  r.scope = Scope("klio.wal");
  sdk::LogRecordData plain;
  plain.severity_number = 9;
  plain.body = "started";
  plain.scope = r.scope;
  return {r, plain};
}

TEST(OtlpEncodeTest, LogsFieldByField) {
  const auto logs = SampleLogs();
  ProtoWriter w;
  EncodeLogsRequest(logs, TestResource(), &w);
  const std::string_view rl = Message(w.view(), 1);
  const std::string_view sl = Message(rl, 2);
  EXPECT_EQ(Message(Message(sl, 1), 1), "klio.wal");
  const auto records = Messages(sl, 2);
  ASSERT_EQ(records.size(), 2u);
  const std::string_view r = records[0];
  EXPECT_EQ(Scalar(r, 1), 5u);
  EXPECT_EQ(Scalar(r, 2), 17u);
  EXPECT_EQ(Message(r, 3), "error");
  EXPECT_EQ(AnyString(Message(r, 5)), "segment 000000010000000000000003: checksum mismatch");
  EXPECT_EQ(AnyString(AttrValue(r, 6, "logger")), "klio.wal");
  EXPECT_EQ(Scalar(AttrValue(r, 6, "attempt"), 3), 2u);
  EXPECT_EQ(Scalar(r, 7), 1u);
  EXPECT_EQ(Scalar(r, 8), 1u);
  EXPECT_EQ(Message(r, 9), Bytes(MakeTraceId(9)));
  EXPECT_EQ(Message(r, 10), Bytes(MakeSpanId(8)));
  EXPECT_EQ(Scalar(r, 11), 6u);
  EXPECT_EQ(Message(r, 12), "wal.corrupt");
  // Outside a span: no ids, no flags.
  EXPECT_EQ(Count(records[1], 9) + Count(records[1], 10) + Count(records[1], 8), 0u);
}

// protoc (an independent parser) must accept every request we produce.
std::string DecodeRaw(std::string_view bytes) {
  klio::testing::TempDir dir("klio-otlp");
  const std::string path = dir.Join("req.bin");
  std::ofstream(path, std::ios::binary)
      .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::string output;
  Result<int> rc =
      klio::testing::RunCommand({.argv = {"sh", "-c", "protoc --decode_raw < " + path}}, &output);
  EXPECT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(rc.value_or(-1), 0) << output;
  return output;
}

TEST(OtlpEncodeTest, ProtocDecodesTraceRequest) {
  const std::vector<sdk::SpanData> spans = {DenseSpan(Scope("klio.backup")),
                                            DenseSpan(Scope("other"))};
  ProtoWriter w;
  EncodeTraceRequest(spans, TestResource(), &w);
  const std::string text = DecodeRaw(w.view());
  EXPECT_NE(text.find("\"backup_run\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"exception.message\""), std::string::npos);
  EXPECT_NE(text.find("16: 0x00000301"), std::string::npos) << text;
}

TEST(OtlpEncodeTest, ProtocDecodesMetricsAndLogsRequests) {
  ProtoWriter w;
  EncodeMetricsRequest(SampleMetrics(), &w);
  EXPECT_NE(DecodeRaw(w.view()).find("\"rpc.server.call.duration\""), std::string::npos);
  w.Clear();
  EncodeLogsRequest(SampleLogs(), TestResource(), &w);
  EXPECT_NE(DecodeRaw(w.view()).find("\"wal.corrupt\""), std::string::npos);
}

TEST(OtlpEncodeTest, DecodeExportResponse) {
  Result<PartialSuccess> empty = DecodeExportResponse("");
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->present);

  ProtoWriter w;
  const auto m = w.BeginMessage(1);
  w.VarintField(1, 3);
  w.StringField(2, "3 spans had no name");
  w.EndMessage(m);
  w.StringField(7, "unknown field, skipped");
  Result<PartialSuccess> partial = DecodeExportResponse(w.view());
  ASSERT_TRUE(partial.ok());
  EXPECT_TRUE(partial->present);
  EXPECT_EQ(partial->rejected, 3);
  EXPECT_EQ(partial->error_message, "3 spans had no name");

  EXPECT_TRUE(DecodeExportResponse(std::string_view("\x0a\x09", 2)).status().IsCorruption());
}

TEST(OtlpEncodeTest, DecodeRpcStatusWithRetryInfo) {
  ProtoWriter w;
  w.VarintField(1, 14);
  w.StringField(2, "try later");
  {
    const auto any = w.BeginMessage(3);
    w.StringField(1, "type.googleapis.com/google.rpc.DebugInfo");
    w.StringField(2, "ignored");
    w.EndMessage(any);
  }
  {
    const auto any = w.BeginMessage(3);
    w.StringField(1, "type.googleapis.com/google.rpc.RetryInfo");
    const auto value = w.BeginMessage(2);
    const auto delay = w.BeginMessage(1);
    w.VarintField(1, 2);
    w.VarintField(2, 500'000'000);
    w.EndMessage(delay);
    w.EndMessage(value);
    w.EndMessage(any);
  }
  Result<RpcStatus> s = DecodeRpcStatus(w.view());
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->code, 14);
  EXPECT_EQ(s->message, "try later");
  ASSERT_TRUE(s->retry_delay.has_value());
  EXPECT_EQ(*s->retry_delay, std::chrono::milliseconds(2500));

  Result<RpcStatus> plain = DecodeRpcStatus("\x08\x08");
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->retry_delay.has_value());
  EXPECT_TRUE(DecodeRpcStatus("\x1a\x05").status().IsCorruption());
}

TEST(OtlpDecoderRobustnessTest, RandomAndTruncatedInputNeverCrashes) {
  std::mt19937_64 rng(20261122);
  ProtoWriter w;
  const auto m = w.BeginMessage(1);
  w.VarintField(1, 5);
  w.StringField(2, "rejected");
  w.EndMessage(m);
  const std::string valid = w.ToString();
  const std::string_view valid_view = valid;
  for (std::size_t cut = 0; cut <= valid.size(); ++cut) {
    (void)DecodeExportResponse(valid_view.substr(0, cut));
    (void)DecodeRpcStatus(valid_view.substr(0, cut));
  }
  for (int i = 0; i < 20000; ++i) {
    std::string bytes(rng() % 64, '\0');
    for (char& c : bytes) c = static_cast<char>(rng());
    (void)DecodeExportResponse(bytes);
    (void)DecodeRpcStatus(bytes);
  }
}

}  // namespace
}  // namespace klio::telemetry::exporter
