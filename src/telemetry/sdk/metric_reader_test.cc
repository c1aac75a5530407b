// Metric readers: OTEL_METRIC_EXPORT_INTERVAL/TIMEOUT parsing, the periodic reader exporting
// to a test exporter with the exporter's temporality, ForceFlush, the final export on Shutdown,
// and deadlines kept with an exporter that hangs.
#include "telemetry/sdk/metric_reader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "telemetry/metrics.h"
#include "telemetry/sdk/meter_provider.h"
#include "telemetry/sdk/metrics_test_util.h"

namespace klio::telemetry::sdk {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;
using testing::FindMetric;
using testing::SumValue;
using testing::TestMetricExporter;

using EnvMap = std::map<std::string, std::string>;

MetricEnvGetter Env(EnvMap vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(PeriodicReaderOptionsTest, DefaultsWhenUnsetOrEmpty) {
  std::vector<Status> warnings;
  auto o = PeriodicMetricReaderOptionsFromEnv(Env({}), &warnings);
  EXPECT_EQ(o.interval, milliseconds(60000));
  EXPECT_EQ(o.timeout, milliseconds(30000));
  o = PeriodicMetricReaderOptionsFromEnv(
      Env({{"OTEL_METRIC_EXPORT_INTERVAL", ""}, {"OTEL_METRIC_EXPORT_TIMEOUT", "  "}}), &warnings);
  EXPECT_EQ(o.interval, milliseconds(60000));
  EXPECT_EQ(o.timeout, milliseconds(30000));
  EXPECT_TRUE(warnings.empty());
  o = PeriodicMetricReaderOptionsFromEnv(nullptr, nullptr);
  EXPECT_EQ(o.interval, milliseconds(60000));
}

TEST(PeriodicReaderOptionsTest, ReadsMilliseconds) {
  std::vector<Status> warnings;
  auto o = PeriodicMetricReaderOptionsFromEnv(
      Env({{"OTEL_METRIC_EXPORT_INTERVAL", " 1500 "}, {"OTEL_METRIC_EXPORT_TIMEOUT", "250"}}),
      &warnings);
  EXPECT_EQ(o.interval, milliseconds(1500));
  EXPECT_EQ(o.timeout, milliseconds(250));
  // A timeout of 0 means no limit.
  o = PeriodicMetricReaderOptionsFromEnv(Env({{"OTEL_METRIC_EXPORT_TIMEOUT", "0"}}), &warnings);
  EXPECT_EQ(o.timeout, milliseconds(2147483647));
  EXPECT_TRUE(warnings.empty());
}

TEST(PeriodicReaderOptionsTest, InvalidValuesWarnAndKeepDefaults) {
  for (std::string bad : {"-1", "abc", "10s", "2147483648", "1.5", "0x10"}) {
    std::vector<Status> warnings;
    auto o = PeriodicMetricReaderOptionsFromEnv(
        Env({{"OTEL_METRIC_EXPORT_INTERVAL", bad}, {"OTEL_METRIC_EXPORT_TIMEOUT", bad}}),
        &warnings);
    EXPECT_EQ(o.interval, milliseconds(60000)) << bad;
    EXPECT_EQ(o.timeout, milliseconds(30000)) << bad;
    ASSERT_EQ(warnings.size(), 2u) << bad;
    EXPECT_EQ(warnings[0].code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(warnings[0].message(), ::testing::HasSubstr("OTEL_METRIC_EXPORT_INTERVAL"));
    EXPECT_THAT(warnings[0].message(), ::testing::HasSubstr("\"" + bad + "\""));
    EXPECT_THAT(warnings[1].message(), ::testing::HasSubstr("OTEL_METRIC_EXPORT_TIMEOUT"));
  }
  std::vector<Status> warnings;
  auto o =
      PeriodicMetricReaderOptionsFromEnv(Env({{"OTEL_METRIC_EXPORT_INTERVAL", "0"}}), &warnings);
  EXPECT_EQ(o.interval, milliseconds(60000));  // an interval of 0 is not allowed
  EXPECT_EQ(warnings.size(), 1u);
}

// A provider with one periodic reader exporting into a TestMetricExporter.
struct PeriodicFixture {
  explicit PeriodicFixture(EnvMap env, Temporality temporality = Temporality::kCumulative)
      : shared(std::make_shared<TestMetricExporter::Shared>()) {
    auto reader = std::make_unique<PeriodicMetricReader>(
        std::make_unique<TestMetricExporter>(shared, temporality),
        PeriodicMetricReaderOptionsFromEnv(Env(std::move(env)), nullptr));
    this->reader = reader.get();
    MeterProviderOptions o;
    o.readers.push_back(std::move(reader));
    provider = std::make_unique<MeterProvider>(std::move(o));
    meter = provider->GetMeter("klio.periodic");
  }
  std::size_t Exports() {
    std::lock_guard<std::mutex> lock(shared->mu);
    return shared->exports.size();
  }
  ResourceMetrics Export(std::size_t i) {
    std::lock_guard<std::mutex> lock(shared->mu);
    return shared->exports.at(i);
  }

  std::shared_ptr<TestMetricExporter::Shared> shared;
  PeriodicMetricReader* reader = nullptr;
  std::unique_ptr<MeterProvider> provider;
  Meter meter;
};

TEST(PeriodicMetricReaderTest, ExportsEveryIntervalWithTheExportersTemporality) {
  PeriodicFixture f(
      EnvMap{{"OTEL_METRIC_EXPORT_INTERVAL", "50"}, {"OTEL_METRIC_EXPORT_TIMEOUT", "1000"}},
      Temporality::kDelta);
  auto c = f.meter.CreateCounter<std::uint64_t>("c");
  c.Add(3);
  ASSERT_TRUE(f.shared->WaitFor(seconds(10), [&] { return !f.shared->exports.empty(); }));
  ResourceMetrics first = f.Export(0);
  EXPECT_EQ(SumValue(first, "c"), 3);
  EXPECT_EQ(std::get<SumData>(FindMetric(first, "c")->data).temporality, Temporality::kDelta);
  {
    std::lock_guard<std::mutex> lock(f.shared->mu);
    // Each export got a deadline of about now + OTEL_METRIC_EXPORT_TIMEOUT.
    EXPECT_GT(f.shared->deadlines.at(0), steady_clock::now() - seconds(5));
    EXPECT_LT(f.shared->deadlines.at(0), steady_clock::now() + milliseconds(1100));
  }
  c.Add(4);
  ASSERT_TRUE(f.shared->WaitFor(seconds(10), [&] { return f.shared->exports.size() >= 2; }));
  EXPECT_EQ(SumValue(f.Export(1), "c"), 4);  // delta
  // With no new data, empty collections are not exported.
  const std::size_t before = f.Exports();
  std::this_thread::sleep_for(milliseconds(200));
  EXPECT_EQ(f.Exports(), before);
  EXPECT_GE(f.reader->stats().collections, 4u);
  EXPECT_TRUE(f.provider->Shutdown(steady_clock::now() + seconds(5)).ok());
}

TEST(PeriodicMetricReaderTest, ForceFlushExportsNowAndShutdownExportsOnceMore) {
  PeriodicFixture f(EnvMap{{"OTEL_METRIC_EXPORT_INTERVAL", "3600000"}});
  auto c = f.meter.CreateCounter<std::uint64_t>("c");
  c.Add(1);
  const auto start = steady_clock::now();
  ASSERT_TRUE(f.provider->ForceFlush(steady_clock::now() + seconds(10)).ok());
  EXPECT_LT(steady_clock::now() - start, seconds(5));
  ASSERT_EQ(f.Exports(), 1u);
  EXPECT_EQ(SumValue(f.Export(0), "c"), 1);
  {
    std::lock_guard<std::mutex> lock(f.shared->mu);
    EXPECT_EQ(f.shared->flushes, 1);
  }
  c.Add(1);
  ASSERT_TRUE(f.provider->Shutdown(steady_clock::now() + seconds(10)).ok());
  ASSERT_EQ(f.Exports(), 2u);
  EXPECT_EQ(SumValue(f.Export(1), "c"), 2);  // the final collection, cumulative
  {
    std::lock_guard<std::mutex> lock(f.shared->mu);
    EXPECT_EQ(f.shared->shutdowns, 1);
  }
  EXPECT_EQ(f.reader->ForceFlush(steady_clock::now() + seconds(1)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(f.reader->Shutdown(steady_clock::now() + seconds(1)).ok());  // second call
}

TEST(PeriodicMetricReaderTest, DeadlinesHoldWithAHangingExporter) {
  PeriodicFixture f(EnvMap{{"OTEL_METRIC_EXPORT_INTERVAL", "3600000"}});
  f.meter.CreateCounter<std::uint64_t>("c").Add(1);
  {
    std::lock_guard<std::mutex> lock(f.shared->mu);
    f.shared->block = true;
  }
  // ForceFlush: the export hangs, the call returns by its deadline.
  auto start = steady_clock::now();
  Status s = f.reader->ForceFlush(start + milliseconds(200));
  auto took = steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  EXPECT_GE(took, milliseconds(190));
  EXPECT_LT(took, milliseconds(1500));
  ASSERT_TRUE(f.shared->WaitFor(seconds(5), [&] { return f.shared->in_export; }));

  // Shutdown: still hanging; returns by its deadline, shuts the exporter down and leaves the
  // worker to finish on its own.
  start = steady_clock::now();
  s = f.provider->Shutdown(start + milliseconds(300));
  took = steady_clock::now() - start;
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded) << s.ToString();
  EXPECT_GE(took, milliseconds(290));
  EXPECT_LT(took, milliseconds(1500));
  {
    std::lock_guard<std::mutex> lock(f.shared->mu);
    EXPECT_GE(f.shared->shutdowns, 1);
  }
  // The provider (and the reader) go away while the export still hangs.
  f.provider.reset();
  f.shared->Release();
  // The detached worker finishes the export and then frees the exporter.
  EXPECT_TRUE(f.shared->WaitFor(seconds(10), [&] { return f.shared->destroyed; }));
}

TEST(PeriodicMetricReaderTest, UnregisteredReaderFailsFlushAndShutsTheExporterDown) {
  auto shared = std::make_shared<TestMetricExporter::Shared>();
  PeriodicMetricReader reader(std::make_unique<TestMetricExporter>(shared));
  EXPECT_EQ(reader.ForceFlush(steady_clock::now() + seconds(1)).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_TRUE(reader.Shutdown(steady_clock::now() + seconds(1)).ok());
  std::lock_guard<std::mutex> lock(shared->mu);
  EXPECT_EQ(shared->shutdowns, 1);
  EXPECT_TRUE(shared->exports.empty());
}

}  // namespace
}  // namespace klio::telemetry::sdk
