#include "rpc/instruments.h"

#include <google/protobuf/message_lite.h>
#include <grpcpp/support/byte_buffer.h>

#include <vector>

#include "rpc/semconv.h"

namespace klio::rpc::internal {
namespace {

telemetry::HistogramAdvice Buckets(const auto& bounds) {
  return {.explicit_bucket_boundaries = std::vector<double>(bounds.begin(), bounds.end())};
}

RpcInstruments Make(bool server) {
  const telemetry::Meter meter = telemetry::GetMeter(kInstrumentationScope);
  RpcInstruments out;
  out.duration = meter.CreateHistogram<double>(
      server ? kServerCallDuration : kClientCallDuration,
      server ? "Measures the duration of an incoming Remote Procedure Call (RPC)."
             : "Measures the duration of an outgoing Remote Procedure Call (RPC).",
      "s", Buckets(kDurationBuckets));
  out.request_size = meter.CreateHistogram<std::uint64_t>(
      server ? kServerRequestSize : kClientRequestSize,
      "Total uncompressed size of the request messages of one RPC.", "By", Buckets(kSizeBuckets));
  out.response_size = meter.CreateHistogram<std::uint64_t>(
      server ? kServerResponseSize : kClientResponseSize,
      "Total uncompressed size of the response messages of one RPC.", "By", Buckets(kSizeBuckets));
  return out;
}

}  // namespace

const RpcInstruments& ServerInstruments() {
  static const RpcInstruments instruments = Make(/*server=*/true);
  return instruments;
}

const RpcInstruments& ClientInstruments() {
  static const RpcInstruments instruments = Make(/*server=*/false);
  return instruments;
}

std::uint64_t ReceivedMessageSize(const void* message, bool byte_buffer) {
  if (message == nullptr) return 0;
  if (byte_buffer) return static_cast<const grpc::ByteBuffer*>(message)->Length();
  return static_cast<const google::protobuf::MessageLite*>(message)->ByteSizeLong();
}

}  // namespace klio::rpc::internal
