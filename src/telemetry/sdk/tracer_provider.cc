#include "telemetry/sdk/tracer_provider.h"

#include <chrono>

#include "telemetry/sdk/data.h"

namespace klio::telemetry::sdk {

namespace {

const SpanContext kNoParent{};

std::uint64_t ToNanos(Timestamp t) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

std::string TracerKey(const InstrumentationScope& scope) {
  std::string key = scope.name;
  key.push_back('\0');
  key += scope.version;
  key.push_back('\0');
  key += scope.schema_url;
  return key;
}

}  // namespace

// One recording span. Mutators take mu_; End moves data_ out to the processors, after which
// nothing reads or writes data_ (every mutator checks recording_ under mu_ first).
class SdkSpan final : public internal::RecordingSpan {
 public:
  explicit SdkSpan(const TracerProvider* provider) : provider_(provider) {}

  bool IsRecording() const noexcept override { return recording_.load(std::memory_order_acquire); }

  void SetAttribute(std::string_view key, AttributeValue value) override {
    const SpanLimits& l = provider_->limits_;
    std::lock_guard<std::mutex> lock(mu_);
    if (!recording_.load(std::memory_order_relaxed)) return;
    SetLimitedAttribute(&data_.attributes, key, std::move(value), l.attribute_count,
                        l.attribute_value_length, &data_.dropped_attributes_count);
  }

  void AddEvent(std::string_view name, Timestamp time,
                std::span<const KeyValue> attributes) override {
    const SpanLimits& l = provider_->limits_;
    std::uint64_t t = time == Timestamp{} ? provider_->NowNanos() : ToNanos(time);
    std::lock_guard<std::mutex> lock(mu_);
    if (!recording_.load(std::memory_order_relaxed)) return;
    if (data_.events.size() >= l.event_count) {
      ++data_.dropped_events_count;
      return;
    }
    SpanEvent& e = data_.events.emplace_back();
    e.time_unix_nano = t;
    e.name = std::string(name);
    e.attributes = LimitedAttributes(attributes, l.event_attribute_count, l.attribute_value_length,
                                     &e.dropped_attributes_count);
  }

  void AddLink(const SpanContext& context, std::span<const KeyValue> attributes) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!recording_.load(std::memory_order_relaxed)) return;
    AddLinkLocked(context, attributes);
  }

  void SetStatus(SpanStatusCode code, std::string_view description) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!recording_.load(std::memory_order_relaxed)) return;
    // OTel: Ok is final; Unset is ignored; the description only accompanies Error.
    if (data_.status_code == SpanStatusCode::kOk || code == SpanStatusCode::kUnset) {
      return;
    }
    data_.status_code = code;
    data_.status_message =
        code == SpanStatusCode::kError ? std::string(description) : std::string();
  }

  void UpdateName(std::string_view name) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (!recording_.load(std::memory_order_relaxed)) return;
    data_.name = std::string(name);
  }

  void End(Timestamp end_time) override {
    std::uint64_t t = end_time == Timestamp{} ? provider_->NowNanos() : ToNanos(end_time);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!recording_.load(std::memory_order_relaxed)) return;
      recording_.store(false, std::memory_order_release);
      data_.end_time_unix_nano = t;
    }
    provider_->OnEnd(std::move(data_));
  }

  // Called by SdkTracer::StartSpan before the span is shared (no lock needed).
  void AddLinkLocked(const SpanContext& context, std::span<const KeyValue> attributes) {
    const SpanLimits& l = provider_->limits_;
    if (!context.IsValid() && attributes.empty() && context.trace_state.empty()) return;
    if (data_.links.size() >= l.link_count) {
      ++data_.dropped_links_count;
      return;
    }
    SpanLink& link = data_.links.emplace_back();
    link.context = context;
    link.attributes = LimitedAttributes(attributes, l.link_attribute_count,
                                        l.attribute_value_length, &link.dropped_attributes_count);
  }

  SpanData& data() { return data_; }

 protected:
  void Destroy() noexcept override {
    if (recording_.load(std::memory_order_acquire)) End(Timestamp{});
    delete this;
  }

 private:
  const TracerProvider* const provider_;
  std::atomic<bool> recording_{true};
  std::mutex mu_;
  SpanData data_;  // guarded by mu_ while recording_
};

class SdkTracer final : public TracerBackend {
 public:
  SdkTracer(TracerProvider* provider, const InstrumentationScope& scope)
      : provider_(provider), scope_(std::make_shared<const InstrumentationScope>(scope)) {}

  Span StartSpan(std::string_view name, const StartSpanOptions& options) override {
    return Start(name, options, nullptr);
  }
  Span StartSpan(std::string_view name, StartSpanOptions&& options) override {
    return Start(name, options, &options);
  }

 private:
  // `movable` is `options` itself when the caller passed a temporary (its attributes and
  // links may be moved), else null.
  Span Start(std::string_view name, const StartSpanOptions& options, StartSpanOptions* movable);

  TracerProvider* const provider_;
  const std::shared_ptr<const InstrumentationScope> scope_;
};

