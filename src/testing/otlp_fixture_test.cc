// Smoke tests of the OTLP peer (otlp_fixture.h). The requests are encoded by hand here (tags
// and varints per docs of OTLP, shared/spec/otel-reference.md §2) so that the receiver's
// decoding with the official definitions is checked against an independent encoder; they go
// over OTLP/HTTP with libcurl and over OTLP/gRPC with grpc::GenericStub (no generated code).
#include "testing/otlp_fixture.h"

#include <curl/curl.h>
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <future>
#include <map>
#include <string>

namespace klio::testing {
namespace {

using ::testing::HasSubstr;

// ---- a minimal protobuf writer and reader ----------------------------------------------------

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

class PbWriter {
 public:
  PbWriter& Varint(int field, uint64_t v) {
    Tag(field, kVarint);
    PutVarint(v);
    return *this;
  }
  PbWriter& Fixed64(int field, uint64_t v) {
    Tag(field, kFixed64);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    return *this;
  }
  PbWriter& Bytes(int field, std::string_view bytes) {
    Tag(field, kLen);
    PutVarint(bytes.size());
    out_.append(bytes);
    return *this;
  }
  PbWriter& Message(int field, const PbWriter& sub) { return Bytes(field, sub.out_); }
  const std::string& data() const { return out_; }

