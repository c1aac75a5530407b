// INTERNAL to src/rpc: the RPC metric instruments (meter "klio.rpc") shared by the client and
// server interceptors, created once and following whichever meter provider is installed, and
// the message sizing both use.
//
// Thread-safety: the instruments are immutable values; Server()/Client() are thread-safe.
// Design: docs/design/rpc-telemetry.md §4.
#pragma once

#include <cstdint>

#include "telemetry/metrics.h"

namespace klio::rpc::internal {

struct RpcInstruments {
  telemetry::Histogram<double> duration;              // s
  telemetry::Histogram<std::uint64_t> request_size;   // By, per call
  telemetry::Histogram<std::uint64_t> response_size;  // By, per call
};

const RpcInstruments& ServerInstruments();
const RpcInstruments& ClientInstruments();

// The uncompressed size of a message gRPC received and deserialized: a grpc::ByteBuffer
// (generic services and stubs) or a protobuf message (generated code). 0 for null.
std::uint64_t ReceivedMessageSize(const void* message, bool byte_buffer);

}  // namespace klio::rpc::internal
