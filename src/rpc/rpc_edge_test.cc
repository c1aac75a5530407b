// Edge cases of the telemetry interceptors: callback-API generic services (ByteBuffer sizes,
// ServerCallScope in reactor callbacks), unknown methods, cancellation, expired deadlines,
// disabled propagators, baggage and request ids carried to the server by CallContextScope,
// and handlers of a server without the interceptor.
#include <gmock/gmock.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>

#include <future>
#include <mutex>
#include <string>
#include <vector>

#include "rpc/call_context.h"
#include "rpc/client_interceptor.h"
#include "rpc/echo_test_server.h"
#include "rpc/semconv.h"
#include "rpc/server_interceptor.h"
#include "telemetry/trace.h"

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

constexpr char kRawMethod[] = "klio.rpc.testing.Raw/Echo";

// A callback-API generic service echoing every message; records the request ids its reactor
// callbacks saw through ServerCallScope.
class RawEchoService final : public grpc::CallbackGenericService {
 public:
  grpc::ServerGenericBidiReactor* CreateReactor(
      grpc::GenericCallbackServerContext* context) override {
    return new Reactor(context, this);
  }

  std::vector<std::string> seen_request_ids() {
    std::lock_guard<std::mutex> lock(mu_);
    return seen_;
  }

 private:
  class Reactor final : public grpc::ServerGenericBidiReactor {
   public:
    Reactor(grpc::GenericCallbackServerContext* context, RawEchoService* service)
        : context_(context), service_(service) {
      StartRead(&buffer_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status::OK);
        return;
      }
      ServerCallScope call(context_);  // on whichever thread runs this callback
      {
        std::lock_guard<std::mutex> lock(service_->mu_);
        service_->seen_.push_back(call.request_id());
      }
      StartWrite(&buffer_);
    }
    void OnWriteDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
        return;
      }
      StartRead(&buffer_);
    }
    void OnDone() override { delete this; }

   private:
    grpc::GenericCallbackServerContext* const context_;
    RawEchoService* const service_;
    grpc::ByteBuffer buffer_;
  };

  std::mutex mu_;
  std::vector<std::string> seen_;  // guarded by mu_
};

grpc::ByteBuffer Bytes(const std::string& text) {
  grpc::Slice slice(text);
  return grpc::ByteBuffer(&slice, 1);
}

// A unary call through grpc::GenericStub (callback API), waited for.
grpc::Status GenericUnary(grpc::GenericStub& stub, grpc::ClientContext* context,
                          const std::string& method, const std::string& payload,
                          grpc::ByteBuffer* response) {
  std::promise<grpc::Status> done;
  const grpc::ByteBuffer request = Bytes(payload);
  stub.UnaryCall(context, method, grpc::StubOptions(), &request, response,
                 [&done](grpc::Status s) { done.set_value(std::move(s)); });
  return done.get_future().get();
}

std::string InitialMetadata(const grpc::ClientContext& context, const std::string& key) {
  const auto& md = context.GetServerInitialMetadata();
  const auto it = md.find(key);
  return it == md.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

class RpcEdgeTest : public ::testing::Test {
 protected:
  void SetUp() override { telemetry_.Install(); }

  // A server with the interceptor and the generic echo service on 127.0.0.1.
  std::unique_ptr<grpc::Server> StartRawServer(RawEchoService* service, int* port) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), port);
    builder.RegisterCallbackGenericService(service);
    InstallServerTelemetry(builder);
    return builder.BuildAndStart();
  }

  std::unique_ptr<grpc::GenericStub> RawStub(int port) {
    ClientTelemetryOptions options;
    options.protobuf_messages = false;  // ByteBuffer responses
    return std::make_unique<grpc::GenericStub>(MakeInstrumentedChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(),
        grpc::ChannelArguments(), options));
  }

  TelemetryHarness telemetry_;
};

