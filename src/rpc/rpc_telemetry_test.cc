// The telemetry interceptors over real gRPC on 127.0.0.1: spans and their parentage, semconv
// attributes and status mapping, RPC metrics, request ids, log correlation inside handlers,
// and the no-SDK path.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rpc/client_interceptor.h"
#include "rpc/echo_test_server.h"
#include "rpc/semconv.h"
#include "telemetry/log.h"
#include "telemetry/trace.h"
#include "testing/process.h"

namespace klio::rpc {
namespace {

namespace sdk = telemetry::sdk;
using klio::rpc::testing::AttrMap;
using klio::rpc::testing::Echo;
using klio::rpc::testing::EchoRequest;
using klio::rpc::testing::EchoResponse;
using klio::rpc::testing::EchoServer;
using klio::rpc::testing::FindHistogram;
using klio::rpc::testing::FindSpan;
using klio::rpc::testing::PointWithStatus;
using klio::rpc::testing::SetTestDeadline;
using klio::rpc::testing::TelemetryHarness;
using ::testing::ElementsAreArray;
using ::testing::IsEmpty;
using ::testing::Not;

constexpr char kUnaryMethod[] = "klio.rpc.testing.Echo/Unary";
constexpr char kBidiMethod[] = "klio.rpc.testing.Echo/Bidi";
constexpr char kStreamMethod[] = "klio.rpc.testing.Echo/ServerStream";

std::string InitialMetadata(const grpc::ClientContext& context, const std::string& key) {
  const auto& md = context.GetServerInitialMetadata();
  const auto it = md.find(key);
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

class RpcTelemetryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    telemetry_.Install();
    server_ = std::make_unique<EchoServer>();
    ASSERT_TRUE(server_->ok());
    stub_ = Echo::NewStub(
        MakeInstrumentedChannel(server_->target(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    stub_.reset();
    server_.reset();
  }

  grpc::Status CallUnary(const EchoRequest& request, EchoResponse* response,
                         grpc::ClientContext* context = nullptr) {
    grpc::ClientContext local;
    if (context == nullptr) context = &local;
    SetTestDeadline(context);
    return stub_->Unary(context, request, response);
  }

  TelemetryHarness telemetry_;
  std::unique_ptr<EchoServer> server_;
  std::unique_ptr<Echo::Stub> stub_;
};

void ExpectClientServerPair(const std::vector<sdk::SpanData>& spans, const char* method, int port) {
  const sdk::SpanData* client = FindSpan(spans, sdk::SpanKind::kClient, method);
  const sdk::SpanData* server = FindSpan(spans, sdk::SpanKind::kServer, method);
  ASSERT_NE(client, nullptr);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->context.trace_id, client->context.trace_id);
  EXPECT_EQ(server->parent_span_id, client->context.span_id);
  EXPECT_TRUE(server->parent_is_remote);
  EXPECT_FALSE(client->parent_span_id.IsValid());  // no active span in the test: a root
  EXPECT_EQ(client->scope->name, kInstrumentationScope);
  EXPECT_EQ(server->scope->name, kInstrumentationScope);

  const auto c = AttrMap(client->attributes);
  EXPECT_EQ(c.at("rpc.system.name"), "grpc");
  EXPECT_EQ(c.at("rpc.method"), method);
  EXPECT_EQ(c.at("rpc.response.status_code"), "OK");
  EXPECT_EQ(c.at("server.address"), "127.0.0.1");
  EXPECT_EQ(c.at("server.port"), std::to_string(port));
  EXPECT_EQ(c.at("network.peer.address"), "127.0.0.1");
  EXPECT_EQ(c.count("error.type"), 0u);
  EXPECT_EQ(client->status_code, sdk::SpanStatusCode::kUnset);

  const auto s = AttrMap(server->attributes);
  EXPECT_EQ(s.at("rpc.system.name"), "grpc");
  EXPECT_EQ(s.at("rpc.method"), method);
  EXPECT_EQ(s.at("rpc.response.status_code"), "OK");
  EXPECT_EQ(s.at("server.address"), "127.0.0.1");
  EXPECT_EQ(s.at("server.port"), std::to_string(port));
  EXPECT_EQ(s.at("network.peer.address"), "127.0.0.1");
  EXPECT_NE(s.at("network.peer.port"), "0");
  EXPECT_EQ(s.count("error.type"), 0u);
  EXPECT_EQ(server->status_code, sdk::SpanStatusCode::kUnset);
}

TEST_F(RpcTelemetryTest, UnaryCallMakesAClientAndAServerSpanInOneTrace) {
  EchoRequest request;
  request.set_message("hello");
  EchoResponse response;
  ASSERT_TRUE(CallUnary(request, &response).ok());

  const auto spans = telemetry_.WaitForSpans(2);
  ASSERT_EQ(spans.size(), 2u);
  ExpectClientServerPair(spans, kUnaryMethod, server_->port());
  // Inside the handler, the SERVER span was the active span.
  const sdk::SpanData* server = FindSpan(spans, sdk::SpanKind::kServer, kUnaryMethod);
  EXPECT_EQ(response.trace_id(), server->context.trace_id.ToHex());
  EXPECT_EQ(response.span_id(), server->context.span_id.ToHex());
}

TEST_F(RpcTelemetryTest, ClientSpanIsAChildOfTheActiveSpan) {
  telemetry::Tracer tracer = telemetry::GetTracer("klio.rpc.test");
  telemetry::Span parent = tracer.StartSpan("outer");
  {
    auto scope = telemetry::Tracer::WithActiveSpan(parent);
    EchoResponse response;
    ASSERT_TRUE(CallUnary(EchoRequest(), &response).ok());
  }
  parent.End();
  const auto spans = telemetry_.WaitForSpans(3);
  const sdk::SpanData* client = FindSpan(spans, sdk::SpanKind::kClient, kUnaryMethod);
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->parent_span_id, parent.context().span_id);
  EXPECT_EQ(client->context.trace_id, parent.context().trace_id);
}

TEST_F(RpcTelemetryTest, BidiStreamMakesOneSpanPairAndPerCallSizes) {
  grpc::ClientContext context;
  SetTestDeadline(&context);
  auto stream = stub_->Bidi(&context);
  std::uint64_t sent = 0;
  std::uint64_t received = 0;
  for (const char* text : {"a", "bb", "ccc"}) {
    EchoRequest request;
    request.set_message(text);
    sent += request.ByteSizeLong();
    ASSERT_TRUE(stream->Write(request));
    EchoResponse response;
    ASSERT_TRUE(stream->Read(&response));
    EXPECT_EQ(response.message(), text);
    EXPECT_THAT(response.request_id(), Not(IsEmpty()));
    received += response.ByteSizeLong();
  }
  ASSERT_TRUE(stream->WritesDone());
  ASSERT_TRUE(stream->Finish().ok());

  const auto spans = telemetry_.WaitForSpans(2);
  ASSERT_EQ(spans.size(), 2u);
  ExpectClientServerPair(spans, kBidiMethod, server_->port());

  const auto metrics = telemetry_.Collect();
  for (const auto& [name, expected] :
       {std::pair{kServerRequestSize, sent}, std::pair{kServerResponseSize, received},
        std::pair{kClientRequestSize, sent}, std::pair{kClientResponseSize, received}}) {
    const auto h = FindHistogram(metrics, name);
    ASSERT_TRUE(h.has_value()) << name;
    EXPECT_EQ(h->unit, "By");
    const sdk::HistogramPoint* p = PointWithStatus(*h, kBidiMethod, "OK");
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->count, 1u) << name << ": one point per call, not per message";
    EXPECT_EQ(p->sum, static_cast<double>(expected)) << name;
    EXPECT_THAT(p->explicit_bounds, ElementsAreArray(kSizeBuckets));
  }
}

TEST_F(RpcTelemetryTest, ServerStreamingHandlerSeesItsSpanAndRequestId) {
  grpc::ClientContext context;
  SetTestDeadline(&context);
  context.AddMetadata("x-request-id", "stream-42");
  EchoRequest request;
  request.set_message("m");
  request.set_repeat(3);
  auto reader = stub_->ServerStream(&context, request);
  EchoResponse response;
  int n = 0;
  while (reader->Read(&response)) {
    EXPECT_EQ(response.request_id(), "stream-42");
    EXPECT_EQ(response.message(), "m" + std::to_string(n));
    ++n;
  }
  ASSERT_TRUE(reader->Finish().ok());
  EXPECT_EQ(n, 3);
  EXPECT_EQ(InitialMetadata(context, "x-request-id"), "stream-42");
  const auto spans = telemetry_.WaitForSpans(2);
  ExpectClientServerPair(spans, kStreamMethod, server_->port());
  EXPECT_EQ(response.span_id(),
            FindSpan(spans, sdk::SpanKind::kServer, kStreamMethod)->context.span_id.ToHex());
}

TEST_F(RpcTelemetryTest, NotFoundIsAClientErrorButNotAServerError) {
  EchoRequest request;
  request.set_status_code(static_cast<int>(grpc::StatusCode::NOT_FOUND));
  request.set_status_message("no such segment");
  EchoResponse response;
  EXPECT_EQ(CallUnary(request, &response).error_code(), grpc::StatusCode::NOT_FOUND);

  const auto spans = telemetry_.WaitForSpans(2);
  const sdk::SpanData* client = FindSpan(spans, sdk::SpanKind::kClient, kUnaryMethod);
  const sdk::SpanData* server = FindSpan(spans, sdk::SpanKind::kServer, kUnaryMethod);
  ASSERT_NE(client, nullptr);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(client->status_code, sdk::SpanStatusCode::kError);
  EXPECT_EQ(client->status_message, "no such segment");
  EXPECT_EQ(AttrMap(client->attributes).at("error.type"), "NOT_FOUND");
  EXPECT_EQ(AttrMap(client->attributes).at("rpc.response.status_code"), "NOT_FOUND");
  EXPECT_EQ(server->status_code, sdk::SpanStatusCode::kUnset);
  EXPECT_EQ(AttrMap(server->attributes).count("error.type"), 0u);
  EXPECT_EQ(AttrMap(server->attributes).at("rpc.response.status_code"), "NOT_FOUND");

  const auto metrics = telemetry_.Collect();
  const auto server_duration = FindHistogram(metrics, kServerCallDuration);
  const auto client_duration = FindHistogram(metrics, kClientCallDuration);
  ASSERT_TRUE(server_duration && client_duration);
  const auto* sp = PointWithStatus(*server_duration, kUnaryMethod, "NOT_FOUND");
  const auto* cp = PointWithStatus(*client_duration, kUnaryMethod, "NOT_FOUND");
  ASSERT_NE(sp, nullptr);
  ASSERT_NE(cp, nullptr);
  EXPECT_EQ(AttrMap(sp->attributes).count("error.type"), 0u);
  EXPECT_EQ(AttrMap(cp->attributes).at("error.type"), "NOT_FOUND");
}

TEST_F(RpcTelemetryTest, InternalIsAnErrorOnBothSides) {
  EchoRequest request;
  request.set_status_code(static_cast<int>(grpc::StatusCode::INTERNAL));
  request.set_status_message("boom");
  EchoResponse response;
  EXPECT_EQ(CallUnary(request, &response).error_code(), grpc::StatusCode::INTERNAL);

  const auto spans = telemetry_.WaitForSpans(2);
  for (const auto kind : {sdk::SpanKind::kClient, sdk::SpanKind::kServer}) {
    const sdk::SpanData* span = FindSpan(spans, kind, kUnaryMethod);
    ASSERT_NE(span, nullptr);
    EXPECT_EQ(span->status_code, sdk::SpanStatusCode::kError);
    EXPECT_EQ(span->status_message, "boom");
    EXPECT_EQ(AttrMap(span->attributes).at("error.type"), "INTERNAL");
    EXPECT_EQ(AttrMap(span->attributes).at("rpc.response.status_code"), "INTERNAL");
  }
  const auto metrics = telemetry_.Collect();
  const auto server_duration = FindHistogram(metrics, kServerCallDuration);
  ASSERT_TRUE(server_duration.has_value());
  const auto* sp = PointWithStatus(*server_duration, kUnaryMethod, "INTERNAL");
  ASSERT_NE(sp, nullptr);
  EXPECT_EQ(AttrMap(sp->attributes).at("error.type"), "INTERNAL");
}

TEST_F(RpcTelemetryTest, DurationAndSizeHistogramsCarryTheSemconvAttributes) {
  EchoRequest request;
  request.set_message("hello");
  EchoResponse response;
  ASSERT_TRUE(CallUnary(request, &response).ok());
  telemetry_.WaitForSpans(2);  // the server records its metrics before it ends its span

  const auto metrics = telemetry_.Collect();
  const auto server = FindHistogram(metrics, kServerCallDuration);
  const auto client = FindHistogram(metrics, kClientCallDuration);
  ASSERT_TRUE(server.has_value());
  ASSERT_TRUE(client.has_value());
  EXPECT_EQ(server->unit, "s");
  EXPECT_EQ(client->unit, "s");
  ASSERT_EQ(server->points.size(), 1u);
  ASSERT_EQ(client->points.size(), 1u);

  EXPECT_EQ(AttrMap(server->points[0].attributes),
            (std::map<std::string, std::string>{{"rpc.method", kUnaryMethod},
                                                {"rpc.response.status_code", "OK"},
                                                {"rpc.system.name", "grpc"}}));
  EXPECT_EQ(AttrMap(client->points[0].attributes),
            (std::map<std::string, std::string>{{"rpc.method", kUnaryMethod},
                                                {"rpc.response.status_code", "OK"},
                                                {"rpc.system.name", "grpc"},
                                                {"server.address", "127.0.0.1"},
                                                {"server.port", std::to_string(server_->port())}}));
  for (const auto* h : {&*server, &*client}) {
    EXPECT_EQ(h->points[0].count, 1u);
    EXPECT_GT(*h->points[0].sum, 0.0);
    EXPECT_LT(*h->points[0].sum, 10.0);
    EXPECT_THAT(h->points[0].explicit_bounds, ElementsAreArray(kDurationBuckets));
  }
  // Client duration covers the server's.
  EXPECT_GE(*client->points[0].sum, *server->points[0].sum);

  const auto server_request = FindHistogram(metrics, kServerRequestSize);
  const auto client_response = FindHistogram(metrics, kClientResponseSize);
  ASSERT_TRUE(server_request && client_response);
  EXPECT_EQ(server_request->points.at(0).sum, static_cast<double>(request.ByteSizeLong()));
  EXPECT_EQ(client_response->points.at(0).sum, static_cast<double>(response.ByteSizeLong()));
}

TEST_F(RpcTelemetryTest, RequestIdFromTheCallerIsUsedAndReturned) {
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "req-abc-123");
  EchoResponse response;
  ASSERT_TRUE(CallUnary(EchoRequest(), &response, &context).ok());
  EXPECT_EQ(response.request_id(), "req-abc-123");
  EXPECT_EQ(InitialMetadata(context, "x-request-id"), "req-abc-123");
}

