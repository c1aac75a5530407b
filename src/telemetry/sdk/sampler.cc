#include "telemetry/sdk/sampler.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace klio::telemetry::sdk {
namespace {

constexpr std::string_view kSamplerVar = "OTEL_TRACES_SAMPLER";
constexpr std::string_view kSamplerArgVar = "OTEL_TRACES_SAMPLER_ARG";

class AlwaysOnSampler final : public Sampler {
 public:
  SamplingResult ShouldSample(const SamplingParameters&) const override {
    return {SamplingDecision::kRecordAndSample, {}, std::nullopt};
  }
  std::string Description() const override { return "AlwaysOnSampler"; }
};

class AlwaysOffSampler final : public Sampler {
 public:
  SamplingResult ShouldSample(const SamplingParameters&) const override {
    return {SamplingDecision::kDrop, {}, std::nullopt};
  }
  std::string Description() const override { return "AlwaysOffSampler"; }
};

// ratio * 2^63 as the Go SDK computes it; ratio is already in (0, 1).
std::uint64_t RatioBound(double ratio) {
  return static_cast<std::uint64_t>(ratio * 9223372036854775808.0);  // 2^63
}

std::string FormatRatio(double ratio) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%g", ratio);
  return buf;
}

class TraceIdRatioBasedSampler final : public Sampler {
 public:
  explicit TraceIdRatioBasedSampler(double ratio)
      : ratio_(std::isnan(ratio) ? 0.0 : std::clamp(ratio, 0.0, 1.0)),
        bound_(ratio_ >= 1.0 ? 0 : RatioBound(ratio_)) {}

  SamplingResult ShouldSample(const SamplingParameters& params) const override {
    return {Samples(params.trace_id) ? SamplingDecision::kRecordAndSample : SamplingDecision::kDrop,
            {},
            std::nullopt};
  }
  std::string Description() const override {
    return "TraceIdRatioBased{" + FormatRatio(ratio_) + "}";
  }

  bool Samples(const TraceId& id) const {
    if (ratio_ >= 1.0) return true;
    if (ratio_ <= 0.0) return false;
    std::uint64_t x = 0;
    for (int i = 8; i < 16; ++i) x = (x << 8) | id.bytes[i];
    return (x >> 1) < bound_;
  }

 private:
  double ratio_;
  std::uint64_t bound_;
};

class ParentBasedSampler final : public Sampler {
 public:
  ParentBasedSampler(std::unique_ptr<Sampler> root, ParentBasedOptions o)
      : root_(root ? std::move(root) : NewAlwaysOnSampler()),
        remote_sampled_(o.remote_parent_sampled ? std::move(o.remote_parent_sampled)
                                                : NewAlwaysOnSampler()),
        remote_not_sampled_(o.remote_parent_not_sampled ? std::move(o.remote_parent_not_sampled)
                                                        : NewAlwaysOffSampler()),
        local_sampled_(o.local_parent_sampled ? std::move(o.local_parent_sampled)
                                              : NewAlwaysOnSampler()),
        local_not_sampled_(o.local_parent_not_sampled ? std::move(o.local_parent_not_sampled)
                                                      : NewAlwaysOffSampler()) {}

  SamplingResult ShouldSample(const SamplingParameters& params) const override {
    const SpanContext& parent = params.parent;
    if (!parent.IsValid()) return root_->ShouldSample(params);
    if (parent.is_remote) {
      return (parent.IsSampled() ? remote_sampled_ : remote_not_sampled_)->ShouldSample(params);
    }
    return (parent.IsSampled() ? local_sampled_ : local_not_sampled_)->ShouldSample(params);
  }

  std::string Description() const override {
    return "ParentBased{root:" + root_->Description() +
           ",remoteParentSampled:" + remote_sampled_->Description() +
           ",remoteParentNotSampled:" + remote_not_sampled_->Description() +
           ",localParentSampled:" + local_sampled_->Description() +
           ",localParentNotSampled:" + local_not_sampled_->Description() + "}";
  }