TEST_F(RpcEdgeTest, CallbackGenericServiceIsTracedAndSized) {
  RawEchoService service;
  int port = 0;
  auto server = StartRawServer(&service, &port);
  ASSERT_NE(server, nullptr);
  auto stub = RawStub(port);
  grpc::ClientContext context;
  SetTestDeadline(&context);
  context.AddMetadata("x-request-id", "raw-7");
  grpc::ByteBuffer response;
  ASSERT_TRUE(
      GenericUnary(*stub, &context, std::string("/") + kRawMethod, "0123456789", &response).ok());
  EXPECT_EQ(response.Length(), 10u);
  EXPECT_EQ(InitialMetadata(context, "x-request-id"), "raw-7");
  EXPECT_EQ(service.seen_request_ids(), std::vector<std::string>{"raw-7"});

  const auto spans = telemetry_.WaitForSpans(2);
  const sdk::SpanData* client = FindSpan(spans, sdk::SpanKind::kClient, kRawMethod);
  const sdk::SpanData* server_span = FindSpan(spans, sdk::SpanKind::kServer, kRawMethod);
  ASSERT_NE(client, nullptr);
  ASSERT_NE(server_span, nullptr);
  EXPECT_EQ(server_span->parent_span_id, client->context.span_id);

  const auto metrics = telemetry_.Collect();
  for (const auto name :
       {kServerRequestSize, kServerResponseSize, kClientRequestSize, kClientResponseSize}) {
    const auto h = FindHistogram(metrics, name);
    ASSERT_TRUE(h.has_value()) << name;
    const auto* p = PointWithStatus(*h, kRawMethod, "OK");
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->sum, 10.0) << name;
  }
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
}

TEST_F(RpcEdgeTest, UnknownMethodIsUnimplementedAndReportedAsOther) {
  EchoServer server;
  ASSERT_TRUE(server.ok());
  auto stub = RawStub(server.port());
  grpc::ClientContext context;
  SetTestDeadline(&context);
  grpc::ByteBuffer response;
  EXPECT_EQ(
      GenericUnary(*stub, &context, "/klio.rpc.testing.Echo/Nope", "x", &response).error_code(),
      grpc::StatusCode::UNIMPLEMENTED);

  const auto spans = telemetry_.WaitForSpans(2);
  // gRPC hands the interceptor "unknown" instead of the path: span "grpc", method _OTHER, so
  // a client cannot mint new metric series by calling made-up methods.
  const sdk::SpanData* server_span = FindSpan(spans, sdk::SpanKind::kServer, "grpc");
  ASSERT_NE(server_span, nullptr);
  const auto attrs = AttrMap(server_span->attributes);
  EXPECT_EQ(attrs.at("rpc.method"), "_OTHER");
  EXPECT_EQ(attrs.count("rpc.method_original"), 0u);
  EXPECT_EQ(attrs.at("rpc.response.status_code"), "UNIMPLEMENTED");
  EXPECT_EQ(attrs.at("error.type"), "UNIMPLEMENTED");  // a server error per semconv
  EXPECT_EQ(server_span->status_code, sdk::SpanStatusCode::kError);
  // The client names what it called.
  EXPECT_NE(FindSpan(spans, sdk::SpanKind::kClient, "klio.rpc.testing.Echo/Nope"), nullptr);
  const auto duration = FindHistogram(telemetry_.Collect(), kServerCallDuration);
  ASSERT_TRUE(duration.has_value());
  EXPECT_NE(PointWithStatus(*duration, "_OTHER", "UNIMPLEMENTED"), nullptr);
}

