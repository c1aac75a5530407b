#include "rpc/client_interceptor.h"

#include <grpcpp/client_context.h>
#include <grpcpp/create_channel.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/channel_arguments.h>
#include <grpcpp/support/client_interceptor.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rpc/call_context.h"
#include "rpc/instruments.h"
#include "rpc/metadata_carrier.h"
#include "rpc/semconv.h"
#include "telemetry/trace.h"

namespace klio::rpc {
namespace {

using grpc::experimental::ClientRpcInfo;
using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;
using telemetry::KeyValue;

// Per-channel state shared by the factory and its interceptors.
struct ClientChannelInfo {
  ClientTelemetryOptions options;
  std::optional<HostPort> server;  // parsed from options.target
};

class ClientTelemetryInterceptor final : public grpc::experimental::Interceptor {
 public:
  // Runs on the thread that starts the call: its active span is the parent.
  ClientTelemetryInterceptor(ClientRpcInfo* info, std::shared_ptr<const ClientChannelInfo> channel)
      : channel_(std::move(channel)),
        rpc_info_(info),
        method_(ParseMethodPath(info->method() != nullptr ? info->method() : "")),
        metrics_(internal::ClientInstruments().duration.enabled()) {
    telemetry::Tracer tracer;
    if (telemetry::GetTracerProvider() != nullptr) {
      tracer = telemetry::GetTracer(kInstrumentationScope);
    }
    measure_ = tracer.enabled() || metrics_;
    if (measure_) start_ = std::chrono::steady_clock::now();
    telemetry::StartSpanOptions span_options{.kind = telemetry::SpanKind::kClient};
    if (tracer.enabled()) span_options.attributes = StartAttributes(info);
    span_ = tracer.StartSpan(method_ ? std::string_view(*method_) : kRpcSystemGrpc,
                             std::move(span_options));
    if (const CallContext* context = CurrentCallContext()) call_context_ = *context;
  }