TEST_F(RpcTelemetryTest, RequestIdIsGeneratedWhenMissingOrInvalid) {
  for (const char* given : {"", "not valid!", "x\"y"}) {
    grpc::ClientContext context;
    if (*given != '\0') context.AddMetadata("x-request-id", given);
    EchoResponse response;
    ASSERT_TRUE(CallUnary(EchoRequest(), &response, &context).ok());
    const std::string id = response.request_id();
    EXPECT_EQ(id.size(), 16u) << given;
    EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
    EXPECT_EQ(InitialMetadata(context, "x-request-id"), id);
  }
}

TEST_F(RpcTelemetryTest, RequestIdIsReturnedWithAnErrorStatusToo) {
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "failing-call");
  EchoRequest request;
  request.set_status_code(static_cast<int>(grpc::StatusCode::PERMISSION_DENIED));
  EchoResponse response;
  EXPECT_EQ(CallUnary(request, &response, &context).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(InitialMetadata(context, "x-request-id"), "failing-call");
}

TEST_F(RpcTelemetryTest, NestedCallContinuesTheTraceAndTheRequestId) {
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "outer-1");
  EchoRequest request;
  request.set_forward(true);
  EchoResponse response;
  ASSERT_TRUE(CallUnary(request, &response, &context).ok());
  EXPECT_EQ(response.inner_request_id(), "outer-1");

  // client(test) -> server(Unary) -> client(handler) -> server(nested Unary)
  const auto spans = telemetry_.WaitForSpans(4);
  ASSERT_EQ(spans.size(), 4u);
  const sdk::SpanData* outer_client = nullptr;
  const sdk::SpanData* outer_server = nullptr;
  const sdk::SpanData* inner_client = nullptr;
  const sdk::SpanData* inner_server = nullptr;
  for (const auto& s : spans) {
    EXPECT_EQ(s.context.trace_id, spans[0].context.trace_id);
    const bool root = !s.parent_span_id.IsValid();
    if (s.kind == sdk::SpanKind::kClient) (root ? outer_client : inner_client) = &s;
  }
  ASSERT_NE(outer_client, nullptr);
  ASSERT_NE(inner_client, nullptr);
  for (const auto& s : spans) {
    if (s.kind != sdk::SpanKind::kServer) continue;
    if (s.parent_span_id == outer_client->context.span_id) outer_server = &s;
    if (s.parent_span_id == inner_client->context.span_id) inner_server = &s;
  }
  ASSERT_NE(outer_server, nullptr);
  ASSERT_NE(inner_server, nullptr);
  EXPECT_EQ(inner_client->parent_span_id, outer_server->context.span_id);
  EXPECT_EQ(response.inner_trace_id(), outer_client->context.trace_id.ToHex());
}

