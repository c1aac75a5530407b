// Runtime and host metrics through the real metrics SDK: names, instrument kinds, units,
// attributes and values over the fake /proc tree; the real /proc; no-op meter; unregistering.
#include "telemetry/setup/runtime_metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "telemetry/sdk/meter_provider.h"
#include "telemetry/sdk/metric_reader.h"
#include "telemetry/setup/proc_testdata.h"

namespace klio::telemetry::setup {
namespace {

using sdk::MetricData;

struct Harness {
  explicit Harness() {
    auto pull = std::make_unique<sdk::PullMetricReader>();
    reader = pull.get();
    sdk::MeterProviderOptions o;
    o.readers.push_back(std::move(pull));
    provider = std::make_unique<sdk::MeterProvider>(std::move(o));
  }
  // name → metric of the "klio.runtime" scope in one collection.
  std::map<std::string, MetricData> Collect() {
    std::map<std::string, MetricData> out;
    sdk::ResourceMetrics rm = reader->Collect();
    for (const sdk::ScopeMetrics& scope : rm.scopes) {
      if (scope.scope.name != kRuntimeMeterName) continue;
      for (const MetricData& m : scope.metrics) out.emplace(m.name, m);
    }
    return out;
  }
  sdk::PullMetricReader* reader = nullptr;
  std::unique_ptr<sdk::MeterProvider> provider;
};

const std::vector<sdk::NumberPoint>& Points(const MetricData& m) {
  if (const auto* s = std::get_if<sdk::SumData>(&m.data)) return s->points;
  return std::get<sdk::GaugeData>(m.data).points;
}

double Num(const sdk::NumberPoint& p) {
  return std::visit([](auto v) { return static_cast<double>(v); }, p.value);
}

std::string Attr(const sdk::NumberPoint& p, std::string_view key) {
  for (const KeyValue& kv : p.attributes) {
    if (kv.key == key) return std::get<std::string>(kv.value);
  }
  return "";
}

// value by the concatenated attribute values ("user", "eth0/receive", ...).
std::map<std::string, double> ByAttrs(const MetricData& m) {
  std::map<std::string, double> out;
  for (const sdk::NumberPoint& p : Points(m)) {
    std::string key;
    for (const KeyValue& kv : p.attributes) {
      key += (key.empty() ? "" : "/") + std::get<std::string>(kv.value);
    }
    out[key] = Num(p);
  }
  return out;
}

enum class Kind { kCounter, kUpDown, kGauge };
Kind KindOf(const MetricData& m) {
  if (const auto* s = std::get_if<sdk::SumData>(&m.data)) {
    return s->is_monotonic ? Kind::kCounter : Kind::kUpDown;
  }
  EXPECT_TRUE(std::holds_alternative<sdk::GaugeData>(m.data)) << m.name;
  return Kind::kGauge;
}

TEST(RuntimeMetricsTest, EveryMetricWithUnitKindAndAttributes) {
  testdata::FakeProc proc;
  Harness h;
  RuntimeMetrics rt(
      h.provider->GetMeter(kRuntimeMeterName),
      {.proc = {.root = proc.root(), .clock_ticks_per_second = 100, .page_size = 4096}});
  std::map<std::string, MetricData> m = h.Collect();

  struct Want {
    std::string name, unit;
    Kind kind;
  };
  const Want wants[] = {
      {"process.cpu.time", "s", Kind::kCounter},
      {"process.memory.usage", "By", Kind::kUpDown},
      {"process.memory.virtual", "By", Kind::kUpDown},
      {"process.thread.count", "{thread}", Kind::kUpDown},
      {"process.open_file_descriptor.count", "{file_descriptor}", Kind::kUpDown},
      {"process.uptime", "s", Kind::kGauge},
      {"system.cpu.time", "s", Kind::kCounter},
      {"system.memory.usage", "By", Kind::kUpDown},
      {"system.memory.utilization", "1", Kind::kGauge},
      {"system.network.io", "By", Kind::kCounter},
  };
  ASSERT_EQ(m.size(), std::size(wants));
  for (const Want& w : wants) {
    ASSERT_TRUE(m.count(w.name)) << w.name;
    EXPECT_EQ(m[w.name].unit, w.unit) << w.name;
    EXPECT_EQ(KindOf(m[w.name]), w.kind) << w.name;
    EXPECT_FALSE(m[w.name].description.empty()) << w.name;
  }

  std::map<std::string, double> cpu = ByAttrs(m["process.cpu.time"]);
  EXPECT_DOUBLE_EQ(cpu["user"], 0.17);
  EXPECT_DOUBLE_EQ(cpu["system"], 0.04);
  EXPECT_EQ(ByAttrs(m["process.memory.usage"])[""], 404 * 4096);
  EXPECT_EQ(ByAttrs(m["process.memory.virtual"])[""], 765 * 4096);
  EXPECT_EQ(ByAttrs(m["process.thread.count"])[""], 3);
  EXPECT_EQ(ByAttrs(m["process.open_file_descriptor.count"])[""], 4);
  EXPECT_NEAR(ByAttrs(m["process.uptime"])[""], 80.85, 1e-9);

  std::map<std::string, double> sys = ByAttrs(m["system.cpu.time"]);
  EXPECT_EQ(sys.size(), 7u);
  EXPECT_DOUBLE_EQ(sys["user"], 3005.47);
  EXPECT_DOUBLE_EQ(sys["nice"], 0.12);
  EXPECT_DOUBLE_EQ(sys["system"], 943.80);
  EXPECT_DOUBLE_EQ(sys["idle"], 2798.98);
  EXPECT_DOUBLE_EQ(sys["iowait"], 57.34);
  EXPECT_DOUBLE_EQ(sys["interrupt"], 6.47);
  EXPECT_DOUBLE_EQ(sys["steal"], 0.03);

  std::map<std::string, double> mem = ByAttrs(m["system.memory.usage"]);
  EXPECT_EQ(mem["free"], 20190216.0 * 1024);
  EXPECT_EQ(mem["buffers"], 25068.0 * 1024);
  EXPECT_EQ(mem["cached"], (2681964.0 + 145656) * 1024);
  EXPECT_EQ(mem["used"], (24683620.0 - 20190216 - 25068 - 2681964 - 145656) * 1024);
  std::map<std::string, double> util = ByAttrs(m["system.memory.utilization"]);
  EXPECT_EQ(util.size(), 4u);
  EXPECT_NEAR(util["used"] + util["free"] + util["cached"] + util["buffers"], 1.0, 1e-12);
  EXPECT_NEAR(util["free"], 20190216.0 / 24683620.0, 1e-12);

  std::map<std::string, double> net = ByAttrs(m["system.network.io"]);
  EXPECT_EQ(net.size(), 6u);
  EXPECT_EQ(net["eth0/receive"], 134615425.0);
  EXPECT_EQ(net["eth0/transmit"], 729317.0);
  EXPECT_EQ(net["lo/receive"], 695712244.0);
  for (const sdk::NumberPoint& p : Points(m["system.network.io"])) {
    EXPECT_THAT(Attr(p, "network.io.direction"), ::testing::AnyOf("receive", "transmit"));
    EXPECT_FALSE(Attr(p, "network.interface.name").empty());
  }
}

TEST(RuntimeMetricsTest, OnlyProcessOrOnlySystem) {
  testdata::FakeProc proc;
  Harness h;
  RuntimeMetrics rt(h.provider->GetMeter(kRuntimeMeterName),
                    {.proc = {.root = proc.root()}, .process = true, .system = false});
  std::map<std::string, MetricData> m = h.Collect();
  EXPECT_EQ(m.size(), 6u);
  EXPECT_FALSE(m.count("system.cpu.time"));
}

TEST(RuntimeMetricsTest, UnreadableFilesReportNothingInsteadOfWrongValues) {
  testdata::FakeProc proc;
  proc.Write("self/stat", "garbage");
  std::filesystem::rename(proc.root() + "/meminfo", proc.root() + "/meminfo.away");
  Harness h;
  RuntimeMetrics rt(
      h.provider->GetMeter(kRuntimeMeterName),
      {.proc = {.root = proc.root()}, .max_sample_age = std::chrono::milliseconds(0)});
  std::map<std::string, MetricData> m = h.Collect();
  for (const auto& [name, data] : m) EXPECT_TRUE(Points(data).empty()) << name;
  // The files come back: the next collection reports again.
  proc.Write("self/stat", testdata::kStat);
  std::filesystem::rename(proc.root() + "/meminfo.away", proc.root() + "/meminfo");
  m = h.Collect();
  EXPECT_EQ(ByAttrs(m["process.thread.count"])[""], 3);
  EXPECT_EQ(ByAttrs(m["system.memory.usage"]).size(), 4u);
}

TEST(RuntimeMetricsTest, DestructionUnregisters) {
  testdata::FakeProc proc;
  Harness h;
  {
    RuntimeMetrics rt(h.provider->GetMeter(kRuntimeMeterName), {.proc = {.root = proc.root()}});
    EXPECT_FALSE(Points(h.Collect()["process.thread.count"]).empty());
  }
  std::map<std::string, MetricData> m = h.Collect();
  for (const auto& [name, data] : m) EXPECT_TRUE(Points(data).empty()) << name;
}

TEST(RuntimeMetricsTest, NoopMeterReadsNothing) {
  RuntimeMetrics rt(Meter(), {.proc = {.root = "/nonexistent"}});  // must not crash or log
}

TEST(RuntimeMetricsTest, RealProc) {
  Harness h;
  RuntimeMetrics rt(h.provider->GetMeter(kRuntimeMeterName));
  std::map<std::string, MetricData> m = h.Collect();
  ASSERT_EQ(m.size(), 10u);
  EXPECT_GT(ByAttrs(m["process.memory.usage"])[""], 0);
  EXPECT_GE(ByAttrs(m["process.thread.count"])[""], 1);
  EXPECT_GE(ByAttrs(m["process.open_file_descriptor.count"])[""], 3);
  EXPECT_GT(ByAttrs(m["system.memory.usage"])["used"], 0);
  EXPECT_FALSE(Points(m["system.network.io"]).empty());
}

}  // namespace
}  // namespace klio::telemetry::setup
