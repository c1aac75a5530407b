// The server side of klio's gRPC telemetry: an interceptor that gives every incoming call
//  * a SERVER span named after the method ("klio.wal.v1.Wal/Put"), child of the caller's span
//    (W3C traceparent/tracestate from the client metadata), with the RPC semantic-convention
//    attributes, ERROR status only for UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL,
//    UNAVAILABLE and DATA_LOSS;
//  * the metrics rpc.server.call.duration (s), rpc.server.request.size and
//    rpc.server.response.size (By, per call) with the final status code;
//  * a request id: the caller's x-request-id when valid, else 16 new hex digits, sent back in
//    the response's initial metadata as x-request-id;
//  * the caller's baggage.
// Handlers reach all of it with rpc::ServerCallScope (call_context.h).
//
//   grpc::ServerBuilder builder;
//   rpc::InstallServerTelemetry(builder);  // before BuildAndStart
//
// Without a tracer or meter provider the interceptor still handles request ids and passes the
// caller's trace context through (outgoing calls continue the caller's trace), and skips
// timing, sizes and attributes.
//
// Services must use protobuf messages (generated code) or the generic services (ByteBuffer);
// request sizes are read from the deserialized message (ByteSizeLong) or the ByteBuffer.
//
// Thread-safety: the factory is thread-safe; each interceptor serves one call, whose hooks
// gRPC may run on several threads (bidi streams read and write concurrently).
// Design: docs/design/rpc-telemetry.md; otel-reference §4.5, §5.2, §5.3.
#pragma once

#include <memory>
#include <vector>

#include "telemetry/propagation.h"

namespace grpc {
class ServerBuilder;
namespace experimental {
class ServerInterceptorFactoryInterface;
}  // namespace experimental
}  // namespace grpc

namespace klio::env {
class Random;
}  // namespace klio::env

namespace klio::rpc {

struct ServerTelemetryOptions {
  // Which headers are read (OTEL_PROPAGATORS, from the telemetry setup). Default: both.
  telemetry::Propagators propagators;
  // Where generated request ids come from; null: env::DefaultRandom(). Must outlive the server.
  env::Random* random = nullptr;
};

// A factory for grpc::ServerBuilder::experimental().SetInterceptorCreators.
std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
NewServerTelemetryInterceptorFactory(ServerTelemetryOptions options = {});

// Installs the telemetry interceptor first, then `others`, on `builder`. gRPC keeps only the
// last list given to SetInterceptorCreators, so every server interceptor goes through here.
void InstallServerTelemetry(
    grpc::ServerBuilder& builder, ServerTelemetryOptions options = {},
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> others =
        {});

}  // namespace klio::rpc