// Log lines written inside handlers carry request_id, trace_id and span_id.
class RpcLogCorrelationTest : public RpcTelemetryTest {
 protected:
  void SetUp() override {
    saved_ = log::CurrentOptions();
    path_ = dir_.Join("log.jsonl");
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd_, 0);
    log::Options options = saved_;
    options.fd = fd_;
    options.format = log::Format::kJson;
    options.level = log::Level::kInfo;
    log::Configure(options);
    RpcTelemetryTest::SetUp();
  }
  void TearDown() override {
    RpcTelemetryTest::TearDown();
    log::Configure(saved_);
    ::close(fd_);
  }

  // The JSON lines whose msg is `message`, once at least `n` arrived (klio::log may write
  // info lines from a background thread) or after 10 s.
  std::vector<nlohmann::json> WaitForLines(std::string_view message, std::size_t n) const {
    std::vector<nlohmann::json> lines;
    (void)klio::testing::WaitFor(
        [&] {
          lines = Lines(message);
          return lines.size() >= n;
        },
        std::chrono::seconds(10), "log lines");
    return lines;
  }

  // The complete JSON lines written so far whose msg is `message`.
  std::vector<nlohmann::json> Lines(std::string_view message) const {
    std::ifstream in(path_);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<nlohmann::json> out;
    size_t start = 0;
    for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
      const std::string line = text.substr(start, end - start);
      auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      EXPECT_FALSE(j.is_discarded()) << line;
      if (!j.is_discarded() && j.value("msg", "") == message) out.push_back(std::move(j));
    }
    return out;
  }

  klio::testing::TempDir dir_{"klio-rpc-log"};
  std::string path_;
  int fd_ = -1;
  log::Options saved_;
};