TEST_F(RpcEdgeTest, CancelledStreamIsAClientError) {
  EchoServer server;
  ASSERT_TRUE(server.ok());
  auto stub =
      Echo::NewStub(MakeInstrumentedChannel(server.target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  SetTestDeadline(&context);
  auto stream = stub->Bidi(&context);
  EchoRequest request;
  request.set_message("one");
  ASSERT_TRUE(stream->Write(request));
  EchoResponse response;
  ASSERT_TRUE(stream->Read(&response));
  context.TryCancel();
  EXPECT_EQ(stream->Finish().error_code(), grpc::StatusCode::CANCELLED);

  const auto spans = telemetry_.WaitForSpans(2);
  const sdk::SpanData* client =
      FindSpan(spans, sdk::SpanKind::kClient, "klio.rpc.testing.Echo/Bidi");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->status_code, sdk::SpanStatusCode::kError);
  EXPECT_EQ(AttrMap(client->attributes).at("error.type"), "CANCELLED");
  const sdk::SpanData* server_span =
      FindSpan(spans, sdk::SpanKind::kServer, "klio.rpc.testing.Echo/Bidi");
  ASSERT_NE(server_span, nullptr);
  // CANCELLED is the caller's doing: never a server error.
  EXPECT_NE(server_span->status_code, sdk::SpanStatusCode::kError);
}

TEST_F(RpcEdgeTest, ExpiredDeadlineIsAClientError) {
  EchoServer server;
  ASSERT_TRUE(server.ok());
  auto stub =
      Echo::NewStub(MakeInstrumentedChannel(server.target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() - std::chrono::seconds(1));
  EchoResponse response;
  EXPECT_EQ(stub->Unary(&context, EchoRequest(), &response).error_code(),
            grpc::StatusCode::DEADLINE_EXCEEDED);
  const auto spans = telemetry_.WaitForSpans(1);
  const sdk::SpanData* client =
      FindSpan(spans, sdk::SpanKind::kClient, "klio.rpc.testing.Echo/Unary");
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->status_code, sdk::SpanStatusCode::kError);
  EXPECT_EQ(AttrMap(client->attributes).at("error.type"), "DEADLINE_EXCEEDED");
  const auto duration = FindHistogram(telemetry_.Collect(), kClientCallDuration);
  ASSERT_TRUE(duration.has_value());
  const auto* p = PointWithStatus(*duration, "klio.rpc.testing.Echo/Unary", "DEADLINE_EXCEEDED");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(AttrMap(p->attributes).at("error.type"), "DEADLINE_EXCEEDED");
}

TEST_F(RpcEdgeTest, CallContextScopeSendsRequestIdAndBaggage) {
  EchoServer server;
  ASSERT_TRUE(server.ok());
  auto stub =
      Echo::NewStub(MakeInstrumentedChannel(server.target(), grpc::InsecureChannelCredentials()));
  CallContext call_context{.request_id = "backup-2024",
                           .baggage = telemetry::Baggage().Set("tenant", "t 1")};
  EchoResponse response;
  {
    CallContextScope scope(call_context);
    grpc::ClientContext context;
    SetTestDeadline(&context);
    ASSERT_TRUE(stub->Unary(&context, EchoRequest(), &response).ok());
  }
  EXPECT_EQ(response.request_id(), "backup-2024");
  EXPECT_EQ(telemetry::Baggage::Parse(response.baggage()).Get("tenant"), "t 1");
  EXPECT_EQ(CurrentCallContext(), nullptr);

  // An explicit x-request-id wins over the thread's.
  CallContextScope scope(call_context);
  grpc::ClientContext context;
  SetTestDeadline(&context);
  context.AddMetadata("x-request-id", "explicit");
  ASSERT_TRUE(stub->Unary(&context, EchoRequest(), &response).ok());
  EXPECT_EQ(response.request_id(), "explicit");
}

TEST_F(RpcEdgeTest, DisabledPropagatorsStartANewTrace) {
  EchoServer server;
  ASSERT_TRUE(server.ok());
  ClientTelemetryOptions options;
  options.propagators = {.trace_context = false, .baggage = false};
  auto stub = Echo::NewStub(MakeInstrumentedChannel(
      server.target(), grpc::InsecureChannelCredentials(), grpc::ChannelArguments(), options));
  grpc::ClientContext context;
  SetTestDeadline(&context);
  EchoResponse response;
  ASSERT_TRUE(stub->Unary(&context, EchoRequest(), &response).ok());
  const auto spans = telemetry_.WaitForSpans(2);
  const sdk::SpanData* client =
      FindSpan(spans, sdk::SpanKind::kClient, "klio.rpc.testing.Echo/Unary");
  const sdk::SpanData* server_span =
      FindSpan(spans, sdk::SpanKind::kServer, "klio.rpc.testing.Echo/Unary");
  ASSERT_NE(client, nullptr);
  ASSERT_NE(server_span, nullptr);
  EXPECT_NE(server_span->context.trace_id, client->context.trace_id);
  EXPECT_FALSE(server_span->parent_span_id.IsValid());
}

TEST_F(RpcEdgeTest, HandlerOfAServerWithoutTheInterceptorGetsTheCallersRequestId) {
  EchoServer server(grpc::InsecureServerCredentials(), /*instrument=*/false);
  ASSERT_TRUE(server.ok());
  auto stub =
      Echo::NewStub(MakeInstrumentedChannel(server.target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  SetTestDeadline(&context);
  context.AddMetadata("x-request-id", "plain-1");
  EchoResponse response;
  ASSERT_TRUE(stub->Unary(&context, EchoRequest(), &response).ok());
  EXPECT_EQ(response.request_id(), "plain-1");
  EXPECT_EQ(InitialMetadata(context, "x-request-id"), "");
  const auto spans = telemetry_.WaitForSpans(1);
  EXPECT_EQ(spans.size(), 1u);  // the client's only
  EXPECT_TRUE(response.trace_id().empty());
}

}  // namespace
}  // namespace klio::rpc