Span SdkTracer::Start(std::string_view name, const StartSpanOptions& options,
                      StartSpanOptions* movable) {
  const TracerProvider& p = *provider_;
  const SpanContext* candidate = nullptr;
  if (options.parent.has_value()) {
    candidate = &*options.parent;
  } else if (const Scope* active = internal::tls_active_scope; active != nullptr) {
    candidate = &active->span().context();
  }
  const bool has_parent = candidate != nullptr && candidate->IsValid();
  const SpanContext& parent = has_parent ? *candidate : kNoParent;

  if (p.shut_down_.load(std::memory_order_relaxed)) [[unlikely]] {
    return has_parent ? Span(parent, nullptr) : Span();
  }

  SpanContext ctx;
  ctx.trace_id = has_parent ? parent.trace_id : p.ids_->GenerateTraceId();
  ctx.span_id = p.ids_->GenerateSpanId();
  SamplingResult r = p.sampler_->ShouldSample(
      {parent, ctx.trace_id, name, options.kind, options.attributes, options.links});
  std::uint8_t flags =
      has_parent ? (parent.trace_flags & kTraceFlagRandom) : (p.random_ids_ ? kTraceFlagRandom : 0);
  if (r.decision == SamplingDecision::kRecordAndSample) flags |= kTraceFlagSampled;
  ctx.trace_flags = flags;
  if (r.trace_state.has_value()) {
    ctx.trace_state = std::move(*r.trace_state);
  } else if (has_parent) {
    ctx.trace_state = parent.trace_state;
  }
  if (r.decision == SamplingDecision::kDrop) return Span(std::move(ctx), nullptr);

  auto* span = new SdkSpan(provider_);
  SpanData& d = span->data();
  d.context = ctx;
  d.parent_span_id = has_parent ? parent.span_id : SpanId{};
  d.parent_is_remote = has_parent && parent.is_remote;
  d.name = std::string(name);
  d.kind = options.kind;
  d.start_time_unix_nano =
      options.start_time == Timestamp{} ? p.NowNanos() : ToNanos(options.start_time);
  const SpanLimits& l = p.limits_;
  if (movable != nullptr) {
    d.attributes = std::move(movable->attributes);
    NormalizeAttributes(&d.attributes, l.attribute_count, l.attribute_value_length,
                        &d.dropped_attributes_count);
  } else if (!options.attributes.empty()) {
    d.attributes = LimitedAttributes(options.attributes, l.attribute_count,
                                     l.attribute_value_length, &d.dropped_attributes_count);
  }
  for (KeyValue& kv : r.attributes) {
    SetLimitedAttribute(&d.attributes, kv.key, std::move(kv.value), l.attribute_count,
                        l.attribute_value_length, &d.dropped_attributes_count);
  }
  for (const Link& link : options.links) span->AddLinkLocked(link.context, link.attributes);
  d.scope = scope_;
  for (const auto& processor : p.processors_) processor->OnStart(d);
  return Span(std::move(ctx), span);
}

void ApplyTraceEnv(const EnvGetter& env, TracerProviderOptions* options, EnvWarnings* warnings) {
  options->sampler = SamplerFromEnv(env, warnings);
  options->limits = SpanLimitsFromEnv(env, warnings);
}

TracerProvider::TracerProvider(TracerProviderOptions options)
    : resource_(options.resource ? std::move(options.resource)
                                 : std::make_shared<const Resource>()),
      sampler_(options.sampler ? std::move(options.sampler)
                               : NewParentBasedSampler(NewAlwaysOnSampler())),
      ids_(options.id_generator ? std::move(options.id_generator) : NewRandomIdGenerator()),
      random_ids_(ids_->IsRandom()),
      limits_(options.limits),
      processors_(std::move(options.processors)),
      clock_(std::move(options.clock)) {}

TracerProvider::~TracerProvider() {
  if (GetTracerProvider() == this) SetTracerProvider(nullptr);
  (void)Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(30));
}

TracerBackend* TracerProvider::GetTracerBackend(const InstrumentationScope& scope) {
  std::lock_guard<std::mutex> lock(mu_);
  std::unique_ptr<SdkTracer>& slot = tracers_[TracerKey(scope)];
  if (slot == nullptr) slot = std::make_unique<SdkTracer>(this, scope);
  return slot.get();
}

Tracer TracerProvider::GetTracer(std::string_view name, std::string_view version,
                                 std::string_view schema_url) {
  InstrumentationScope scope;
  scope.name = std::string(name);
  scope.version = std::string(version);
  scope.schema_url = std::string(schema_url);
  return Tracer(GetTracerBackend(scope));
}

Status TracerProvider::ForceFlush(Deadline deadline) {
  Status first;
  for (const auto& processor : processors_) {
    Status st = processor->ForceFlush(deadline);
    if (first.ok() && !st.ok()) first = st;
  }
  return first;
}

Status TracerProvider::Shutdown(Deadline deadline) {
  if (shut_down_.exchange(true)) return Status::Ok();
  Status first;
  for (const auto& processor : processors_) {
    Status st = processor->Shutdown(deadline);
    if (first.ok() && !st.ok()) first = st;
  }
  return first;
}

std::uint64_t TracerProvider::NowNanos() const {
  return ToNanos(clock_ ? clock_() : std::chrono::system_clock::now());
}

void TracerProvider::OnEnd(SpanData&& span) const {
  const std::size_t n = processors_.size();
  for (std::size_t i = 0; i + 1 < n; ++i) processors_[i]->OnEnd(SpanData(span));
  if (n > 0) processors_[n - 1]->OnEnd(std::move(span));
}

}  // namespace klio::telemetry::sdk