TEST_F(RpcLogCorrelationTest, UnaryHandlerLogLineCarriesRequestAndTraceIds) {
  grpc::ClientContext context;
  context.AddMetadata("x-request-id", "log-req-1");
  EchoRequest request;
  request.set_message("hello");
  EchoResponse response;
  ASSERT_TRUE(CallUnary(request, &response, &context).ok());
  const auto spans = telemetry_.WaitForSpans(2);
  const sdk::SpanData* server = FindSpan(spans, sdk::SpanKind::kServer, kUnaryMethod);
  ASSERT_NE(server, nullptr);

  const auto lines = WaitForLines("echo unary", 1);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["request_id"], "log-req-1");
  EXPECT_EQ(lines[0]["trace_id"], server->context.trace_id.ToHex());
  EXPECT_EQ(lines[0]["span_id"], server->context.span_id.ToHex());
  EXPECT_EQ(lines[0]["logger"], "klio.rpc.test");
}

TEST_F(RpcLogCorrelationTest, StreamingHandlerLogLinesCarryRequestAndTraceIds) {
  {
    grpc::ClientContext context;
    SetTestDeadline(&context);
    auto stream = stub_->Bidi(&context);
    for (const char* text : {"one", "two"}) {
      EchoRequest request;
      request.set_message(text);
      ASSERT_TRUE(stream->Write(request));
      EchoResponse response;
      ASSERT_TRUE(stream->Read(&response));
    }
    ASSERT_TRUE(stream->WritesDone());
    ASSERT_TRUE(stream->Finish().ok());
  }
  {
    grpc::ClientContext context;
    SetTestDeadline(&context);
    EchoRequest request;
    request.set_repeat(1);
    auto reader = stub_->ServerStream(&context, request);
    EchoResponse response;
    while (reader->Read(&response)) {
    }
    ASSERT_TRUE(reader->Finish().ok());
  }
  const auto spans = telemetry_.WaitForSpans(4);
  for (const auto& [message, method, count] :
       {std::tuple{"echo bidi", kBidiMethod, 2u}, std::tuple{"echo stream", kStreamMethod, 1u}}) {
    const sdk::SpanData* server = FindSpan(spans, sdk::SpanKind::kServer, method);
    ASSERT_NE(server, nullptr) << method;
    const auto lines = WaitForLines(message, count);
    ASSERT_EQ(lines.size(), count) << message;
    for (const auto& line : lines) {
      EXPECT_EQ(line["trace_id"], server->context.trace_id.ToHex()) << message;
      EXPECT_EQ(line["span_id"], server->context.span_id.ToHex()) << message;
      ASSERT_TRUE(line.contains("request_id")) << message;
      EXPECT_EQ(line["request_id"].get<std::string>().size(), 16u) << message;
    }
  }
}

