// TEST ONLY: the echo service of testdata/test_echo.proto behind a real gRPC server on
// 127.0.0.1 (port 0), and an SDK harness (in-memory span exporter, pull metric reader) for the
// rpc tests. Every handler opens an rpc::ServerCallScope, logs one line ("echo unary", "echo
// stream", "echo bidi") and reports what it saw (request id, active span, peer identity).
//
// Thread-safety: EchoServer's handlers run on gRPC's threads; the objects themselves are used
// by the test thread.
#pragma once

#include <grpcpp/grpcpp.h>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/testdata/test_echo.grpc.pb.h"
#include "telemetry/sdk/meter_provider.h"
#include "telemetry/sdk/metric_reader.h"
#include "telemetry/sdk/testing_exporters.h"
#include "telemetry/sdk/tracer_provider.h"

namespace klio::rpc::testing {

// Tracer and meter providers recording into memory; installed globally by Install() until
// destruction.
class TelemetryHarness {
 public:
  TelemetryHarness();
  ~TelemetryHarness();
  void Install();

  // Spans exported so far, after waiting until at least `n` were (or 10 s).
  std::vector<telemetry::sdk::SpanData> WaitForSpans(std::size_t n) const;
  telemetry::sdk::ResourceMetrics Collect() { return reader_->Collect(); }

 private:
  std::shared_ptr<telemetry::sdk::testing::InMemorySpanExporter::Storage> spans_;
  telemetry::sdk::PullMetricReader* reader_ = nullptr;
  std::unique_ptr<telemetry::sdk::TracerProvider> tracer_provider_;
  std::unique_ptr<telemetry::sdk::MeterProvider> meter_provider_;
};

class EchoService;

class EchoServer {
 public:
  // Starts on 127.0.0.1:0 with the telemetry interceptor (unless `instrument` is false).
  explicit EchoServer(
      std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials(),
      bool instrument = true);
  ~EchoServer();

  bool ok() const { return server_ != nullptr && port_ > 0; }
  int port() const { return port_; }
  std::string target() const { return "127.0.0.1:" + std::to_string(port_); }

 private:
  std::unique_ptr<EchoService> service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

// A deadline 10 s from now for a test call.
void SetTestDeadline(grpc::ClientContext* context);

// ---- reading what was recorded ----

// Attributes as text (integers in decimal), keyed by name.
std::map<std::string, std::string> AttrMap(const telemetry::Attributes& attributes);

// The first span of `kind` named `name`; null when none.
const telemetry::sdk::SpanData* FindSpan(const std::vector<telemetry::sdk::SpanData>& spans,
                                         telemetry::sdk::SpanKind kind, std::string_view name);

struct HistogramMetric {
  std::string unit;
  std::vector<telemetry::sdk::HistogramPoint> points;
};

// The histogram `name` of scope klio.rpc; nullopt when absent (or not a histogram).
std::optional<HistogramMetric> FindHistogram(const telemetry::sdk::ResourceMetrics& metrics,
                                             std::string_view name);

// The point of `h` for `method` with rpc.response.status_code `status`; null when none.
const telemetry::sdk::HistogramPoint* PointWithStatus(const HistogramMetric& h,
                                                      std::string_view method,
                                                      std::string_view status);

}  // namespace klio::rpc::testing