 private:
  std::unique_ptr<Sampler> root_;
  std::unique_ptr<Sampler> remote_sampled_;
  std::unique_ptr<Sampler> remote_not_sampled_;
  std::unique_ptr<Sampler> local_sampled_;
  std::unique_ptr<Sampler> local_not_sampled_;
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Parses a ratio in [0, 1]; nullopt otherwise.
std::optional<double> ParseRatio(std::string_view text) {
  double v = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || std::isnan(v) || v < 0.0 || v > 1.0) {
    return std::nullopt;
  }
  return v;
}

}  // namespace

std::unique_ptr<Sampler> NewAlwaysOnSampler() { return std::make_unique<AlwaysOnSampler>(); }
std::unique_ptr<Sampler> NewAlwaysOffSampler() { return std::make_unique<AlwaysOffSampler>(); }
std::unique_ptr<Sampler> NewTraceIdRatioBasedSampler(double ratio) {
  return std::make_unique<TraceIdRatioBasedSampler>(ratio);
}
std::unique_ptr<Sampler> NewParentBasedSampler(std::unique_ptr<Sampler> root,
                                               ParentBasedOptions options) {
  return std::make_unique<ParentBasedSampler>(std::move(root), std::move(options));
}

bool TraceIdRatioSamples(const TraceId& trace_id, double ratio) {
  return TraceIdRatioBasedSampler(ratio).Samples(trace_id);
}

Result<std::unique_ptr<Sampler>> ParseSampler(std::string_view name,
                                              std::optional<std::string_view> arg) {
  std::string n = Lower(name);
  bool ratio_sampler = n == "traceidratio" || n == "parentbased_traceidratio";
  double ratio = 1.0;
  if (ratio_sampler && arg.has_value() && !arg->empty()) {
    std::optional<double> r = ParseRatio(*arg);
    if (!r.has_value()) {
      return Status::InvalidArgument(std::string(kSamplerArgVar) + ": \"" + std::string(*arg) +
                                     "\" is not a sampling ratio in [0, 1] (for " +
                                     std::string(kSamplerVar) + "=" + n + ")");
    }
    ratio = *r;
  }
  if (n == "always_on") return NewAlwaysOnSampler();
  if (n == "always_off") return NewAlwaysOffSampler();
  if (n == "traceidratio") return NewTraceIdRatioBasedSampler(ratio);
  if (n == "parentbased_always_on") return NewParentBasedSampler(NewAlwaysOnSampler());
  if (n == "parentbased_always_off") return NewParentBasedSampler(NewAlwaysOffSampler());
  if (n == "parentbased_traceidratio") {
    return NewParentBasedSampler(NewTraceIdRatioBasedSampler(ratio));
  }
  return Status::InvalidArgument(
      std::string(kSamplerVar) + ": unknown sampler \"" + std::string(name) +
      "\" (accepted: always_on, always_off, traceidratio, parentbased_always_on, "
      "parentbased_always_off, parentbased_traceidratio)");
}

std::unique_ptr<Sampler> SamplerFromEnv(const EnvGetter& env, EnvWarnings* warnings) {
  std::optional<std::string> name = EnvString(env, kSamplerVar);
  if (!name.has_value()) return NewParentBasedSampler(NewAlwaysOnSampler());
  std::optional<std::string> arg = EnvString(env, kSamplerArgVar);
  Result<std::unique_ptr<Sampler>> sampler =
      ParseSampler(*name, arg ? std::optional<std::string_view>(*arg) : std::nullopt);
  if (sampler.ok()) return std::move(sampler).value();
  // A bad ARG keeps the sampler with ratio 1.0; an unknown name falls back to the default.
  Result<std::unique_ptr<Sampler>> fallback = ParseSampler(*name, std::nullopt);
  if (warnings != nullptr) {
    warnings->push_back(Status::InvalidArgument(
        sampler.status().message() +
        (fallback.ok() ? "; using ratio 1.0" : "; using parentbased_always_on")));
  }
  if (fallback.ok()) return std::move(fallback).value();
  return NewParentBasedSampler(NewAlwaysOnSampler());
}

}  // namespace klio::telemetry::sdk
