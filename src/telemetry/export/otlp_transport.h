// OTLP transports: send one encoded Export*ServiceRequest and classify the answer.
// OTLP/HTTP (libcurl, otlp_http_transport.cc) and OTLP/gRPC (grpc::GenericStub,
// otlp_grpc_transport.cc). No gRPC or curl header is visible here.
//
// Thread-safety: Send is called by one thread at a time; Cancel may be called from any
// thread at any time.
// Design: docs/design/otlp-export.md §5–§7.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "base/result.h"
#include "telemetry/export/otlp_options.h"
#include "telemetry/export/otlp_retry.h"

namespace klio::telemetry::exporter {

class OtlpTransport {
 public:
  virtual ~OtlpTransport() = default;

  // Sends `request` (uncompressed protobuf bytes) once, blocking on network I/O until the
  // peer answers or `deadline` passes. Returns kOk with the response body, kRetryable
  // (connection failures, 429/502/503/504, retryable gRPC codes; with the server's delay
  // hint) or kPermanent (any other answer; Cancelled after Cancel()).
  virtual AttemptOutcome Send(std::string_view request,
                              std::chrono::steady_clock::time_point deadline) = 0;

  // Makes an in-flight Send return promptly with Cancelled, and every later Send too.
  virtual void Cancel() = 0;
};

// The User-Agent / gRPC user-agent prefix of our exporters.
std::string_view OtlpUserAgent();

// Builds the transport for `options.protocol`. Fails with InvalidArgument when a TLS file
// cannot be read (reads the certificate files; no network I/O).
Result<std::unique_ptr<OtlpTransport>> MakeOtlpTransport(const OtlpOptions& options);

// The individual transports (used by MakeOtlpTransport).
Result<std::unique_ptr<OtlpTransport>> MakeOtlpHttpTransport(const OtlpOptions& options);
Result<std::unique_ptr<OtlpTransport>> MakeOtlpGrpcTransport(const OtlpOptions& options);

}  // namespace klio::telemetry::exporter
