#include "rpc/echo_test_server.h"

#include <chrono>
#include <cstdlib>
#include <utility>
#include <variant>

#include "rpc/call_context.h"
#include "rpc/client_interceptor.h"
#include "rpc/peer_identity.h"
#include "rpc/semconv.h"
#include "rpc/server_interceptor.h"
#include "telemetry/log.h"
#include "telemetry/metrics.h"
#include "telemetry/sdk/span_processor.h"
#include "telemetry/trace.h"

namespace klio::rpc::testing {
namespace {

namespace sdk = telemetry::sdk;
using klio::rpc::testing::EchoRequest;
using klio::rpc::testing::EchoResponse;

// gRPC's c-ares resolver leaks a few bytes under LSan; these tests only use IP literals.
const bool kNativeResolver = [] { return setenv("GRPC_DNS_RESOLVER", "native", 1) == 0; }();

grpc::Status StatusOf(const EchoRequest& request) {
  if (request.status_code() == 0) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(request.status_code()),
                      request.status_message());
}

std::string ToString(const telemetry::AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, bool>) {
          return v ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t> || std::is_same_v<T, double>) {
          return std::to_string(v);
        } else {
          return "<array>";
        }
      },
      value);
}

}  // namespace

class EchoService final : public klio::rpc::testing::Echo::Service {
 public:
  void ConnectForwarding(const std::string& target) {
    forward_ = Echo::NewStub(MakeInstrumentedChannel(target, grpc::InsecureChannelCredentials()));
  }

  grpc::Status Unary(grpc::ServerContext* context, const EchoRequest* request,
                     EchoResponse* response) override {
    ServerCallScope call(context);
    logger_.Info("echo unary", {{"message", request->message()}});
    Describe(*context, call, request->message(), response);
    if (request->forward() && forward_ != nullptr) {
      grpc::ClientContext inner_context;
      SetTestDeadline(&inner_context);
      EchoRequest inner;
      inner.set_message("inner");
      EchoResponse inner_response;
      const grpc::Status s = forward_->Unary(&inner_context, inner, &inner_response);
      if (!s.ok()) return s;
      response->set_inner_request_id(inner_response.request_id());
      response->set_inner_trace_id(inner_response.trace_id());
    }
    return StatusOf(*request);
  }

  grpc::Status ServerStream(grpc::ServerContext* context, const EchoRequest* request,
                            grpc::ServerWriter<EchoResponse>* writer) override {
    ServerCallScope call(context);
    logger_.Info("echo stream", {{"repeat", request->repeat()}});
    for (int i = 0; i < request->repeat(); ++i) {
      EchoResponse response;
      Describe(*context, call, request->message() + std::to_string(i), &response);
      if (!writer->Write(response)) break;
    }
    return StatusOf(*request);
  }

  grpc::Status Bidi(grpc::ServerContext* context,
                    grpc::ServerReaderWriter<EchoResponse, EchoRequest>* stream) override {
    ServerCallScope call(context);
    EchoRequest request;
    grpc::Status status;
    while (stream->Read(&request)) {
      logger_.Info("echo bidi", {{"message", request.message()}});
      EchoResponse response;
      Describe(*context, call, request.message(), &response);
      stream->Write(response);
      status = StatusOf(request);
    }
    return status;
  }

 private:
  static void Describe(const grpc::ServerContext& context, const ServerCallScope& call,
                       const std::string& message, EchoResponse* response) {
    response->set_message(message);
    response->set_request_id(call.request_id());
    response->set_peer_identity(PeerIdentity(context));
    response->set_baggage(call.baggage().ToHeader());
    const telemetry::SpanContext active = telemetry::CurrentSpanContext();
    if (active.IsValid()) {
      response->set_trace_id(active.trace_id.ToHex());
      response->set_span_id(active.span_id.ToHex());
    }
  }

  const log::Logger logger_ = log::GetLogger("klio.rpc.test");
  std::unique_ptr<Echo::Stub> forward_;
};

TelemetryHarness::TelemetryHarness() {
  auto exporter = std::make_unique<sdk::testing::InMemorySpanExporter>();
  spans_ = exporter->storage();
  sdk::TracerProviderOptions trace_options;
  trace_options.processors.push_back(std::make_unique<sdk::SimpleSpanProcessor>(
      std::move(exporter), std::make_shared<const telemetry::Resource>()));
  tracer_provider_ = std::make_unique<sdk::TracerProvider>(std::move(trace_options));

  auto reader = std::make_unique<sdk::PullMetricReader>();
  reader_ = reader.get();
  sdk::MeterProviderOptions metric_options;
  metric_options.readers.push_back(std::move(reader));
  meter_provider_ = std::make_unique<sdk::MeterProvider>(std::move(metric_options));
}

TelemetryHarness::~TelemetryHarness() {
  telemetry::SetTracerProvider(nullptr);
  telemetry::SetMeterProvider(nullptr);
}

void TelemetryHarness::Install() {
  telemetry::SetTracerProvider(tracer_provider_.get());
  telemetry::SetMeterProvider(meter_provider_.get());
}

std::vector<sdk::SpanData> TelemetryHarness::WaitForSpans(std::size_t n) const {
  spans_->WaitForCount(n, std::chrono::seconds(10));
  return spans_->Items();
}

EchoServer::EchoServer(std::shared_ptr<grpc::ServerCredentials> credentials, bool instrument)
    : service_(std::make_unique<EchoService>()) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", std::move(credentials), &port_);
  builder.RegisterService(service_.get());
  if (instrument) InstallServerTelemetry(builder);
  server_ = builder.BuildAndStart();
  if (ok()) service_->ConnectForwarding(target());
}

EchoServer::~EchoServer() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    server_->Wait();
  }
}

void SetTestDeadline(grpc::ClientContext* context) {
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
}

std::map<std::string, std::string> AttrMap(const telemetry::Attributes& attributes) {
  std::map<std::string, std::string> out;
  for (const auto& kv : attributes) out[kv.key] = ToString(kv.value);
  return out;
}

const sdk::SpanData* FindSpan(const std::vector<sdk::SpanData>& spans, sdk::SpanKind kind,
                              std::string_view name) {
  for (const auto& s : spans) {
    if (s.kind == kind && s.name == name) return &s;
  }
  return nullptr;
}

std::optional<HistogramMetric> FindHistogram(const sdk::ResourceMetrics& metrics,
                                             std::string_view name) {
  for (const auto& scope : metrics.scopes) {
    if (scope.scope.name != kInstrumentationScope) continue;
    for (const auto& m : scope.metrics) {
      if (m.name != name) continue;
      const auto* h = std::get_if<sdk::HistogramData>(&m.data);
      if (h == nullptr) return std::nullopt;
      return HistogramMetric{m.unit, h->points};
    }
  }
  return std::nullopt;
}

const sdk::HistogramPoint* PointWithStatus(const HistogramMetric& h, std::string_view method,
                                           std::string_view status) {
  for (const auto& p : h.points) {
    const auto attrs = AttrMap(p.attributes);
    if (attrs.count("rpc.method") != 0 && attrs.at("rpc.method") == method &&
        attrs.count("rpc.response.status_code") != 0 &&
        attrs.at("rpc.response.status_code") == status) {
      return &p;
    }
  }
  return nullptr;
}

}  // namespace klio::rpc::testing
