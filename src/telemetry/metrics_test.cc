// The metrics API: no-op behaviour without a provider, instruments and bound instruments
// created before installation becoming live, name/unit validation, identity deduplication and
// conflicts, and the thread-slot cells (including more threads than slots).
#include "telemetry/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "telemetry/sdk/meter_provider.h"

namespace klio::telemetry {
namespace {

using ::testing::HasSubstr;

// Captures metrics warnings for the duration of a test.
class WarningCapture {
 public:
  WarningCapture() {
    SetMetricsWarningHandler([this](std::string_view w) {
      std::lock_guard<std::mutex> lock(mu_);
      warnings_.emplace_back(w);
    });
  }
  ~WarningCapture() { SetMetricsWarningHandler(nullptr); }
  std::vector<std::string> warnings() const {
    std::lock_guard<std::mutex> lock(mu_);
    return warnings_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> warnings_;
};

// A provider with one cumulative pull reader, for reading values back.
struct TestProvider {
  TestProvider() {
    auto r = std::make_unique<sdk::PullMetricReader>();
    reader = r.get();
    sdk::MeterProviderOptions o;
    o.readers.push_back(std::move(r));
    provider = std::make_unique<sdk::MeterProvider>(std::move(o));
  }
  // The single point value of metric `name` (any scope), as double; -1 when absent.
  double Value(std::string_view name) {
    sdk::ResourceMetrics rm = reader->Collect();
    for (const auto& s : rm.scopes) {
      for (const auto& m : s.metrics) {
        if (m.name != name) continue;
        if (const auto* sum = std::get_if<sdk::SumData>(&m.data)) {
          if (sum->points.size() != 1) return -2;
          return std::visit([](auto v) { return static_cast<double>(v); }, sum->points[0].value);
        }
      }
    }
    return -1;
  }
  sdk::PullMetricReader* reader = nullptr;
  std::unique_ptr<sdk::MeterProvider> provider;
};

TEST(MetricsApiTest, WithoutProviderEverythingIsANoop) {
  ASSERT_EQ(GetMeterProvider(), nullptr);
  const Meter meter = GetMeter("klio.test.noop");
  EXPECT_FALSE(meter.enabled());
  auto counter = meter.CreateCounter<std::uint64_t>("noop.counter");
  auto bound = counter.Bind({{"k", "v"}});
  counter.Add(1);
  counter.Add(1, {{"k", "v"}});
  bound.Add(1);
  EXPECT_FALSE(counter.enabled());
  EXPECT_FALSE(bound.enabled());
  meter.CreateHistogram<double>("noop.histogram").Record(1.5, {{"a", 1}});
  meter.CreateGauge<std::int64_t>("noop.gauge").Record(3);
  meter.CreateUpDownCounter<double>("noop.updown").Add(-1.0);
  bool called = false;
  auto reg = meter.CreateObservableGauge<double>("noop.observable")
                 .AddCallback([&](ObservableResult<double>& r) {
                   called = true;
                   r.Observe(1);
                 });
  EXPECT_FALSE(called);

  // Default-constructed values are inert too.
  Counter<double>().Add(1.0);
  BoundHistogram<double>().Record(2.0);
  Meter().CreateCounter<double>("x").Add(1.0);
}

TEST(MetricsApiTest, InstrumentsCreatedBeforeInstallationBecomeLive) {
  const Meter meter = GetMeter("klio.test.late");
  auto counter = meter.CreateCounter<std::uint64_t>("late.counter");
  auto bound = counter.Bind({{"cluster_name", "c1"}});
  counter.Add(100);  // before installation: dropped
  bound.Add(100);

  {
    TestProvider p;
    SetMeterProvider(p.provider.get());
    EXPECT_TRUE(meter.enabled());
    EXPECT_TRUE(counter.enabled());
    EXPECT_TRUE(bound.enabled());
    bound.Add(2);
    bound.Add(3);
    counter.Add(7, {{"cluster_name", "c1"}});
    EXPECT_EQ(p.Value("late.counter"), 12);
    SetMeterProvider(nullptr);
    EXPECT_FALSE(bound.enabled());
    bound.Add(1000);  // uninstalled: dropped
    EXPECT_EQ(p.Value("late.counter"), 12);
  }
  {
    // A second provider: the same instruments follow it, starting from zero.
    TestProvider p;
    SetMeterProvider(p.provider.get());
    bound.Add(5);
    EXPECT_EQ(p.Value("late.counter"), 5);
  }  // the destructor uninstalls it
  EXPECT_EQ(GetMeterProvider(), nullptr);
  bound.Add(1);  // no provider, no crash
}

TEST(MetricsApiTest, InvalidNamesWarnAndGiveNoopInstruments) {
  WarningCapture capture;
  TestProvider p;
  SetMeterProvider(p.provider.get());
  const Meter meter = GetMeter("klio.test.names");
  for (const std::string& bad :
       {std::string(""), std::string("1abc"), std::string("a b"), std::string("_x"),
        std::string("caf\xc3\xa9"), std::string(256, 'a')}) {
    auto c = meter.CreateCounter<std::uint64_t>(bad);
    EXPECT_FALSE(c.enabled()) << bad;
    c.Add(1);
  }
  EXPECT_EQ(capture.warnings().size(), 6u);
  EXPECT_THAT(capture.warnings()[1], HasSubstr("\"1abc\" is invalid"));

  for (const std::string& good :
       {std::string("a"), std::string("A.b-c_d/e9"), std::string(255, 'x')}) {
    EXPECT_TRUE(meter.CreateCounter<std::uint64_t>(good).enabled()) << good;
  }
  EXPECT_EQ(capture.warnings().size(), 6u);
  SetMeterProvider(nullptr);
}

TEST(MetricsApiTest, InvalidUnitIsDroppedWithAWarning) {
  WarningCapture capture;
  TestProvider p;
  const Meter meter = p.provider->GetMeter("klio.test.units");
  auto c = meter.CreateCounter<std::uint64_t>("units.bad", "", std::string(64, 'B'));
  EXPECT_TRUE(c.enabled());
  c.Add(1);
  meter.CreateCounter<std::uint64_t>("units.nonascii", "", "\xc2\xb5s").Add(1);
  ASSERT_EQ(capture.warnings().size(), 2u);
  EXPECT_THAT(capture.warnings()[0], HasSubstr("unit"));
  sdk::ResourceMetrics rm = p.reader->Collect();
  ASSERT_EQ(rm.scopes.size(), 1u);
  for (const auto& m : rm.scopes[0].metrics) EXPECT_EQ(m.unit, "") << m.name;
}

TEST(MetricsApiTest, SameIdentityReturnsTheSameStorage) {
  WarningCapture capture;
  TestProvider p;
  const Meter meter = p.provider->GetMeter("klio.test.identity");
  auto a = meter.CreateCounter<std::uint64_t>("wal.written", "files written", "{file}");
  auto b = meter.CreateCounter<std::uint64_t>("WAL.Written", "files written", "{file}");
  a.Add(1);
  b.Add(2);
  EXPECT_EQ(p.Value("wal.written"), 3);
  EXPECT_TRUE(capture.warnings().empty());

  // A global meter with the same scope shares the provider's storage too.
  SetMeterProvider(p.provider.get());
  GetMeter("klio.test.identity")
      .CreateCounter<std::uint64_t>("wal.written", "files written", "{file}")
      .Add(4);
  EXPECT_EQ(p.Value("wal.written"), 7);
  SetMeterProvider(nullptr);
}

TEST(MetricsApiTest, ConflictingIdentityWarnsAndKeepsBothStreams) {
  WarningCapture capture;
  TestProvider p;
  const Meter meter = p.provider->GetMeter("klio.test.conflict");
  meter.CreateCounter<std::uint64_t>("dup", "", "By").Add(1);
  meter.CreateCounter<std::uint64_t>("dup", "", "s").Add(2);        // different unit
  meter.CreateUpDownCounter<std::int64_t>("DUP", "", "By").Add(3);  // different kind
  EXPECT_EQ(capture.warnings().size(), 2u);
  EXPECT_THAT(capture.warnings()[0], HasSubstr("\"dup\""));
  sdk::ResourceMetrics rm = p.reader->Collect();
  ASSERT_EQ(rm.scopes.size(), 1u);
  EXPECT_EQ(rm.scopes[0].metrics.size(), 3u);
}

TEST(MetricsApiTest, MoreThreadsThanSlotsStillSumExactly) {
  TestProvider p;
  const Meter meter = p.provider->GetMeter("klio.test.slots");
  auto counter = meter.CreateCounter<std::uint64_t>("slots.counter");
  auto bound = counter.Bind({{"k", 1}});
  auto hist = meter.CreateHistogram<std::uint64_t>("slots.hist").Bind({});
  constexpr int kThreads = internal::kMetricThreadSlots + 8;
  constexpr int kAdds = 2000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  // All threads alive at once, so some of them find no free slot and use the shared cells.
  std::atomic<int> ready{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      ready.fetch_add(1);
      while (ready.load() < kThreads) std::this_thread::yield();
      for (int i = 0; i < kAdds; ++i) {
        bound.Add(1);
        hist.Record(3);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(p.Value("slots.counter"), kThreads * kAdds);
  sdk::ResourceMetrics rm = p.reader->Collect();
  for (const auto& m : rm.scopes.at(0).metrics) {
    if (m.name != "slots.hist") continue;
    const auto& h = std::get<sdk::HistogramData>(m.data);
    EXPECT_EQ(h.points.at(0).count, static_cast<std::uint64_t>(kThreads * kAdds));
    EXPECT_EQ(h.points.at(0).sum, 3.0 * kThreads * kAdds);
  }
}

}  // namespace
}  // namespace klio::telemetry
