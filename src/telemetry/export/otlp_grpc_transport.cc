// OTLP/gRPC transport (otel-reference §2.9): a unary call to
// /opentelemetry.proto.collector.<signal>.v1.<Service>/Export through grpc::GenericStub with
// the hand-encoded request bytes, so no generated code or libprotobuf message is involved.
// gRPC headers stay inside this file.
#include <grpcpp/create_channel.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/support/byte_buffer.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>

#include "telemetry/export/otlp_encode.h"
#include "telemetry/export/otlp_transport.h"

namespace klio::telemetry::exporter {
namespace {

using std::chrono::steady_clock;

std::string ExportMethod(Signal signal) {
  switch (signal) {
    case Signal::kTraces:
      return "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
    case Signal::kMetrics:
      return "/opentelemetry.proto.collector.metrics.v1.MetricsService/Export";
    case Signal::kLogs:
      return "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
  }
  return "";
}

Result<std::string> ReadPem(const std::string& path, Signal signal) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  if (in) ss << in.rdbuf();
  if (!in || ss.str().empty()) {
    return Status::InvalidArgument("otlp " + std::string(SignalName(signal)) +
                                   " exporter: cannot read tls file " + path);
  }
  return ss.str();
}

std::string_view GrpcCodeName(grpc::StatusCode code) {
  static constexpr std::string_view kNames[] = {"OK",
                                                "CANCELLED",
                                                "UNKNOWN",
                                                "INVALID_ARGUMENT",
                                                "DEADLINE_EXCEEDED",
                                                "NOT_FOUND",
                                                "ALREADY_EXISTS",
                                                "PERMISSION_DENIED",
                                                "RESOURCE_EXHAUSTED",
                                                "FAILED_PRECONDITION",
                                                "ABORTED",
                                                "OUT_OF_RANGE",
                                                "UNIMPLEMENTED",
                                                "INTERNAL",
                                                "UNAVAILABLE",
                                                "DATA_LOSS",
                                                "UNAUTHENTICATED"};
  const auto i = static_cast<std::size_t>(code);
  return i < std::size(kNames) ? kNames[i] : "UNKNOWN";
}

StatusCode ToStatusCode(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return StatusCode::kDeadlineExceeded;
    case grpc::StatusCode::INVALID_ARGUMENT:
      return StatusCode::kInvalidArgument;
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return StatusCode::kPermissionDenied;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return StatusCode::kResourceExhausted;
    case grpc::StatusCode::UNIMPLEMENTED:
      return StatusCode::kUnimplemented;
    case grpc::StatusCode::NOT_FOUND:
      return StatusCode::kNotFound;
    case grpc::StatusCode::CANCELLED:
      return StatusCode::kCancelled;
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::DATA_LOSS:
      return StatusCode::kInternal;
    default:
      return StatusCode::kUnavailable;
  }
}

class GrpcTransport final : public OtlpTransport {
 public:
  GrpcTransport(const OtlpOptions& options, std::shared_ptr<grpc::Channel> channel)
      : target_(options.endpoint),
        method_(ExportMethod(options.signal)),
        gzip_(options.compression == Compression::kGzip),
        stub_(std::move(channel)) {
    for (const auto& [key, value] : options.headers) {
      std::string lower = key;
      for (char& c : lower) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      metadata_.emplace_back(std::move(lower), value);
    }
  }

  AttemptOutcome Send(std::string_view request, steady_clock::time_point deadline) override {
    grpc::ClientContext ctx;
    // ClientContext wants a system_clock deadline; convert the remaining time.
    const auto now = steady_clock::now();
    const auto remaining = deadline > now ? deadline - now : steady_clock::duration::zero();
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::min<steady_clock::duration>(remaining, std::chrono::hours(24 * 365)));
    for (const auto& [key, value] : metadata_) ctx.AddMetadata(key, value);
    if (gzip_) ctx.set_compression_algorithm(GRPC_COMPRESS_GZIP);
    {
      std::lock_guard lock(mu_);
      if (cancelled_) return Cancelled();
      active_ = &ctx;
    }
    grpc::Slice slice(request.data(), request.size());
    grpc::ByteBuffer request_buffer(&slice, 1);
    grpc::ByteBuffer response_buffer;

