#include "telemetry/sdk/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "telemetry/sdk/id_generator.h"

namespace klio::telemetry::sdk {
namespace {

SamplingDecision Decide(const Sampler& s, const SpanContext& parent, const TraceId& id) {
  Attributes none;
  return s.ShouldSample({parent, id, "op", SpanKind::kInternal, none, {}}).decision;
}

TraceId Id(std::string_view hex) {
  TraceId id;
  EXPECT_TRUE(TraceId::FromHex(hex, &id));
  return id;
}

TEST(TraceIdRatioTest, ReferenceVector) {
  // Bytes 8..15 = a3ce929d0e0e4736; >> 1 = 0x51e7494e8707239b ≈ 0.63987 * 2^63.
  TraceId id = Id("4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_FALSE(TraceIdRatioSamples(id, 0.5));
  EXPECT_FALSE(TraceIdRatioSamples(id, 0.6398));
  EXPECT_TRUE(TraceIdRatioSamples(id, 0.64));
  EXPECT_TRUE(TraceIdRatioSamples(id, 1.0));
  EXPECT_FALSE(TraceIdRatioSamples(id, 0.0));
  EXPECT_TRUE(TraceIdRatioSamples(Id("00000000000000000000000000000001"), 1e-18));
}

TEST(TraceIdRatioTest, StatisticsWithASeededGenerator) {
  auto gen = NewSeededIdGenerator(20261122);
  for (double ratio : {0.01, 0.25, 0.5, 0.9}) {
    auto sampler = NewTraceIdRatioBasedSampler(ratio);
    constexpr int kN = 100000;
    int sampled = 0;
    for (int i = 0; i < kN; ++i) {
      if (Decide(*sampler, SpanContext{}, gen->GenerateTraceId()) ==
          SamplingDecision::kRecordAndSample) {
        ++sampled;
      }
    }
    // 5 standard deviations of a binomial(kN, ratio).
    double sd = std::sqrt(kN * ratio * (1 - ratio));
    EXPECT_NEAR(sampled, kN * ratio, 5 * sd) << "ratio " << ratio;
  }
}

TEST(TraceIdRatioTest, HigherRatioSamplesASuperset) {
  auto gen = NewSeededIdGenerator(7);
  for (int i = 0; i < 10000; ++i) {
    TraceId id = gen->GenerateTraceId();
    if (TraceIdRatioSamples(id, 0.2)) {
      EXPECT_TRUE(TraceIdRatioSamples(id, 0.3));
    }
  }
}

TEST(TraceIdRatioTest, IgnoresTheParent) {
  auto s = NewTraceIdRatioBasedSampler(0.0);
  SpanContext sampled_parent;
  sampled_parent.trace_id = Id("4bf92f3577b34da6a3ce929d0e0e4736");
  sampled_parent.span_id.bytes[0] = 1;
  sampled_parent.trace_flags = 1;
  EXPECT_EQ(Decide(*s, sampled_parent, sampled_parent.trace_id), SamplingDecision::kDrop);
}

TEST(ParentBasedTest, DelegationMatrix) {
  // Give each delegate a distinct, recognisable decision.
  class Fixed final : public Sampler {
   public:
    explicit Fixed(SamplingDecision d) : d_(d) {}
    SamplingResult ShouldSample(const SamplingParameters&) const override {
      return {d_, {}, std::nullopt};
    }
    std::string Description() const override { return "Fixed"; }
    SamplingDecision d_;
  };
  const TraceId id = Id("4bf92f3577b34da6a3ce929d0e0e4736");
  SpanContext parent;
  parent.trace_id = id;
  parent.span_id.bytes[7] = 1;

  struct Row {
    bool has_parent, remote, sampled;
    SamplingDecision defaults, custom;
  };
  using D = SamplingDecision;
  const Row rows[] = {
      // no parent: root (AlwaysOn root here / RecordOnly custom root)
      {false, false, false, D::kRecordAndSample, D::kRecordOnly},
      {true, true, true, D::kRecordAndSample, D::kDrop},
      {true, true, false, D::kDrop, D::kRecordAndSample},
      {true, false, true, D::kRecordAndSample, D::kDrop},
      {true, false, false, D::kDrop, D::kRecordAndSample},
  };
  auto defaults = NewParentBasedSampler(NewAlwaysOnSampler());
  ParentBasedOptions o;
  o.remote_parent_sampled = std::make_unique<Fixed>(D::kDrop);
  o.remote_parent_not_sampled = std::make_unique<Fixed>(D::kRecordAndSample);
  o.local_parent_sampled = std::make_unique<Fixed>(D::kDrop);
  o.local_parent_not_sampled = std::make_unique<Fixed>(D::kRecordAndSample);
  auto custom = NewParentBasedSampler(std::make_unique<Fixed>(D::kRecordOnly), std::move(o));
  for (const Row& r : rows) {
    SpanContext p = r.has_parent ? parent : SpanContext{};
    p.is_remote = r.remote;
    p.trace_flags = r.sampled ? 0x01 : 0x00;
    SCOPED_TRACE(testing::Message() << "parent=" << r.has_parent << " remote=" << r.remote
                                    << " sampled=" << r.sampled);
    EXPECT_EQ(Decide(*defaults, p, id), r.defaults);
    EXPECT_EQ(Decide(*custom, p, id), r.custom);
  }
  // Sampled flag tested by mask: 0x03 (random + sampled) counts as sampled.
  SpanContext p = parent;
  p.trace_flags = 0x03;
  EXPECT_EQ(Decide(*defaults, p, id), D::kRecordAndSample);
  // parentbased_always_off drops roots only.
  auto off = NewParentBasedSampler(NewAlwaysOffSampler());
  EXPECT_EQ(Decide(*off, SpanContext{}, id), D::kDrop);
  p.trace_flags = 0x01;
  EXPECT_EQ(Decide(*off, p, id), D::kRecordAndSample);
}

TEST(SamplerTest, Descriptions) {
  EXPECT_EQ(NewAlwaysOnSampler()->Description(), "AlwaysOnSampler");
  EXPECT_EQ(NewAlwaysOffSampler()->Description(), "AlwaysOffSampler");
  EXPECT_EQ(NewTraceIdRatioBasedSampler(0.25)->Description(), "TraceIdRatioBased{0.25}");
  EXPECT_EQ(NewParentBasedSampler(NewTraceIdRatioBasedSampler(0.5))->Description(),
            "ParentBased{root:TraceIdRatioBased{0.5},remoteParentSampled:AlwaysOnSampler,"
            "remoteParentNotSampled:AlwaysOffSampler,localParentSampled:AlwaysOnSampler,"
            "localParentNotSampled:AlwaysOffSampler}");
}

EnvGetter FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

std::string RootOf(const Sampler& s) {
  std::string d = s.Description();
  return d;
}

TEST(SamplerEnvTest, NamesAndArguments) {
  EnvWarnings w;
  EXPECT_EQ(RootOf(*SamplerFromEnv(FakeEnv({}), &w)),
            NewParentBasedSampler(NewAlwaysOnSampler())->Description());
  EXPECT_EQ(RootOf(*SamplerFromEnv(FakeEnv({{"OTEL_TRACES_SAMPLER", ""}}), &w)),
            NewParentBasedSampler(NewAlwaysOnSampler())->Description());
  EXPECT_EQ(SamplerFromEnv(FakeEnv({{"OTEL_TRACES_SAMPLER", "Always_Off"}}), &w)->Description(),
            "AlwaysOffSampler");
  EXPECT_EQ(SamplerFromEnv(FakeEnv({{"OTEL_TRACES_SAMPLER", "traceidratio"},
                                    {"OTEL_TRACES_SAMPLER_ARG", "0.125"}}),
                           &w)
                ->Description(),
            "TraceIdRatioBased{0.125}");
  EXPECT_EQ(SamplerFromEnv(FakeEnv({{"OTEL_TRACES_SAMPLER", "traceidratio"}}), &w)->Description(),
            "TraceIdRatioBased{1}");
  EXPECT_EQ(SamplerFromEnv(FakeEnv({{"OTEL_TRACES_SAMPLER", "parentbased_traceidratio"},
                                    {"OTEL_TRACES_SAMPLER_ARG", "0"}}),
                           &w)
                ->Description(),
            NewParentBasedSampler(NewTraceIdRatioBasedSampler(0))->Description());
  // An ARG for a sampler without one is ignored.
  EXPECT_EQ(
      SamplerFromEnv(
          FakeEnv({{"OTEL_TRACES_SAMPLER", "always_on"}, {"OTEL_TRACES_SAMPLER_ARG", "junk"}}), &w)
          ->Description(),
      "AlwaysOnSampler");
  EXPECT_TRUE(w.empty());
}

TEST(SamplerEnvTest, BadValuesWarnNamingTheVariable) {
  EnvWarnings w;
  auto s = SamplerFromEnv(
      FakeEnv({{"OTEL_TRACES_SAMPLER", "traceidratio"}, {"OTEL_TRACES_SAMPLER_ARG", "1.5"}}), &w);
  EXPECT_EQ(s->Description(), "TraceIdRatioBased{1}");
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message().find("OTEL_TRACES_SAMPLER_ARG"), std::string::npos) << w[0].message();
  EXPECT_NE(w[0].message().find("\"1.5\""), std::string::npos);

  w.clear();
  s = SamplerFromEnv(FakeEnv({{"OTEL_TRACES_SAMPLER", "jaeger_remote"}}), &w);
  EXPECT_EQ(s->Description(), NewParentBasedSampler(NewAlwaysOnSampler())->Description());
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].message().find("OTEL_TRACES_SAMPLER: unknown sampler \"jaeger_remote\""),
            std::string::npos)
      << w[0].message();

  Result<std::unique_ptr<Sampler>> r = ParseSampler("traceidratio", "abc");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace klio::telemetry::sdk
