#include "telemetry/export/prometheus_names.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace klio::telemetry::exporter {
namespace {

struct NameCase {
  const char* otel_name;
  const char* unit;
  NameKind kind;
  const char* expected;
};

constexpr NameKind kCounter = NameKind::kMonotonicCounter;
constexpr NameKind kUpDown = NameKind::kNonMonotonicSum;
constexpr NameKind kGauge = NameKind::kGauge;
constexpr NameKind kHistogram = NameKind::kHistogram;

// otel-reference §3.6 (every metric of SPEC.md §2) plus the §3.2 edge cases.
const NameCase kNameTable[] = {
    {"klio.wal.written", "", kCounter, "klio_wal_written_total"},
    {"klio.wal.written_size", "By", kCounter, "klio_wal_written_size_bytes_total"},
    {"klio.wal.latest_written_time", "s", kGauge, "klio_wal_latest_written_time_seconds"},
    {"klio.consumer.written", "", kCounter, "klio_consumer_written_total"},
    {"klio.consumer.written_size", "By", kCounter, "klio_consumer_written_size_bytes_total"},
    {"klio.consumer.latest_written_time", "s", kGauge, "klio_consumer_latest_written_time_seconds"},
    {"klio.consumer.backup_verification_success", "", kCounter,
     "klio_consumer_backup_verification_success_total"},
    {"klio.consumer.backup_verification_failure", "", kCounter,
     "klio_consumer_backup_verification_failure_total"},
    {"klio.base.snapshots", "", kGauge, "klio_base_snapshots"},
    {"klio.base.latest_snapshot_size", "By", kGauge, "klio_base_latest_snapshot_size_bytes"},
    {"klio.base.latest_snapshot_files", "", kGauge, "klio_base_latest_snapshot_files"},
    {"klio.base.latest_snapshot_dirs", "", kGauge, "klio_base_latest_snapshot_dirs"},
    {"klio.base.latest_snapshot_age", "s", kGauge, "klio_base_latest_snapshot_age_seconds"},
    {"klio.base.oldest_snapshot_age", "s", kGauge, "klio_base_oldest_snapshot_age_seconds"},
    {"klio.queue.messages", "", kGauge, "klio_queue_messages"},
    {"klio.queue.bytes", "By", kGauge, "klio_queue_bytes"},
    {"klio.backup.running", "", kGauge, "klio_backup_running"},
    {"klio.backup.latest_start_time", "s", kGauge, "klio_backup_latest_start_time_seconds"},
    {"klio.backup.latest_completion_time", "s", kGauge,
     "klio_backup_latest_completion_time_seconds"},
    {"klio.backup.latest_failure_time", "s", kGauge, "klio_backup_latest_failure_time_seconds"},
    {"klio.backup.latest_duration_seconds", "s", kGauge, "klio_backup_latest_duration_seconds"},
    {"klio.backup.successes", "", kCounter, "klio_backup_successes_total"},
    {"klio.backup.failures", "", kCounter, "klio_backup_failures_total"},
    {"klio.backup.verifications", "", kCounter, "klio_backup_verifications_total"},
    {"klio.backup.verification_failures", "", kCounter, "klio_backup_verification_failures_total"},
    {"rpc.server.call.duration", "s", kHistogram, "rpc_server_call_duration_seconds"},
    {"rpc.server.duration", "ms", kHistogram, "rpc_server_duration_milliseconds"},
    {"process.cpu.time", "s", kCounter, "process_cpu_time_seconds_total"},
    {"process.memory.usage", "By", kUpDown, "process_memory_usage_bytes"},
    {"system.cpu.utilization", "1", kGauge, "system_cpu_utilization_ratio"},
    // Unit "1": `_ratio` only for gauges (Go/otlptranslator parity), never duplicated.
    {"requests.count", "1", kCounter, "requests_count_total"},
    {"queue.fill", "1", kUpDown, "queue_fill"},
    {"latency", "1", kHistogram, "latency"},
    {"hit.ratio", "1", kGauge, "hit_ratio"},
    {"ratio.of.hits", "1", kGauge, "of_hits_ratio"},
    // Annotations add nothing; per-units become per_<x>.
    {"klio.wal.files", "{file}", kCounter, "klio_wal_files_total"},
    {"net.io", "By/s", kGauge, "net_io_bytes_per_second"},
    {"net.packets", "{packet}/s", kGauge, "net_packets_per_second"},
    {"rate", "1/s", kGauge, "rate_per_second"},
    {"io.throughput", "KiBy/min", kGauge, "io_throughput_kibibytes_per_min"},
    {"disk.size", "kBy", kGauge, "disk_size_kilobytes"},
    {"disk.size", "KBy", kGauge, "disk_size_kilobytes"},
    {"temp", "Cel", kGauge, "temp_celsius"},
    {"cpu", "%", kGauge, "cpu_percent"},
    // Unknown units pass through, sanitised.
    {"weird", "furlong/fortnight", kGauge, "weird_furlong_per_fortnight"},
    {"weird", "x-y", kGauge, "weird_x_y"},
    // Existing `_total` is moved to the end and never duplicated.
    {"requests_total", "", kCounter, "requests_total"},
    {"requests.total.bytes", "By", kCounter, "requests_bytes_total"},
    {"requests_total", "", kGauge, "requests_total"},
    // The unit word is not repeated when it is already a token.
    {"duration.seconds.max", "s", kGauge, "duration_seconds_max"},
    // Invalid characters split tokens; runs collapse; colons survive.
    {"my-metric//name", "", kGauge, "my_metric_name"},
    {"a__b..c", "", kGauge, "a_b_c"},
    {"ns:metric.x", "", kGauge, "ns:metric_x"},
    {"héllo.wörld", "", kGauge, "h_llo_w_rld"},
    // A leading digit gets `_`.
    {"5xx.errors", "", kCounter, "_5xx_errors_total"},
    // Nothing usable.
    {"...", "", kGauge, ""},
    {"", "By", kGauge, ""},
};

TEST(PrometheusNamesTest, MetricNameTable) {
  for (const NameCase& c : kNameTable) {
    EXPECT_EQ(PrometheusMetricName(c.otel_name, c.unit, c.kind), c.expected)
        << "name=" << c.otel_name << " unit=" << c.unit << " kind=" << static_cast<int>(c.kind);
  }
}

TEST(PrometheusNamesTest, UnitWords) {
  EXPECT_EQ(PrometheusUnit("By"), "bytes");
  EXPECT_EQ(PrometheusUnit("s"), "seconds");
  EXPECT_EQ(PrometheusUnit("ms"), "milliseconds");
  EXPECT_EQ(PrometheusUnit("By/s"), "bytes_per_second");
  EXPECT_EQ(PrometheusUnit("{packet}/s"), "per_second");
  EXPECT_EQ(PrometheusUnit("1"), "");
  EXPECT_EQ(PrometheusUnit("{file}"), "");
  EXPECT_EQ(PrometheusUnit(""), "");
  EXPECT_EQ(PrometheusUnit("GiBy"), "gibibytes");
  EXPECT_EQ(PrometheusUnit("TiBy"), "tibibytes");  // otlptranslator's spelling
}

TEST(PrometheusNamesTest, LabelNames) {
  EXPECT_EQ(PrometheusLabelName("service.name"), "service_name");
  EXPECT_EQ(PrometheusLabelName("telemetry.sdk.language"), "telemetry_sdk_language");
  EXPECT_EQ(PrometheusLabelName("cluster_name"), "cluster_name");
  EXPECT_EQ(PrometheusLabelName("123abc"), "key_123abc");
  EXPECT_EQ(PrometheusLabelName("a..b--c"), "a_b_c");
  EXPECT_EQ(PrometheusLabelName("http.response.status_code"), "http_response_status_code");
  EXPECT_EQ(PrometheusLabelName("ns:key"), "ns_key");  // colons are not valid in labels
  EXPECT_EQ(PrometheusLabelName(""), "");
  EXPECT_EQ(PrometheusLabelName("..."), "");
  EXPECT_EQ(PrometheusLabelName("__"), "");
}

TEST(PrometheusNamesTest, AttributeValues) {
  EXPECT_EQ(AttributeValueText(AttributeValue(true)), "true");
  EXPECT_EQ(AttributeValueText(AttributeValue(std::int64_t{-42})), "-42");
  EXPECT_EQ(AttributeValueText(AttributeValue(0.25)), "0.25");
  EXPECT_EQ(AttributeValueText(AttributeValue(std::string("x y"))), "x y");
  EXPECT_EQ(AttributeValueText(AttributeValue(std::vector<std::string>{"a", "b\"c"})),
            R"(["a","b\"c"])");
  EXPECT_EQ(AttributeValueText(AttributeValue(std::vector<std::int64_t>{1, 2})), "[1,2]");
  EXPECT_EQ(AttributeValueText(AttributeValue(std::vector<bool>{true, false})), "[true,false]");
  EXPECT_EQ(AttributeValueText(
                AttributeValue(std::vector<double>{1.5, std::numeric_limits<double>::infinity()})),
            R"([1.5,"+Inf"])");
}

