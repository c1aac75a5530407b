// The client side of klio's gRPC telemetry: an interceptor that gives every outgoing call
//  * a CLIENT span named after the method, child of the calling thread's active span, with the
//    RPC semantic-convention attributes (server.address/server.port from the channel target)
//    and ERROR status for every code but OK;
//  * W3C traceparent/tracestate (that span's context) and baggage in the request metadata, and
//    x-request-id when the thread has a CallContext with one (call_context.h) and the caller
//    did not set it;
//  * the metrics rpc.client.call.duration (s), rpc.client.request.size and
//    rpc.client.response.size (By, per call) with the final status code.
// Channels get it through MakeInstrumentedChannel:
//
//   auto creds = rpc::MakeChannelCredentials(fs, tls);             // credentials.h
//   if (!creds.ok()) return creds.status();
//   auto channel = rpc::MakeInstrumentedChannel("wal.example:5432", *creds);
//   auto stub = klio::wal::v1::Wal::NewStub(channel);
//
// Without a tracer or meter provider the interceptor only propagates (the active context
// passes through unchanged) and skips timing, sizes and attributes.
//
// The interceptor must be created on the thread that starts the call (gRPC does so: the stub
// method creates it), because that thread's active span is the parent.
//
// Thread-safety: the factory is thread-safe; each interceptor serves one call.
// Design: docs/design/rpc-telemetry.md; otel-reference §4.5, §5.2, §5.3.
#pragma once

#include <memory>
#include <string>

#include "telemetry/propagation.h"

namespace grpc {
class Channel;
class ChannelArguments;
class ChannelCredentials;
namespace experimental {
class ClientInterceptorFactoryInterface;
}  // namespace experimental
}  // namespace grpc

namespace klio::rpc {

struct ClientTelemetryOptions {
  // The channel target, for server.address/server.port; empty: those attributes are omitted.
  std::string target;
  // Which headers are written (OTEL_PROPAGATORS, from the telemetry setup). Default: both.
  telemetry::Propagators propagators;
  // True: response messages are protobuf messages (generated stubs), sized with ByteSizeLong.
  // False: grpc::ByteBuffer (grpc::GenericStub). Must match every call on the channel.
  bool protobuf_messages = true;
};

// A factory for grpc::experimental::CreateCustomChannelWithInterceptors.
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>
NewClientTelemetryInterceptorFactory(ClientTelemetryOptions options = {});

// A channel to `target` whose calls go through the telemetry interceptor (`options.target` is
// set to `target`). Never fails: connection problems show up as UNAVAILABLE on the calls.
std::shared_ptr<grpc::Channel> MakeInstrumentedChannel(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials);
std::shared_ptr<grpc::Channel> MakeInstrumentedChannel(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    const grpc::ChannelArguments& args, ClientTelemetryOptions options = {});

}  // namespace klio::rpc
