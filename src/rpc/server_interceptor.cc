#include "rpc/server_interceptor.h"

#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/server_builder.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_interceptor.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "env/random.h"
#include "rpc/call_registry.h"
#include "rpc/instruments.h"
#include "rpc/metadata_carrier.h"
#include "rpc/semconv.h"
#include "telemetry/trace.h"

namespace klio::rpc {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;
using grpc::experimental::ServerRpcInfo;
using telemetry::KeyValue;

bool IsGenericContext(const grpc::ServerContextBase* context) {
  return dynamic_cast<const grpc::GenericServerContext*>(context) != nullptr ||
         dynamic_cast<const grpc::GenericCallbackServerContext*>(context) != nullptr;
}

class ServerTelemetryInterceptor final : public grpc::experimental::Interceptor {
 public:
  ServerTelemetryInterceptor(ServerRpcInfo* info, const ServerTelemetryOptions& options)
      : options_(options),
        context_(info->server_context()),
        method_path_(info->method() != nullptr ? info->method() : ""),
        tracer_(telemetry::GetTracerProvider() != nullptr
                    ? telemetry::GetTracer(kInstrumentationScope)
                    : telemetry::Tracer()),
        metrics_(internal::ServerInstruments().duration.enabled()),
        measure_(tracer_.enabled() || metrics_),
        generic_(measure_ && IsGenericContext(context_)),
        start_(measure_ ? std::chrono::steady_clock::now()
                        : std::chrono::steady_clock::time_point()) {}