  ~ClientTelemetryInterceptor() override {
    // A call abandoned before its status arrived (a stream destroyed without Finish).
    Finish(static_cast<int>(grpc::StatusCode::CANCELLED), "call ended without a status");
  }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      if (auto* md = methods->GetSendInitialMetadata()) Inject(md);
    }
    if (measure_) {
      if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
        if (const grpc::ByteBuffer* buffer = methods->GetSerializedSendMessage()) {
          request_bytes_.fetch_add(buffer->Length(), std::memory_order_relaxed);
        }
      }
      if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
        response_bytes_.fetch_add(
            internal::ReceivedMessageSize(methods->GetRecvMessage(),
                                          !channel_->options.protobuf_messages),
            std::memory_order_relaxed);
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_STATUS)) {
      if (const grpc::Status* status = methods->GetRecvStatus()) {
        if (span_.IsRecording()) AddPeer();
        Finish(static_cast<int>(status->error_code()), status->error_message());
      }
    }
    methods->Proceed();
  }

 private:
  telemetry::Attributes StartAttributes(ClientRpcInfo* info) const {
    telemetry::Attributes attrs;
    attrs.reserve(5);
    attrs.emplace_back(std::string(kAttrRpcSystemName), kRpcSystemGrpc);
    attrs.emplace_back(std::string(kAttrRpcMethod),
                       method_ ? std::string_view(*method_) : kOtherMethod);
    if (!method_ && info->method() != nullptr) {
      attrs.emplace_back(std::string(kAttrRpcMethodOriginal), info->method());
    }
    if (channel_->server) {
      attrs.emplace_back(std::string(kAttrServerAddress), std::string_view(channel_->server->host));
      if (channel_->server->port != 0) {
        attrs.emplace_back(std::string(kAttrServerPort), channel_->server->port);
      }
    }
    return attrs;
  }

  void Inject(internal::SendMetadataCarrier::Map* md) {
    internal::SendMetadataCarrier carrier(md);
    const telemetry::Propagators& propagators = channel_->options.propagators;
    // The CLIENT span's context; without the SDK the caller's context passes through.
    if (propagators.trace_context) telemetry::InjectTraceContext(span_.context(), carrier);
    if (propagators.baggage && !call_context_.baggage.empty()) {
      telemetry::InjectBaggage(call_context_.baggage, carrier);
    }
    if (!call_context_.request_id.empty() && md->find(std::string(kRequestIdHeader)) == md->end()) {
      md->emplace(std::string(kRequestIdHeader), call_context_.request_id);
    }
  }

  // network.peer.*: the address actually connected to, known once the call ran.
  void AddPeer() {
    if (auto peer = ParsePeer(rpc_info_->client_context()->peer())) {
      span_.SetAttribute(kAttrNetworkPeerAddress, std::move(peer->host));
      if (peer->port != 0) span_.SetAttribute(kAttrNetworkPeerPort, peer->port);
    }
  }

  // Ends the span and records the metrics, once.
  void Finish(int code, std::string_view message) {
    if (finished_.exchange(true)) return;
    if (!measure_) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const std::string_view status_name = GrpcStatusName(code);
    const bool error = IsClientError(code);

    if (metrics_) {
      std::vector<KeyValue> attrs;
      attrs.reserve(6);
      attrs.emplace_back(std::string(kAttrRpcSystemName), kRpcSystemGrpc);
      attrs.emplace_back(std::string(kAttrRpcMethod),
                         method_ ? std::string_view(*method_) : kOtherMethod);
      attrs.emplace_back(std::string(kAttrRpcStatusCode), status_name);
      if (channel_->server) {
        attrs.emplace_back(std::string(kAttrServerAddress),
                           std::string_view(channel_->server->host));
        if (channel_->server->port != 0) {
          attrs.emplace_back(std::string(kAttrServerPort), channel_->server->port);
        }
      }
      if (error) attrs.emplace_back(std::string(kAttrErrorType), status_name);
      const internal::RpcInstruments& m = internal::ClientInstruments();
      m.duration.Record(seconds, attrs);
      m.request_size.Record(request_bytes_.load(std::memory_order_relaxed), attrs);
      m.response_size.Record(response_bytes_.load(std::memory_order_relaxed), attrs);
    }

    span_.SetAttribute(kAttrRpcStatusCode, status_name);
    if (error) {
      span_.SetAttribute(kAttrErrorType, status_name);
      span_.SetStatus(telemetry::SpanStatusCode::kError, message);
    }
    span_.End();
  }

  // Shared: a ClientContext (and so this interceptor) may outlive its channel.
  const std::shared_ptr<const ClientChannelInfo> channel_;
  ClientRpcInfo* const rpc_info_;
  const std::optional<std::string> method_;  // nullopt: not a well-formed path (_OTHER)
  const bool metrics_;
  bool measure_ = false;  // anything to time and count at all; set in the constructor
  std::chrono::steady_clock::time_point start_;
  telemetry::Span span_;
  CallContext call_context_;  // a copy: async calls may start after the caller's scope ended

  std::atomic<std::uint64_t> request_bytes_{0};
  std::atomic<std::uint64_t> response_bytes_{0};
  std::atomic<bool> finished_{false};
};

class ClientTelemetryFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit ClientTelemetryFactory(ClientTelemetryOptions options) {
    auto channel = std::make_shared<ClientChannelInfo>();
    channel->server = options.target.empty() ? std::nullopt : ParseTarget(options.target);
    channel->options = std::move(options);
    channel_ = std::move(channel);
  }
  grpc::experimental::Interceptor* CreateClientInterceptor(ClientRpcInfo* info) override {
    return new ClientTelemetryInterceptor(info, channel_);
  }

 private:
  std::shared_ptr<const ClientChannelInfo> channel_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>
NewClientTelemetryInterceptorFactory(ClientTelemetryOptions options) {
  return std::make_unique<ClientTelemetryFactory>(std::move(options));
}

std::shared_ptr<grpc::Channel> MakeInstrumentedChannel(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials) {
  return MakeInstrumentedChannel(target, credentials, grpc::ChannelArguments());
}

std::shared_ptr<grpc::Channel> MakeInstrumentedChannel(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    const grpc::ChannelArguments& args, ClientTelemetryOptions options) {
  options.target = target;
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(NewClientTelemetryInterceptorFactory(std::move(options)));
  return grpc::experimental::CreateCustomChannelWithInterceptors(target, credentials, args,
                                                                 std::move(factories));
}

}  // namespace klio::rpc