std::string Num(double v) {
  std::string s;
  AppendPrometheusDouble(v, &s);
  return s;
}

TEST(PrometheusNamesTest, SampleValues) {
  EXPECT_EQ(Num(0), "0");
  EXPECT_EQ(Num(200), "200");
  EXPECT_EQ(Num(3355443200.0), "3355443200");  // integers without exponent
  EXPECT_EQ(Num(-7), "-7");
  EXPECT_EQ(Num(0.005), "0.005");
  EXPECT_EQ(Num(3.2), "3.2");
  EXPECT_EQ(Num(1.5e-7), "1.5e-07");
  EXPECT_EQ(Num(1e300), "1e+300");
  EXPECT_EQ(Num(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(Num(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(Num(std::nan("")), "NaN");
  EXPECT_EQ(std::stod(Num(0.1 + 0.2)), 0.1 + 0.2);  // shortest round-trip
}

TEST(PrometheusNamesTest, LeValues) {
  std::string text, om;
  AppendLeValue(1, false, &text);
  AppendLeValue(1, true, &om);
  EXPECT_EQ(text, "1");
  EXPECT_EQ(om, "1.0");
  om.clear();
  AppendLeValue(0.005, true, &om);
  EXPECT_EQ(om, "0.005");
  om.clear();
  AppendLeValue(1e300, true, &om);
  EXPECT_EQ(om, "1e+300");
}

TEST(PrometheusNamesTest, Escaping) {
  std::string out;
  AppendEscapedLabelValue("a\\b\"c\nd", &out);
  EXPECT_EQ(out, R"(a\\b\"c\nd)");
  out.clear();
  AppendEscapedHelp("a\\b\"c\nd", false, &out);
  EXPECT_EQ(out, R"(a\\b"c\nd)");
  out.clear();
  AppendEscapedHelp("a\\b\"c\nd", true, &out);
  EXPECT_EQ(out, R"(a\\b\"c\nd)");
}

TEST(PrometheusNamesTest, InvalidUtf8IsReplaced) {
  std::string out;
  AppendEscapedLabelValue("ok \xC3\xA9 bad \xFF end \xE2\x82", &out);
  EXPECT_EQ(out, "ok \xC3\xA9 bad \xEF\xBF\xBD end \xEF\xBF\xBD\xEF\xBF\xBD");
  out.clear();
  AppendEscapedLabelValue("\xED\xA0\x80", &out);  // a UTF-16 surrogate is not UTF-8
  EXPECT_EQ(out, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  out.clear();
  AppendEscapedLabelValue("\xF0\x9F\x98\x80", &out);  // 4-byte sequences pass
  EXPECT_EQ(out, "\xF0\x9F\x98\x80");
}

}  // namespace
}  // namespace klio::telemetry::exporter