// No SDK installed: calls work, request ids still flow, the caller's trace context passes
// through, and nothing is recorded.
TEST(RpcWithoutTelemetryTest, InterceptorsAreNoOpsButPropagate) {
  ASSERT_EQ(telemetry::GetTracerProvider(), nullptr);
  ASSERT_EQ(telemetry::GetMeterProvider(), nullptr);
  EchoServer server;
  ASSERT_TRUE(server.ok());
  auto stub =
      Echo::NewStub(MakeInstrumentedChannel(server.target(), grpc::InsecureChannelCredentials()));

  constexpr char kTraceId[] = "4bf92f3577b34da6a3ce929d0e0e4736";
  grpc::ClientContext context;
  SetTestDeadline(&context);
  context.AddMetadata("traceparent", std::string("00-") + kTraceId + "-00f067aa0ba902b7-01");
  EchoRequest request;
  request.set_message("plain");
  request.set_forward(true);
  EchoResponse response;
  ASSERT_TRUE(stub->Unary(&context, request, &response).ok());
  EXPECT_EQ(response.message(), "plain");
  EXPECT_EQ(response.request_id().size(), 16u);
  EXPECT_EQ(InitialMetadata(context, "x-request-id"), response.request_id());
  EXPECT_EQ(response.inner_request_id(), response.request_id());
  // The no-op tracer keeps the caller's context active in the handler and sends it onwards.
  EXPECT_EQ(response.trace_id(), kTraceId);
  EXPECT_EQ(response.span_id(), "00f067aa0ba902b7");
  EXPECT_EQ(response.inner_trace_id(), kTraceId);

  // An SDK installed afterwards has nothing from those calls.
  TelemetryHarness late;
  late.Install();
  const auto metrics = late.Collect();
  for (const auto name : {kServerCallDuration, kClientCallDuration, kServerRequestSize}) {
    const auto h = FindHistogram(metrics, name);
    EXPECT_TRUE(!h.has_value() || h->points.empty()) << name;
  }
}

}  // namespace
}  // namespace klio::rpc