 private:
  void Tag(int field, WireType type) { PutVarint((static_cast<uint64_t>(field) << 3) | type); }
  void PutVarint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  std::string out_;
};

// Reads the fields of one message: field number -> raw payloads (varints decoded into the
// string as decimal text, length-delimited ones as bytes). Enough for the small responses.
std::multimap<int, std::string> PbFields(std::string_view in) {
  std::multimap<int, std::string> fields;
  size_t pos = 0;
  auto varint = [&]() {
    uint64_t v = 0;
    for (int shift = 0; pos < in.size() && shift < 64; shift += 7) {
      auto b = static_cast<uint8_t>(in[pos++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if ((b & 0x80) == 0) break;
    }
    return v;
  };
  while (pos < in.size()) {
    uint64_t tag = varint();
    int field = static_cast<int>(tag >> 3);
    switch (tag & 7) {
      case kVarint:
        fields.emplace(field, std::to_string(varint()));
        break;
      case kLen: {
        size_t n = varint();
        fields.emplace(field, std::string(in.substr(pos, n)));
        pos += n;
        break;
      }
      case kFixed64:
        pos += 8;
        break;
      case kFixed32:
        pos += 4;
        break;
      default:
        return fields;
    }
  }
  return fields;
}

std::string FromHex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

constexpr char kTraceId[] = "5b8efff798038103d269b633813fc60c";
constexpr char kSpanId[] = "eee19b7ec3c1b174";

PbWriter StringAttribute(std::string_view key, std::string_view value) {
  PbWriter any;
  any.Bytes(1, value);  // AnyValue.string_value
  PbWriter kv;
  kv.Bytes(1, key).Message(2, any);
  return kv;
}

PbWriter IntAttribute(std::string_view key, int64_t value) {
  PbWriter any;
  any.Varint(3, static_cast<uint64_t>(value));  // AnyValue.int_value
  PbWriter kv;
  kv.Bytes(1, key).Message(2, any);
  return kv;
}

PbWriter Resource() {
  PbWriter resource;
  resource.Message(1, StringAttribute("service.name", "klio-test"));
  return resource;
}

PbWriter Scope() {
  PbWriter scope;
  scope.Bytes(1, "klio.test").Bytes(2, "0.1.0");
  return scope;
}

// ExportTraceServiceRequest with one resource attribute and one CLIENT span.
std::string TraceRequest(std::string_view span_name = "wal.upload") {
  PbWriter status;
  status.Varint(3, 1);  // STATUS_CODE_OK
  PbWriter span;
  span.Bytes(1, FromHex(kTraceId))
      .Bytes(2, FromHex(kSpanId))
      .Bytes(5, span_name)
      .Varint(6, 3)  // SPAN_KIND_CLIENT
      .Fixed64(7, 1700000000000000000ull)
      .Fixed64(8, 1700000000250000000ull)
      .Message(9, IntAttribute("klio.bytes", 16777216))
      .Message(15, status);
  PbWriter scope_spans;
  scope_spans.Message(1, Scope()).Message(2, span);
  PbWriter resource_spans;
  resource_spans.Message(1, Resource()).Message(2, scope_spans);
  PbWriter request;
  request.Message(1, resource_spans);
  return request.data();
}

// ExportMetricsServiceRequest with one cumulative monotonic integer Sum.
std::string MetricsRequest() {
  PbWriter point;
  point.Fixed64(2, 1700000000000000000ull).Fixed64(3, 1700000010000000000ull).Fixed64(6, 42);
  PbWriter sum;
  sum.Message(1, point).Varint(2, 2).Varint(3, 1);  // CUMULATIVE, monotonic
  PbWriter metric;
  metric.Bytes(1, "klio.wal.segments").Bytes(3, "{segment}").Message(7, sum);
  PbWriter scope_metrics;
  scope_metrics.Message(1, Scope()).Message(2, metric);
  PbWriter resource_metrics;
  resource_metrics.Message(1, Resource()).Message(2, scope_metrics);
  PbWriter request;
  request.Message(1, resource_metrics);
  return request.data();
}

// ExportLogsServiceRequest with one INFO record tied to the span above.
std::string LogsRequest() {
  PbWriter body;
  body.Bytes(1, "segment archived");
  PbWriter record;
  record.Fixed64(1, 1700000000100000000ull)
      .Varint(2, 9)  // SEVERITY_NUMBER_INFO
      .Bytes(3, "INFO")
      .Message(5, body)
      .Bytes(9, FromHex(kTraceId))
      .Bytes(10, FromHex(kSpanId));
  PbWriter scope_logs;
  scope_logs.Message(1, Scope()).Message(2, record);
  PbWriter resource_logs;
  resource_logs.Message(1, Resource()).Message(2, scope_logs);
  PbWriter request;
  request.Message(1, resource_logs);
  return request.data();
}

std::string Gzip(const std::string& in) {
  z_stream zs{};
  // 15 window bits + 16 = a gzip header and trailer instead of zlib's.
  EXPECT_EQ(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&zs, in.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&zs, Z_FINISH), Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// ---- transports ------------------------------------------------------------------------------

struct HttpAnswer {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
};

size_t CollectBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t CollectHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n ") + 1);
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * n;
}

HttpAnswer PostOtlp(const OtlpReceiver& rx, const std::string& path, const std::string& body,
                    const std::vector<std::string>& extra_headers, long timeout_ms = 10000) {
  HttpAnswer out;
  CURL* c = curl_easy_init();
  std::string url = rx.http_endpoint() + path;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/x-protobuf");
  headers = curl_slist_append(headers, "Expect:");
  for (const auto& h : extra_headers) headers = curl_slist_append(headers, h.c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &CollectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &out.headers);
  out.rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return out;
}

struct GrpcAnswer {
  grpc::Status status;
  std::string response;  // serialized Export*ServiceResponse
  std::multimap<std::string, std::string> trailers;
};

GrpcAnswer ExportGrpc(const OtlpReceiver& rx, const std::string& method, const std::string& body,
                      bool gzip) {
  auto channel = grpc::CreateChannel(rx.grpc_target(), grpc::InsecureChannelCredentials());
  grpc::GenericStub stub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  ctx.AddMetadata("x-klio-test", "grpc-smoke");
  if (gzip) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
  grpc::Slice slice(body);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  std::promise<grpc::Status> done;
  stub.UnaryCall(&ctx, method, grpc::StubOptions(), &request, &response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  GrpcAnswer out;
  out.status = done.get_future().get();
  std::vector<grpc::Slice> slices;
  if (out.status.ok() && response.Dump(&slices).ok()) {
    for (const auto& s : slices)
      out.response.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  for (const auto& [k, v] : ctx.GetServerTrailingMetadata()) {
    out.trailers.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  return out;
}

constexpr char kTraceMethod[] = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
constexpr char kMetricsMethod[] = "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
constexpr char kLogsMethod[] = "/opentelemetry.proto.collector.logs.v1.LogsService/Export";

// ---- tests -----------------------------------------------------------------------------------

class OtlpFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto r = OtlpReceiver::Start();
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    rx_ = std::move(r).value();
  }

  // Checks the decoded form of TraceRequest().
  static void ExpectTheSpan(const nlohmann::json& stored) {
    ASSERT_TRUE(stored.contains("request")) << stored.dump(2);
    const auto& rs = stored["request"]["resourceSpans"][0];
    EXPECT_EQ(rs["resource"]["attributes"][0]["key"], "service.name");
    EXPECT_EQ(rs["resource"]["attributes"][0]["value"]["stringValue"], "klio-test");
    EXPECT_EQ(rs["scopeSpans"][0]["scope"]["name"], "klio.test");
    const auto& span = rs["scopeSpans"][0]["spans"][0];
    EXPECT_EQ(span["name"], "wal.upload");
    EXPECT_EQ(span["traceId"], kTraceId);
    EXPECT_EQ(span["spanId"], kSpanId);
    EXPECT_EQ(span["kind"], "SPAN_KIND_CLIENT");
    EXPECT_EQ(span["startTimeUnixNano"], "1700000000000000000");
    EXPECT_EQ(span["attributes"][0]["value"]["intValue"], "16777216");
    EXPECT_EQ(span["status"]["code"], "STATUS_CODE_OK");
    EXPECT_FALSE(span.contains("parentSpanId")) << "absent fields must stay absent";
  }

  std::unique_ptr<OtlpReceiver> rx_;
};

TEST_F(OtlpFixtureTest, EndpointsAreLoopback) {
  EXPECT_EQ(rx_->http_endpoint(), "http://127.0.0.1:" + std::to_string(rx_->http_port()));
  EXPECT_EQ(rx_->grpc_endpoint(), "http://127.0.0.1:" + std::to_string(rx_->grpc_port()));
  EXPECT_EQ(rx_->grpc_target(), "127.0.0.1:" + std::to_string(rx_->grpc_port()));
  EXPECT_TRUE(rx_->Received("traces").empty());
}

TEST_F(OtlpFixtureTest, HttpProtobufTraceIsDecoded) {
  HttpAnswer a = PostOtlp(*rx_, "/v1/traces", TraceRequest(),
                          {"traceparent: 00-" + std::string(kTraceId) + "-" + kSpanId + "-01",
                           "x-klio-header: custom"});
  ASSERT_EQ(a.rc, CURLE_OK);
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.headers["content-type"], "application/x-protobuf");
  EXPECT_TRUE(a.body.empty()) << "full success has no partial_success";
  ASSERT_TRUE(rx_->WaitForRequests("traces", 1).ok());
  auto got = rx_->Received("traces");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["transport"], "http");
  EXPECT_EQ(got[0]["path"], "/v1/traces");
  EXPECT_EQ(got[0]["content_encoding"], "identity");
  EXPECT_EQ(got[0]["headers"]["traceparent"],
            "00-" + std::string(kTraceId) + "-" + kSpanId + "-01");
  EXPECT_EQ(got[0]["headers"]["x-klio-header"], "custom");
  EXPECT_EQ(got[0]["response"]["http_status"], 200);
  ExpectTheSpan(got[0]);
  EXPECT_TRUE(rx_->Received("metrics").empty());
}

TEST_F(OtlpFixtureTest, HttpGzipTraceIsDecoded) {
  std::string body = Gzip(TraceRequest());
  HttpAnswer a = PostOtlp(*rx_, "/v1/traces", body, {"Content-Encoding: gzip"});
  ASSERT_EQ(a.rc, CURLE_OK);
  EXPECT_EQ(a.status, 200);
  auto got = rx_->Received("traces", "http");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["content_encoding"], "gzip");
  EXPECT_EQ(got[0]["body_bytes"], body.size());
  ExpectTheSpan(got[0]);
}

TEST_F(OtlpFixtureTest, GrpcTraceIsDecodedPlainAndGzip) {
  for (bool gzip : {false, true}) {
    GrpcAnswer a = ExportGrpc(*rx_, kTraceMethod, TraceRequest(), gzip);
    EXPECT_TRUE(a.status.ok()) << a.status.error_code() << " " << a.status.error_message();
    EXPECT_TRUE(a.response.empty());
  }
  auto got = rx_->Received("traces", "grpc");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["path"], kTraceMethod);
  EXPECT_EQ(got[0]["content_encoding"], "identity");
  EXPECT_EQ(got[1]["content_encoding"], "gzip");
  EXPECT_EQ(got[1]["headers"]["x-klio-test"], "grpc-smoke");
  EXPECT_EQ(got[1]["response"]["grpc_code"], 0);
  ExpectTheSpan(got[0]);
  ExpectTheSpan(got[1]);
}

TEST_F(OtlpFixtureTest, MetricsAndLogsAreDecoded) {
  ASSERT_EQ(PostOtlp(*rx_, "/v1/metrics", MetricsRequest(), {}).status, 200);
  ASSERT_TRUE(ExportGrpc(*rx_, kLogsMethod, LogsRequest(), false).status.ok());
  ASSERT_TRUE(ExportGrpc(*rx_, kMetricsMethod, MetricsRequest(), true).status.ok());
  ASSERT_EQ(PostOtlp(*rx_, "/v1/logs", LogsRequest(), {}).status, 200);

  auto metrics = rx_->Received("metrics");
  ASSERT_EQ(metrics.size(), 2u);
  for (const auto& m : metrics) {
    const auto& metric = m["request"]["resourceMetrics"][0]["scopeMetrics"][0]["metrics"][0];
    EXPECT_EQ(metric["name"], "klio.wal.segments") << m.dump(2);
    EXPECT_EQ(metric["unit"], "{segment}");
    EXPECT_EQ(metric["sum"]["aggregationTemporality"], "AGGREGATION_TEMPORALITY_CUMULATIVE");
    EXPECT_EQ(metric["sum"]["isMonotonic"], true);
    EXPECT_EQ(metric["sum"]["dataPoints"][0]["asInt"], "42");
  }
  auto logs = rx_->Received("logs");
  ASSERT_EQ(logs.size(), 2u);
  for (const auto& l : logs) {
    const auto& rec = l["request"]["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
    EXPECT_EQ(rec["severityNumber"], "SEVERITY_NUMBER_INFO") << l.dump(2);
    EXPECT_EQ(rec["severityText"], "INFO");
    EXPECT_EQ(rec["body"]["stringValue"], "segment archived");
    EXPECT_EQ(rec["traceId"], kTraceId);
    EXPECT_EQ(rec["spanId"], kSpanId);
  }
  EXPECT_EQ(logs[0]["transport"], "grpc");
  EXPECT_EQ(logs[1]["transport"], "http");
}

TEST_F(OtlpFixtureTest, HttpScripted503Then200) {
  ASSERT_TRUE(
      rx_->ScriptResponses("traces", "http",
                           nlohmann::json::array({{{"http_status", 503}, {"retry_after_s", 1}}}))
          .ok());
  HttpAnswer first = PostOtlp(*rx_, "/v1/traces", TraceRequest(), {});
  EXPECT_EQ(first.status, 503);
  EXPECT_EQ(first.headers["retry-after"], "1");
  HttpAnswer second = PostOtlp(*rx_, "/v1/traces", TraceRequest(), {});
  EXPECT_EQ(second.status, 200);
  auto got = rx_->Received("traces");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["response"]["http_status"], 503);
  EXPECT_EQ(got[1]["response"]["http_status"], 200);
  // The script is per transport: gRPC was not affected.
  EXPECT_TRUE(ExportGrpc(*rx_, kTraceMethod, TraceRequest(), false).status.ok());
}

TEST_F(OtlpFixtureTest, HttpPartialSuccessIsInTheResponseBody) {
  ASSERT_TRUE(rx_->ScriptResponses(
                     "logs", "http",
                     nlohmann::json::array(
                         {{{"partial_success", {{"rejected", 3}, {"error_message", "too old"}}}}}))
                  .ok());
  HttpAnswer a = PostOtlp(*rx_, "/v1/logs", LogsRequest(), {});
  ASSERT_EQ(a.status, 200);
  // ExportLogsServiceResponse.partial_success(1) = {rejected_log_records(1), error_message(2)}
  auto top = PbFields(a.body);
  ASSERT_EQ(top.count(1), 1u);
  auto partial = PbFields(top.find(1)->second);
  EXPECT_EQ(partial.find(1)->second, "3");
  EXPECT_EQ(partial.find(2)->second, "too old");
}

TEST_F(OtlpFixtureTest, GrpcScriptedUnavailableCarriesRetryInfo) {
  ASSERT_TRUE(
      rx_->ScriptResponses("traces", "grpc",
                           nlohmann::json::array({{{"grpc_code", 14}, {"retry_after_s", 2.5}}}))
          .ok());
  GrpcAnswer first = ExportGrpc(*rx_, kTraceMethod, TraceRequest(), false);
  EXPECT_EQ(first.status.error_code(), grpc::StatusCode::UNAVAILABLE);
  // google.rpc.Status{code 1, message 2, details 3: Any{type_url 1, value 2: RetryInfo{
  // retry_delay 1: Duration{seconds 1, nanos 2}}}}
  std::string details = first.status.error_details();
  ASSERT_FALSE(details.empty()) << "no grpc-status-details-bin";
  auto status = PbFields(details);
  EXPECT_EQ(status.find(1)->second, "14");
  ASSERT_EQ(status.count(3), 1u);
  auto any = PbFields(status.find(3)->second);
  EXPECT_EQ(any.find(1)->second, "type.googleapis.com/google.rpc.RetryInfo");
  auto retry_info = PbFields(any.find(2)->second);
  auto duration = PbFields(retry_info.find(1)->second);
  EXPECT_EQ(duration.find(1)->second, "2");
  EXPECT_EQ(duration.find(2)->second, "500000000");

  GrpcAnswer second = ExportGrpc(*rx_, kTraceMethod, TraceRequest(), false);
  EXPECT_TRUE(second.status.ok());
  auto got = rx_->Received("traces", "grpc");
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0]["response"]["grpc_code"], 14);
  EXPECT_EQ(got[1]["response"]["grpc_code"], 0);
}

