// Prometheus pull endpoint: an HTTP server answering GET <path> (default /metrics) with one
// fresh metric collection per scrape, in text 0.0.4 or OpenMetrics 1.0.0 as the scraper's
// Accept header asks (prometheus_format.h), gzip-compressed when the scraper accepts it.
//
// The metrics SDK's pull reader provides the collect callback; the server only formats and
// serves. Other paths answer 404, other methods on the path 405.
//
// Thread-safety: Start, Stop and the destructor are called by the owner, not concurrently with
// each other. Scrapes run on the server's own threads; the collect callback is never called
// concurrently with itself (the server serialises it). port(), scrapes() are thread-safe.
// Design: docs/design/prometheus-export.md §4; otel-reference.md §1.8, §3.1, §3.5.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "telemetry/export/prometheus_format.h"
#include "telemetry/sdk/data.h"

namespace klio::telemetry::exporter {

struct PrometheusServerOptions {
  // Interface to listen on (OTEL_EXPORTER_PROMETHEUS_HOST). "localhost" means the IPv4
  // loopback 127.0.0.1; set "0.0.0.0" so that a scraper on another host can reach it.
  std::string host = "localhost";
  // TCP port (OTEL_EXPORTER_PROMETHEUS_PORT). 0 picks a free port; read it with port().
  int port = 9464;
  // The one path that serves metrics.
  std::string path = "/metrics";
  // Compress responses with gzip when the scraper sends `Accept-Encoding: gzip`.
  bool gzip = true;
};

// Reads OTEL_EXPORTER_PROMETHEUS_HOST and OTEL_EXPORTER_PROMETHEUS_PORT through `getenv`
// (which returns nullopt for an unset variable); empty values count as unset and keep the
// defaults of PrometheusServerOptions. Returns InvalidArgument naming the variable and echoing
// its value when the port is not a decimal integer in 0..65535 or the host contains
// whitespace or control characters. No side effects.
using EnvGetter = std::function<std::optional<std::string>(std::string_view)>;
Result<PrometheusServerOptions> PrometheusServerOptionsFromEnv(const EnvGetter& getenv);

// Picks the exposition format for an Accept header: the supported media range with the
// highest q-value (the earlier one on a tie). `application/openmetrics-text` (version absent,
// 0.0.1 or 1.0.0) selects OpenMetrics 1.0.0; `text/plain` (version absent, 0.0.4 or 1.0.0),
// `text/*` and `*/*` select text 0.0.4; anything else, including a missing or unparsable
// header, falls back to text 0.0.4.
Format NegotiateFormat(std::string_view accept);

class PrometheusServer {
 public:
  using CollectFn = std::function<sdk::ResourceMetrics()>;
  // Receives a line for every piece of data a scrape had to leave out (FormatReport notes),
  // and for failed collections. Called on a server thread; may be empty.
  using WarningFn = std::function<void(std::string_view)>;

  PrometheusServer(PrometheusServerOptions options, CollectFn collect, WarningFn warn = {});
  // Stops the server if it runs.
  ~PrometheusServer();
  PrometheusServer(const PrometheusServer&) = delete;
  PrometheusServer& operator=(const PrometheusServer&) = delete;

  // Binds host:port and starts serving on background threads; returns once the server
  // accepts connections. Errors: FailedPrecondition when the port is in use (the message names
  // OTEL_EXPORTER_PROMETHEUS_PORT), PermissionDenied for a privileged port, InvalidArgument
  // when the host does not resolve or the path does not start with '/', FailedPrecondition
  // when already started.
  Status Start();

  // Stops accepting, waits for in-flight scrapes (bounded by the 2 s read and 1 s keep-alive
  // timeouts of idle connections) and joins the server threads. Idempotent.
  void Stop();

  // The bound port (the chosen one when options.port was 0); 0 when not serving (before
  // Start succeeds and after Stop).
  int port() const;
  // Number of scrapes answered on the metrics path.
  std::uint64_t scrapes() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace klio::telemetry::exporter