    std::mutex done_mu;
    std::condition_variable done_cv;
    bool done = false;
    grpc::Status status;
    stub_.UnaryCall(&ctx, method_, grpc::StubOptions(), &request_buffer, &response_buffer,
                    [&](grpc::Status s) {
                      std::lock_guard lock(done_mu);
                      status = std::move(s);
                      done = true;
                      done_cv.notify_one();  // under the lock: the waiter owns these locals
                    });
    {
      std::unique_lock lock(done_mu);
      // gRPC ends the call at the context deadline; the grace period only guards against a
      // call that somehow outlives it. The callback must run before `ctx` goes away.
      if (!done_cv.wait_until(lock, deadline + std::chrono::milliseconds(500),
                              [&] { return done; })) {
        ctx.TryCancel();
        done_cv.wait(lock, [&] { return done; });
      }
    }
    bool cancelled;
    {
      std::lock_guard lock(mu_);
      active_ = nullptr;
      cancelled = cancelled_;
    }
    if (status.ok()) {
      grpc::Slice out;
      std::string body;
      if (response_buffer.Valid() && response_buffer.DumpToSingleSlice(&out).ok()) {
        body.assign(reinterpret_cast<const char*>(out.begin()), out.size());
      }
      return AttemptOutcome::Ok(std::move(body));
    }
    if (cancelled) return Cancelled();
    return Classify(status, ctx);
  }

  void Cancel() override {
    std::lock_guard lock(mu_);
    cancelled_ = true;
    if (active_ != nullptr) active_->TryCancel();
  }

 private:
  static AttemptOutcome Cancelled() {
    return AttemptOutcome::Permanent(Status::Cancelled("otlp grpc: exporter shut down"));
  }

  AttemptOutcome Classify(const grpc::Status& status, const grpc::ClientContext& ctx) const {
    std::string details = status.error_details();
    if (details.empty()) {
      const auto& trailers = ctx.GetServerTrailingMetadata();
      const auto it = trailers.find("grpc-status-details-bin");
      if (it != trailers.end()) details.assign(it->second.data(), it->second.size());
    }
    std::optional<std::chrono::nanoseconds> retry_delay;
    if (!details.empty()) {
      Result<RpcStatus> rpc = DecodeRpcStatus(details);
      if (rpc.ok()) retry_delay = rpc->retry_delay;
    }
    const grpc::StatusCode code = status.error_code();
    std::string message =
        "otlp grpc: " + method_ + " to " + target_ + ": " + std::string(GrpcCodeName(code));
    if (!status.error_message().empty()) message += ": " + status.error_message();
    Status s(ToStatusCode(code), std::move(message));
    if (IsRetryableGrpcCode(static_cast<int>(code), retry_delay.has_value())) {
      return AttemptOutcome::Retryable(std::move(s), retry_delay);
    }
    return AttemptOutcome::Permanent(std::move(s));
  }

  const std::string target_;
  const std::string method_;
  const bool gzip_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  grpc::GenericStub stub_;
  std::mutex mu_;
  bool cancelled_ = false;                 // guarded by mu_
  grpc::ClientContext* active_ = nullptr;  // guarded by mu_
};

}  // namespace

Result<std::unique_ptr<OtlpTransport>> MakeOtlpGrpcTransport(const OtlpOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.use_tls) {
    grpc::SslCredentialsOptions ssl;
    if (!options.certificate_file.empty()) {
      KLIO_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadPem(options.certificate_file, options.signal));
    }
    if (!options.client_certificate_file.empty() && !options.client_key_file.empty()) {
      KLIO_ASSIGN_OR_RETURN(ssl.pem_cert_chain,
                            ReadPem(options.client_certificate_file, options.signal));
      KLIO_ASSIGN_OR_RETURN(ssl.pem_private_key, ReadPem(options.client_key_file, options.signal));
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments args;
  args.SetUserAgentPrefix(std::string(OtlpUserAgent()));
  args.SetMaxSendMessageSize(static_cast<int>(options.max_request_bytes) + 1024);
  args.SetMaxReceiveMessageSize(4 << 20);
  // Each exporter gets its own connection, so two signals never share a stuck one.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  std::shared_ptr<grpc::Channel> channel =
      grpc::CreateCustomChannel(options.endpoint, credentials, args);
  if (channel == nullptr) {
    return Status::InvalidArgument("otlp grpc: cannot create a channel to " + options.endpoint);
  }
  return std::unique_ptr<OtlpTransport>(new GrpcTransport(options, std::move(channel)));
}

}  // namespace klio::telemetry::exporter