  ~ServerTelemetryInterceptor() override {
    Finish(/*from_destructor=*/true);
    if (info_ != nullptr) internal::UnregisterServerCall(context_, info_.get());
  }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      OnCallStart(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      auto* md = methods->GetSendInitialMetadata();
      if (md != nullptr && info_ != nullptr) {
        md->erase(std::string(kRequestIdHeader));
        md->emplace(std::string(kRequestIdHeader), info_->context.request_id);
      }
    }
    if (measure_) {
      if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
        request_bytes_.fetch_add(internal::ReceivedMessageSize(methods->GetRecvMessage(), generic_),
                                 std::memory_order_relaxed);
      }
      if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
        // Serialising here instead of a moment later costs nothing extra.
        if (const grpc::ByteBuffer* buffer = methods->GetSerializedSendMessage()) {
          response_bytes_.fetch_add(buffer->Length(), std::memory_order_relaxed);
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      std::lock_guard<std::mutex> lock(mu_);
      status_code_ = static_cast<int>(status.error_code());
      if (!status.ok()) status_message_ = status.error_message();
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_CLOSE)) {
      Finish(/*from_destructor=*/false);
    }
    methods->Proceed();
  }

 private:
  void OnCallStart(const internal::ReceivedMetadataCarrier::Map* metadata) {
    if (info_ != nullptr) return;  // once
    internal::ReceivedMetadataCarrier carrier(metadata);
    auto info = std::make_shared<internal::ServerCallInfo>();

    const std::string_view id = carrier.Get(kRequestIdHeader);
    info->context.request_id =
        IsValidRequestId(id)
            ? std::string(id)
            : NewRequestId(options_.random != nullptr ? *options_.random : env::DefaultRandom());
    if (options_.propagators.baggage) info->context.baggage = telemetry::ExtractBaggage(carrier);
    telemetry::SpanContext parent;
    if (options_.propagators.trace_context) parent = telemetry::ExtractTraceContext(carrier);

    method_ = ParseMethodPath(method_path_);
    telemetry::StartSpanOptions span_options{.kind = telemetry::SpanKind::kServer,
                                             .parent = std::move(parent)};
    if (tracer_.enabled()) span_options.attributes = StartAttributes();
    if (measure_) deadline_ = context_->deadline();
    // An invalid parent makes a root span: the handler thread's active span (if any) is not
    // this call's caller.
    info->span = tracer_.StartSpan(method_ ? std::string_view(*method_) : kRpcSystemGrpc,
                                   std::move(span_options));
    info_ = std::move(info);
    internal::RegisterServerCall(context_, info_);
  }

  telemetry::Attributes StartAttributes() const {
    telemetry::Attributes attrs;
    attrs.reserve(7);
    attrs.emplace_back(std::string(kAttrRpcSystemName), kRpcSystemGrpc);
    attrs.emplace_back(std::string(kAttrRpcMethod),
                       method_ ? std::string_view(*method_) : kOtherMethod);
    // The sync server reports unregistered methods as "unknown", not as the client's path.
    if (!method_ && !method_path_.empty() && method_path_.front() == '/') {
      attrs.emplace_back(std::string(kAttrRpcMethodOriginal), std::string_view(method_path_));
    }
    const grpc::string_ref authority = context_->ExperimentalGetAuthority();
    if (auto server = ParseAuthority({authority.data(), authority.size()})) {
      attrs.emplace_back(std::string(kAttrServerAddress),
                         telemetry::AttributeValue(std::move(server->host)));
      if (server->port != 0) attrs.emplace_back(std::string(kAttrServerPort), server->port);
    }
    if (auto peer = ParsePeer(context_->peer())) {
      attrs.emplace_back(std::string(kAttrNetworkPeerAddress),
                         telemetry::AttributeValue(std::move(peer->host)));
      if (peer->port != 0) attrs.emplace_back(std::string(kAttrNetworkPeerPort), peer->port);
    }
    return attrs;
  }

  // Ends the span and records the metrics, once. The context may already be gone when called
  // from the destructor, so it is not touched here.
  void Finish(bool from_destructor) {
    if (info_ == nullptr || !measure_ || finished_.exchange(true)) return;
    int code;
    std::string message;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (status_code_.has_value()) {
        code = *status_code_;
        message = std::move(status_message_);
      } else {
        // The call ended without a status from the handler: the client cancelled or the
        // deadline passed.
        const bool expired = std::chrono::system_clock::now() >= deadline_;
        code = expired ? static_cast<int>(grpc::StatusCode::DEADLINE_EXCEEDED)
                       : static_cast<int>(grpc::StatusCode::CANCELLED);
        message = from_destructor ? "call ended without a status" : "call cancelled";
      }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const std::string_view status_name = GrpcStatusName(code);
    const bool error = IsServerError(code);

    // rpc.server.* metric attributes: server.address/port are opt-in on the server.
    if (metrics_) {
      const KeyValue attrs[] = {
          {std::string(kAttrRpcSystemName), kRpcSystemGrpc},
          {std::string(kAttrRpcMethod), method_ ? std::string_view(*method_) : kOtherMethod},
          {std::string(kAttrRpcStatusCode), status_name},
          {std::string(kAttrErrorType), status_name}};
      const std::span<const KeyValue> list(attrs, error ? 4 : 3);
      const internal::RpcInstruments& m = internal::ServerInstruments();
      m.duration.Record(seconds, list);
      m.request_size.Record(request_bytes_.load(std::memory_order_relaxed), list);
      m.response_size.Record(response_bytes_.load(std::memory_order_relaxed), list);
    }

    // The span is shared with the handler's ServerCallScope; Span methods are thread-safe.
    telemetry::Span span = info_->span;
    span.SetAttribute(kAttrRpcStatusCode, status_name);
    if (error) {
      span.SetAttribute(kAttrErrorType, status_name);
      span.SetStatus(telemetry::SpanStatusCode::kError, message);
    }
    span.End();
  }

  const ServerTelemetryOptions options_;
  grpc::ServerContextBase* const context_;
  const std::string method_path_;
  const telemetry::Tracer tracer_;
  const bool metrics_;
  const bool measure_;  // anything to time and count at all
  const bool generic_;
  const std::chrono::steady_clock::time_point start_;

  // Set by OnCallStart (POST_RECV_INITIAL_METADATA), before any other hook that reads them.
  std::optional<std::string> method_;  // nullopt: not a well-formed method path (_OTHER)
  std::shared_ptr<internal::ServerCallInfo> info_;
  std::chrono::system_clock::time_point deadline_ = std::chrono::system_clock::time_point::max();

  std::atomic<std::uint64_t> request_bytes_{0};
  std::atomic<std::uint64_t> response_bytes_{0};
  std::atomic<bool> finished_{false};
  std::mutex mu_;
  std::optional<int> status_code_;  // guarded by mu_
  std::string status_message_;      // guarded by mu_
};

class ServerTelemetryFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit ServerTelemetryFactory(ServerTelemetryOptions options) : options_(options) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    return new ServerTelemetryInterceptor(info, options_);
  }

 private:
  const ServerTelemetryOptions options_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewServerTelemetryInterceptorFactory(ServerTelemetryOptions options) {
  return std::make_unique<ServerTelemetryFactory>(options);
}

void InstallServerTelemetry(
    grpc::ServerBuilder& builder, ServerTelemetryOptions options,
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> others) {
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> all;
  all.reserve(others.size() + 1);
  all.push_back(NewServerTelemetryInterceptorFactory(options));
  for (auto& f : others) all.push_back(std::move(f));
  builder.experimental().SetInterceptorCreators(std::move(all));
}

}  // namespace klio::rpc
