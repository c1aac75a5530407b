// OtlpReceiver: the OpenTelemetry peer of klio's tests, test/peers/otlp-receiver.js run with
// Node.js (docs/testing.md). It accepts OTLP/HTTP (protobuf or JSON, optionally gzip) and
// OTLP/gRPC (optionally gzip) for traces, metrics and logs, decodes every request with the
// official protobuf definitions (@opentelemetry/otlp-transformer 0.214.0) and keeps it as JSON.
//
// A stored request (Received()) looks like
//   {"seq": 1, "signal": "traces", "transport": "http" | "grpc", "path": "/v1/traces",
//    "headers": {"traceparent": "...", ...}, "content_type": "application/x-protobuf",
//    "content_encoding": "gzip" | "identity", "body_bytes": 88,
//    "request": {"resourceSpans": [...]},            // or "decode_error": "..."
//    "response": {"http_status": 200} | {"grpc_code": 14, "retry_after_s": 1}}
// where "request" is the protobufjs toObject form: lowerCamelCase names, 64-bit integers as
// decimal strings, enums as names ("SPAN_KIND_CLIENT"), traceId/spanId/parentSpanId as lowercase
// hex, other bytes as base64, and only the fields present on the wire (no defaults). For HTTP
// body_bytes counts the bytes on the wire; for gRPC the decompressed message.
//
// ScriptResponses() queues answers per signal and transport, consumed one per request; when the
// queue is empty the answer is success. An answer is
//   {"http_status": 503, "retry_after_s": 1}              HTTP error (+ Retry-After)
//   {"grpc_code": 14, "retry_after_s": 1}                 gRPC error (+ RetryInfo detail in
//                                                         grpc-status-details-bin)
//   {"partial_success": {"rejected": 2, "error_message": "..."}}   success with partial success
//   {"delay_ms": 600000}                                  answer late ("never" for a test)
//
// The destructor prints the receiver's log when the current gtest test has failed, stops it by
// PID and removes its temp dir (kept when KLIO_KEEP_TEST_DIRS is set).
//
// Thread-safety: every method may be called from many threads except the destructor.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "testing/node_peer.h"

namespace klio::testing {

struct OtlpReceiverOptions {
  std::chrono::milliseconds start_timeout = std::chrono::seconds(60);
};

class OtlpReceiver {
 public:
  // Starts the receiver. Fails when Node.js or the npm dependencies are missing (the message
  // says to run scripts/install-deps.sh) or the receiver does not become ready.
  static Result<std::unique_ptr<OtlpReceiver>> Start(OtlpReceiverOptions options = {});

  ~OtlpReceiver() = default;
  OtlpReceiver(const OtlpReceiver&) = delete;
  OtlpReceiver& operator=(const OtlpReceiver&) = delete;

  // "http://127.0.0.1:<http port>": OTEL_EXPORTER_OTLP_ENDPOINT for http/protobuf (the signal
  // paths /v1/traces, /v1/metrics, /v1/logs go below it).
  std::string http_endpoint() const;
  // "http://127.0.0.1:<grpc port>": OTEL_EXPORTER_OTLP_ENDPOINT for grpc.
  std::string grpc_endpoint() const;
  // "127.0.0.1:<grpc port>": the target for grpc::CreateChannel.
  std::string grpc_target() const;
  int http_port() const { return http_port_; }
  int grpc_port() const { return grpc_port_; }

  // The stored requests of `signal` ("traces", "metrics", "logs"), oldest first, optionally
  // only those of `transport` ("http" or "grpc"). On a control error, adds a gtest failure
  // and returns an empty vector.
  std::vector<nlohmann::json> Received(std::string_view signal, std::string_view transport = "");
  // Waits until at least `n` requests of `signal` are stored. DeadlineExceeded otherwise.
  Status WaitForRequests(std::string_view signal, size_t n,
                         std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Replaces the queue of scripted answers for `signal` and `transport` with `responses`
  // (a JSON array of answers, see above).
  Status ScriptResponses(std::string_view signal, std::string_view transport,
                         const nlohmann::json& responses);
  // Forgets every stored request and every scripted answer.
  Status Clear();

  std::string log() const { return peer_->log(); }
  std::string LogTail(int max_lines = 60) const { return peer_->LogTail(max_lines); }

 private:
  OtlpReceiver(std::unique_ptr<NodePeer> peer, int http_port, int grpc_port)
      : peer_(std::move(peer)), http_port_(http_port), grpc_port_(grpc_port) {}
  Result<std::vector<nlohmann::json>> Fetch(std::string_view signal, std::string_view transport);

  std::unique_ptr<NodePeer> peer_;
  int http_port_;
  int grpc_port_;
};

}  // namespace klio::testing
