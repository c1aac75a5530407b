// Head samplers (OpenTelemetry trace SDK): always_on, always_off, traceidratio and the
// parent-based composite, plus their configuration from OTEL_TRACES_SAMPLER/_ARG.
//
// A sampler runs once per span start, on the starting thread, before the span exists; its
// decision sets the sampled flag that is propagated downstream. TraceIdRatioBased follows the
// Go SDK bit for bit (bytes 8..15 of the trace id, big endian, shifted right by one, compared
// with ratio * 2^63) so that Go and C++ services agree on which traces to keep.
//
// Thread-safety: samplers are immutable after construction; ShouldSample may be called from
// many threads at once.
// Design: docs/design/telemetry.md §4.1; otel-reference §7.1.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "telemetry/common.h"
#include "telemetry/sdk/env_parse.h"
#include "telemetry/trace.h"

namespace klio::telemetry::sdk {

enum class SamplingDecision : std::uint8_t {
  kDrop,             // not recorded; the context carries sampled = 0
  kRecordOnly,       // recorded (processors see it), not exported, sampled = 0
  kRecordAndSample,  // recorded and exported, sampled = 1
};

struct SamplingResult {
  SamplingDecision decision = SamplingDecision::kDrop;
  Attributes attributes;                   // added to the span when it records
  std::optional<std::string> trace_state;  // replaces the parent's tracestate when set
};

struct SamplingParameters {
  const SpanContext& parent;  // invalid for a root span
  const TraceId& trace_id;    // the new span's trace id (the parent's, or a fresh one)
  std::string_view name;
  SpanKind kind;
  const Attributes& attributes;
  std::span<const Link> links;
};

class Sampler {
 public:
  virtual ~Sampler() = default;
  // Returns the decision for a span about to start. Never blocks, never throws.
  virtual SamplingResult ShouldSample(const SamplingParameters& params) const = 0;
  // "AlwaysOnSampler", "TraceIdRatioBased{0.25}", "ParentBased{root:...,...}".
  virtual std::string Description() const = 0;
};

std::unique_ptr<Sampler> NewAlwaysOnSampler();
std::unique_ptr<Sampler> NewAlwaysOffSampler();
// `ratio` is clamped to [0, 1]; 1 samples everything, 0 nothing.
std::unique_ptr<Sampler> NewTraceIdRatioBasedSampler(double ratio);

// Delegates by the parent (otel-reference §7.1): no parent → root; remote parent sampled /
// not sampled; local parent sampled / not sampled. Null delegates take the defaults
// (AlwaysOn for sampled parents, AlwaysOff for unsampled ones).
struct ParentBasedOptions {
  std::unique_ptr<Sampler> remote_parent_sampled;
  std::unique_ptr<Sampler> remote_parent_not_sampled;
  std::unique_ptr<Sampler> local_parent_sampled;
  std::unique_ptr<Sampler> local_parent_not_sampled;
};
std::unique_ptr<Sampler> NewParentBasedSampler(std::unique_ptr<Sampler> root,
                                               ParentBasedOptions options = {});

// True when TraceIdRatioBased(ratio) samples `trace_id` (exposed for tests and tooling).
bool TraceIdRatioSamples(const TraceId& trace_id, double ratio);

// Builds a sampler from an OTEL_TRACES_SAMPLER name (case-insensitive) and its optional
// OTEL_TRACES_SAMPLER_ARG. Names: always_on, always_off, traceidratio,
// parentbased_always_on, parentbased_always_off, parentbased_traceidratio. Returns
// InvalidArgument naming the variable for an unknown name (listing the accepted ones) or, for
// the ratio samplers, an ARG that is not a number in [0, 1]. An ARG given to another sampler
// is ignored.
Result<std::unique_ptr<Sampler>> ParseSampler(std::string_view name,
                                              std::optional<std::string_view> arg);

// The sampler configured by OTEL_TRACES_SAMPLER/_ARG, following the specification's fallback
// rules, so it never fails: unset → parentbased_always_on; unknown name → the default plus a
// warning; bad ARG for a ratio sampler → ratio 1.0 plus a warning.
std::unique_ptr<Sampler> SamplerFromEnv(const EnvGetter& env, EnvWarnings* warnings);

}  // namespace klio::telemetry::sdk
