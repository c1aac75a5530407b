// TracerProvider: the trace SDK. It owns the resource, sampler, id generator, span limits and
// span processors, hands out one tracer per instrumentation scope, and records sampled spans.
//
//   sdk::TracerProviderOptions o;
//   o.resource = resource;
//   o.processors.push_back(std::make_unique<sdk::BatchSpanProcessor>(std::move(exp), resource));
//   sdk::TracerProvider provider(std::move(o));
//   telemetry::SetTracerProvider(&provider);          // GetTracer() now returns real tracers
//   ...
//   provider.Shutdown(std::chrono::steady_clock::now() + 5s);
//
// Span start: the parent is the explicit one or this thread's active span; the trace id is the
// parent's or a new one; the sampler decides. A dropped span gets a new span id and costs no
// allocation (it is context only). A recording span is one heap record holding its SpanData
// and a mutex; End moves the data to the processors (the batch processor only enqueues it).
//
// Lifetime: the provider must outlive every Tracer obtained from it and every Span started by
// them (main creates it first and destroys it last). After Shutdown, tracers start only
// non-recording spans (which still carry the parent context).
//
// Thread-safety: all methods are thread-safe.
// Design: docs/design/telemetry.md §4.1; otel-reference §6.2, §7.1.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "telemetry/common.h"
#include "telemetry/sdk/env_parse.h"
#include "telemetry/sdk/exporter.h"
#include "telemetry/sdk/id_generator.h"
#include "telemetry/sdk/limits.h"
#include "telemetry/sdk/sampler.h"
#include "telemetry/sdk/span_processor.h"
#include "telemetry/trace.h"

namespace klio::telemetry::sdk {

struct TracerProviderOptions {
  std::shared_ptr<const Resource> resource;   // null: an empty resource
  std::unique_ptr<Sampler> sampler;           // null: parentbased_always_on
  std::unique_ptr<IdGenerator> id_generator;  // null: NewRandomIdGenerator()
  SpanLimits limits;
  std::vector<std::unique_ptr<SpanProcessor>> processors;  // called in order
  // Wall clock for span and event timestamps; null: std::chrono::system_clock::now.
  std::function<Timestamp()> clock;
};

// Fills the sampler (OTEL_TRACES_SAMPLER/_ARG) and limits (OTEL_SPAN_*, OTEL_ATTRIBUTE_*,
// OTEL_EVENT_*, OTEL_LINK_*) of `options` from the environment; problems go to `warnings`.
void ApplyTraceEnv(const EnvGetter& env, TracerProviderOptions* options, EnvWarnings* warnings);

class SdkTracer;
class SdkSpan;

class TracerProvider final : public TracerProviderBackend {
 public:
  explicit TracerProvider(TracerProviderOptions options);
  // Uninstalls itself when it is the global provider, then shuts down (30 s budget) unless
  // Shutdown already ran.
  ~TracerProvider();
  TracerProvider(const TracerProvider&) = delete;
  TracerProvider& operator=(const TracerProvider&) = delete;

  // Returns the tracer backend for `scope` (created on first use; stable pointer). Locks.
  TracerBackend* GetTracerBackend(const InstrumentationScope& scope) override;

  // A tracer of this provider (whether or not it is the global one).
  Tracer GetTracer(std::string_view name, std::string_view version = {},
                   std::string_view schema_url = {});

  // Flushes every processor; returns the first error (DeadlineExceeded when `deadline`
  // passed). Blocks until done or the deadline.
  Status ForceFlush(Deadline deadline);
  // Stops recording, then shuts every processor down by `deadline`; returns the first error.
  // A second call returns OK at once.
  Status Shutdown(Deadline deadline);

  const Resource& resource() const { return *resource_; }
  const std::shared_ptr<const Resource>& shared_resource() const { return resource_; }
  const Sampler& sampler() const { return *sampler_; }
  const SpanLimits& limits() const { return limits_; }

 private:
  friend class SdkTracer;
  friend class SdkSpan;

  std::uint64_t NowNanos() const;
  void OnEnd(SpanData&& span) const;

  const std::shared_ptr<const Resource> resource_;
  const std::unique_ptr<Sampler> sampler_;
  const std::unique_ptr<IdGenerator> ids_;
  const bool random_ids_;
  const SpanLimits limits_;
  const std::vector<std::unique_ptr<SpanProcessor>> processors_;
  const std::function<Timestamp()> clock_;
  std::atomic<bool> shut_down_{false};

  std::mutex mu_;
  std::map<std::string, std::unique_ptr<SdkTracer>> tracers_;  // guarded by mu_
};

}  // namespace klio::telemetry::sdk
