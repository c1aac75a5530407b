// Test and benchmark data for the Prometheus exporter: a realistic collection with the klio
// metrics of SPEC.md §2 and every OTel data type, and a generator of N series.
//
// Thread-safety: pure functions. Test-only; never linked into klio.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "telemetry/common.h"
#include "telemetry/sdk/data.h"

namespace klio::telemetry::exporter::testdata {

inline sdk::NumberPoint IntPoint(std::int64_t v, Attributes attrs = {}) {
  sdk::NumberPoint p;
  p.attributes = std::move(attrs);
  p.start_time_unix_nano = 1700000000000000000ull;
  p.time_unix_nano = 1700000060000000000ull;
  p.value = v;
  return p;
}

inline sdk::NumberPoint DoublePoint(double v, Attributes attrs = {}) {
  sdk::NumberPoint p = IntPoint(0, std::move(attrs));
  p.value = v;
  return p;
}

inline sdk::MetricData Counter(std::string name, std::string unit, std::string help,
                               std::vector<sdk::NumberPoint> points) {
  sdk::SumData sum;
  sum.points = std::move(points);
  sum.is_monotonic = true;
  sum.temporality = sdk::Temporality::kCumulative;
  return sdk::MetricData{std::move(name), std::move(help), std::move(unit), std::move(sum)};
}

inline sdk::MetricData UpDown(std::string name, std::string unit, std::string help,
                              std::vector<sdk::NumberPoint> points) {
  sdk::MetricData m = Counter(std::move(name), std::move(unit), std::move(help), std::move(points));
  std::get<sdk::SumData>(m.data).is_monotonic = false;
  return m;
}

inline sdk::MetricData Gauge(std::string name, std::string unit, std::string help,
                             std::vector<sdk::NumberPoint> points) {
  sdk::GaugeData gauge;
  gauge.points = std::move(points);
  return sdk::MetricData{std::move(name), std::move(help), std::move(unit), std::move(gauge)};
}

// A histogram point from per-bucket counts (bounds.size() + 1 of them).
inline sdk::HistogramPoint HistPoint(std::vector<double> bounds, std::vector<std::uint64_t> counts,
                                     double sum, Attributes attrs = {}) {
  sdk::HistogramPoint p;
  p.attributes = std::move(attrs);
  p.start_time_unix_nano = 1700000000000000000ull;
  p.time_unix_nano = 1700000060000000000ull;
  for (std::uint64_t c : counts) p.count += c;
  p.sum = sum;
  p.explicit_bounds = std::move(bounds);
  p.bucket_counts = std::move(counts);
  return p;
}

inline sdk::MetricData Histogram(std::string name, std::string unit, std::string help,
                                 std::vector<sdk::HistogramPoint> points) {
  sdk::HistogramData hist;
  hist.points = std::move(points);
  hist.temporality = sdk::Temporality::kCumulative;
  return sdk::MetricData{std::move(name), std::move(help), std::move(unit), std::move(hist)};
}

inline std::vector<double> RpcBounds() {
  return {0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};
}

inline std::shared_ptr<const Resource> KlioResource() {
  auto r = std::make_shared<Resource>();
  r->attributes = {
      {"service.name", "klio-server"},
      {"host.name", "klio-0"},
      {"os.type", "linux"},
      {"process.executable.name", "klio"},
      {"telemetry.sdk.language", "cpp"},
      {"telemetry.sdk.name", "klio-telemetry"},
      {"telemetry.sdk.version", "0.1.0"},
  };
  return r;
}

// The server's and sidecar's metrics of SPEC.md §2 plus RPC, process and host metrics:
// counters, gauges, an UpDownCounter and a histogram, across three scopes.
inline sdk::ResourceMetrics KlioMetrics() {
  const Attributes cluster = {{"cluster_name", "cluster-example"}};
  sdk::ScopeMetrics server;
  server.scope.name = "klio.server";
  server.scope.version = "0.1.0";
  server.metrics = {
      Counter("klio.wal.written_size", "By", "Number of bytes written to disk for WAL files",
              {IntPoint(3355443200, cluster)}),
      Counter("klio.wal.written", "", "Number of WAL files written", {IntPoint(200, cluster)}),
      Gauge("klio.wal.latest_written_time", "s", "Unix time of the latest WAL file written",
            {DoublePoint(1700000059.25, cluster)}),
      Counter("klio.consumer.written_size", "By", "Bytes of WAL files written to Tier 2",
              {IntPoint(1048576, cluster)}),
      Counter("klio.consumer.written", "", "WAL files written to Tier 2", {IntPoint(1, cluster)}),
      Gauge("klio.consumer.latest_written_time", "s", "Unix time of the latest Tier 2 write",
            {DoublePoint(1700000000, cluster)}),
      Counter("klio.consumer.backup_verification_success", "", "Successful verifications",
              {IntPoint(3)}),
      Counter("klio.consumer.backup_verification_failure", "", "Failed verifications",
              {IntPoint(0)}),
      Gauge("klio.base.snapshots", "", "Number of base snapshots", {IntPoint(4)}),
      Gauge("klio.base.latest_snapshot_size", "By", "Logical size of the latest snapshot",
            {IntPoint(8589934592)}),
      Gauge("klio.base.latest_snapshot_files", "", "Files in the latest snapshot",
            {IntPoint(1234)}),
      Gauge("klio.base.latest_snapshot_dirs", "", "Directories in the latest snapshot",
            {IntPoint(56)}),
      Gauge("klio.base.latest_snapshot_age", "s", "Age of latest base snapshot in seconds",
            {DoublePoint(3521)}),
      Gauge("klio.base.oldest_snapshot_age", "s", "Age of the oldest snapshot",
            {DoublePoint(604800.5)}),
      Gauge("klio.queue.messages", "", "Messages stored in the work queue", {IntPoint(7)}),
      Gauge("klio.queue.bytes", "By",
            "Number of bytes currently stored in the embedded NATS JetStream queue",
            {DoublePoint(1048576)}),
  };
  sdk::ScopeMetrics sidecar;
  sidecar.scope.name = "klio.sidecar";
  sidecar.scope.version = "0.1.0";
  sidecar.metrics = {
      Gauge("klio.backup.running", "", "1 while a backup runs, else 0", {IntPoint(0)}),
      Gauge("klio.backup.latest_start_time", "s", "Unix time the latest backup started",
            {DoublePoint(1699990000)}),
      Gauge("klio.backup.latest_completion_time", "s", "Unix time the latest backup succeeded",
            {DoublePoint(1699990420)}),
      Gauge("klio.backup.latest_failure_time", "s", "Unix time the latest backup failed",
            {DoublePoint(0)}),
      Gauge("klio.backup.latest_duration_seconds", "s", "Duration of the latest backup",
            {DoublePoint(420.125)}),
      Counter("klio.backup.successes", "", "Successful backups", {IntPoint(12)}),
      Counter("klio.backup.failures", "", "Failed backups", {IntPoint(1)}),
      Counter("klio.backup.verifications", "", "Backup verification attempts", {IntPoint(12)}),
      Counter("klio.backup.verification_failures", "", "Failed verifications", {IntPoint(0)}),
  };
  sdk::ScopeMetrics rpc;
  rpc.scope.name = "klio.rpc";
  rpc.scope.version = "0.1.0";
  rpc.scope.schema_url = "https://opentelemetry.io/schemas/1.26.0";
  const Attributes method = {{"rpc.system.name", "grpc"},
                             {"rpc.method", "klio.v1.WalService/Stream"},
                             {"rpc.response.status_code", "OK"}};
  rpc.metrics = {
      Histogram(
          "rpc.server.call.duration", "s",
          "Measures the duration of an incoming Remote Procedure Call (RPC).",
          {HistPoint(RpcBounds(), {12, 8, 6, 4, 3, 2, 2, 1, 1, 1, 0, 0, 0, 0, 0}, 3.2, method)}),
      Counter("process.cpu.time", "s", "Total CPU seconds", {DoublePoint(12.5)}),
      UpDown("process.memory.usage", "By", "Resident memory", {IntPoint(52428800)}),
      Gauge("system.cpu.utilization", "1", "CPU utilisation", {DoublePoint(0.25)}),
  };
  sdk::ResourceMetrics rm;
  rm.resource = KlioResource();
  rm.scopes = {std::move(server), std::move(sidecar), std::move(rpc)};
  return rm;
}

// `n` series: n/4 each of counters, gauges, up-down counters and histogram points, spread
// over 10 metric names with two attributes each.
inline sdk::ResourceMetrics ManySeries(int n) {
  sdk::ScopeMetrics scope;
  scope.scope.name = "klio.bench";
  scope.scope.version = "1.0.0";
  const int per_kind = n / 4;
  for (int kind = 0; kind < 4; ++kind) {
    for (int m = 0; m < 10; ++m) {
      std::string name = "bench.metric" + std::to_string(kind) + "." + std::to_string(m);
      std::vector<sdk::NumberPoint> points;
      std::vector<sdk::HistogramPoint> hist;
      for (int i = m; i < per_kind; i += 10) {
        Attributes attrs;
        attrs.emplace_back("cluster_name", AttributeValue("cluster-" + std::to_string(i)));
        attrs.emplace_back("tier", i % 2 == 0 ? "one" : "two");
        if (kind == 3) {
          hist.push_back(HistPoint({0.01, 0.1, 1, 10}, {1, 2, 3, 4, 5}, 12.75, std::move(attrs)));
        } else {
          points.push_back(DoublePoint(i * 1.5, std::move(attrs)));
        }
      }
      switch (kind) {
        case 0:
          scope.metrics.push_back(Counter(name, "By", "bench counter", points));
          break;
        case 1:
          scope.metrics.push_back(Gauge(name, "s", "bench gauge", points));
          break;
        case 2:
          scope.metrics.push_back(UpDown(name, "", "bench updown", points));
          break;
        default:
          scope.metrics.push_back(Histogram(name, "s", "bench histogram", hist));
          break;
      }
    }
  }
  sdk::ResourceMetrics rm;
  rm.resource = KlioResource();
  rm.scopes.push_back(std::move(scope));
  return rm;
}

}  // namespace klio::telemetry::exporter::testdata