TEST_F(OtlpFixtureTest, DelayedAnswerTimesTheClientOut) {
  ASSERT_TRUE(
      rx_->ScriptResponses("traces", "http", nlohmann::json::array({{{"delay_ms", 600000}}})).ok());
  HttpAnswer a = PostOtlp(*rx_, "/v1/traces", TraceRequest(), {}, /*timeout_ms=*/300);
  EXPECT_EQ(a.rc, CURLE_OPERATION_TIMEDOUT);
  // The request was still recorded on arrival.
  EXPECT_TRUE(rx_->WaitForRequests("traces", 1).ok());
}

TEST_F(OtlpFixtureTest, GarbageIsRecordedAsADecodeError) {
  HttpAnswer a = PostOtlp(*rx_, "/v1/traces", std::string("\x0a\xff\xff\xff", 4), {});
  EXPECT_EQ(a.status, 400);
  auto got = rx_->Received("traces");
  ASSERT_EQ(got.size(), 1u);
  EXPECT_TRUE(got[0].contains("decode_error")) << got[0].dump();
  EXPECT_FALSE(got[0].contains("request"));
}

TEST_F(OtlpFixtureTest, ClearForgetsRequestsAndScripts) {
  ASSERT_TRUE(
      rx_->ScriptResponses("traces", "http", nlohmann::json::array({{{"http_status", 500}}})).ok());
  ASSERT_EQ(PostOtlp(*rx_, "/v1/metrics", MetricsRequest(), {}).status, 200);
  ASSERT_TRUE(rx_->Clear().ok());
  EXPECT_TRUE(rx_->Received("metrics").empty());
  EXPECT_EQ(PostOtlp(*rx_, "/v1/traces", TraceRequest(), {}).status, 200);
  EXPECT_FALSE(rx_->ScriptResponses("spans", "http", nlohmann::json::array()).ok());
  Status timeout = rx_->WaitForRequests("logs", 1, std::chrono::milliseconds(100));
  EXPECT_EQ(timeout.code(), StatusCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace klio::testing
