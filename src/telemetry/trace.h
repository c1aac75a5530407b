// Tracing API: Tracer, Span, the per-thread active span (Scope) and the global provider hook.
//
// Instrumented code only sees this header. Until an SDK installs a TracerProviderBackend
// (SetTracerProvider), every Tracer is a no-op: StartSpan is an inlined null check plus one
// thread-local load, returns an empty Span, and allocates, locks and calls nothing virtual.
// With the SDK installed, a sampled span is an SDK-owned, reference-counted record; an
// unsampled one carries only its SpanContext (ids and flags, for propagation).
//
//   klio::telemetry::Tracer tracer = klio::telemetry::GetTracer("klio.backup");
//   klio::telemetry::Span span = tracer.StartSpan("backup", {.attributes = {{"backup.name", n}}});
//   auto scope = tracer.WithActiveSpan(span);   // children and log lines see `span`
//   ...
//   if (!status.ok()) span.RecordException(status);
//   span.End();
//
// Thread-safety: Tracer is an immutable value, safe to share. Span methods may be called from
// any thread (the SDK serialises them per span). The active span is per thread: a Scope must be
// created and destroyed on one thread, innermost first (a destroyed-out-of-order Scope is
// unlinked, at the cost of a walk). GetTracer/SetTracerProvider are thread-safe.
// Design: docs/design/telemetry.md §4.1 (tracing hot path); otel-reference §6.1.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "base/status.h"
#include "telemetry/common.h"
#include "telemetry/sdk/data.h"

namespace klio::telemetry {

// Span kind and status code are the data model's own enums (sdk/data.h is a header of plain
// types, shared with exporters), so instrumented code and the SDK use one type.
using SpanKind = sdk::SpanKind;
using SpanStatusCode = sdk::SpanStatusCode;

// Wall-clock time; the epoch (a default-constructed value) means "now".
using Timestamp = std::chrono::system_clock::time_point;

// W3C trace-flags bits. Test bits with masks; never compare the whole byte.
inline constexpr std::uint8_t kTraceFlagSampled = 0x01;
inline constexpr std::uint8_t kTraceFlagRandom = 0x02;  // Trace Context Level 2

// A link from a span to another span context (batch fan-in, "public endpoint" parenting).
struct Link {
  SpanContext context;
  Attributes attributes;
};

struct StartSpanOptions {
  SpanKind kind = SpanKind::kInternal;
  // The parent. Unset: the thread's active span (a root span when none). Set: this context is
  // the parent, the active span is ignored; set to an invalid SpanContext{} to force a root.
  std::optional<SpanContext> parent;
  // Known at start, so samplers see them (semconv marks such attributes, e.g. rpc.method).
  Attributes attributes;
  std::vector<Link> links;
  Timestamp start_time{};  // epoch = now
};

class Span;
class Scope;

namespace internal {

// The SDK side of one recording span. Reference counted by Span handles (and by nothing else:
// on End the SDK moves the finished data to its processors). Only SDKs implement this.
class RecordingSpan {
 public:
  void Ref() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() noexcept {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) Destroy();
  }

  // True until End. Never blocks.
  virtual bool IsRecording() const noexcept = 0;
  // Each mutator is a no-op after End; each may take the span's lock briefly.
  virtual void SetAttribute(std::string_view key, AttributeValue value) = 0;
  virtual void AddEvent(std::string_view name, Timestamp time,
                        std::span<const KeyValue> attributes) = 0;
  virtual void AddLink(const SpanContext& context, std::span<const KeyValue> attributes) = 0;
  virtual void SetStatus(SpanStatusCode code, std::string_view description) = 0;
  virtual void UpdateName(std::string_view name) = 0;
  // Ends the span (first call only) and hands its data to the SDK's processors.
  virtual void End(Timestamp end_time) = 0;

 protected:
  RecordingSpan() = default;
  virtual ~RecordingSpan() = default;
  // The last handle is gone: end the span if it is still open, then free it.
  virtual void Destroy() noexcept = 0;

 private:
  std::atomic<std::uint32_t> refs_{1};
};

// The innermost active Scope of this thread (null when none). constinit: no TLS init wrapper.
extern constinit thread_local const Scope* tls_active_scope;

// Out-of-line parts of Scope and of the no-op Tracer.
void UnlinkScope(const Scope* scope) noexcept;
Span NoopSpanFromParent(const StartSpanOptions& options);

}  // namespace internal

// A handle on a span: empty (no-op), context-only (not sampled, or a remote parent wrapped by
// the no-op tracer), or recording. Copies share the same span. A recording span that was never
// ended is ended when its last handle is destroyed; call End explicitly to set the end time.
class Span {
 public:
  Span() noexcept = default;
  Span(const Span& other) : context_(other.context_), record_(other.record_) {
    if (record_ != nullptr) record_->Ref();
  }
  Span(Span&& other) noexcept
      : context_(std::move(other.context_)), record_(std::exchange(other.record_, nullptr)) {}
  Span& operator=(const Span& other) {
    if (this != &other) *this = Span(other);
    return *this;
  }
  Span& operator=(Span&& other) noexcept {
    if (this != &other) {
      if (record_ != nullptr) record_->Unref();
      context_ = std::move(other.context_);
      record_ = std::exchange(other.record_, nullptr);
    }
    return *this;
  }
  ~Span() {
    if (record_ != nullptr) record_->Unref();
  }

  // For SDKs: a span with `context`, recording into `record` (adopts one reference; may be
  // null for a non-recording span).
  Span(SpanContext context, internal::RecordingSpan* record) noexcept
      : context_(std::move(context)), record_(record) {}

  // The span's identity (invalid for an empty span). Valid after End too.
  const SpanContext& context() const { return context_; }
  // True while the span records (sampled or record-only) and has not ended.
  bool IsRecording() const { return record_ != nullptr && record_->IsRecording(); }

  // Sets (or replaces) one attribute. The value is only converted when the span records, so a
  // std::string argument is not copied on the no-op path.
  template <typename T>
  void SetAttribute(std::string_view key, T&& value) {
    if (record_ != nullptr) record_->SetAttribute(key, ToValue(std::forward<T>(value)));
  }
  void SetAttributes(std::initializer_list<KeyValue> attributes) {
    if (record_ != nullptr) {
      for (const KeyValue& kv : attributes) record_->SetAttribute(kv.key, kv.value);
    }
  }

  void AddEvent(std::string_view name, std::initializer_list<KeyValue> attributes = {},
                Timestamp time = {}) {
    if (record_ != nullptr) record_->AddEvent(name, time, {attributes.begin(), attributes.size()});
  }
  void AddEvent(std::string_view name, const Attributes& attributes, Timestamp time = {}) {
    if (record_ != nullptr) record_->AddEvent(name, time, attributes);
  }

  // Links added after start are allowed but not seen by samplers; prefer StartSpanOptions.
  void AddLink(const SpanContext& context, std::initializer_list<KeyValue> attributes = {}) {
    if (record_ != nullptr) record_->AddLink(context, {attributes.begin(), attributes.size()});
  }

  // kOk is final (later calls are ignored); kError overrides kUnset; the description is kept
  // only for kError (OTel rule).
  void SetStatus(SpanStatusCode code, std::string_view description = {}) {
    if (record_ != nullptr) record_->SetStatus(code, description);
  }

  // Records a failure: an `exception` event (exception.type = the status code name, e.g.
  // "unavailable"; exception.message = the message), attribute error.type = the code name,
  // and status ERROR with "<code>: <message>". An OK status records nothing.
  void RecordException(const Status& status, std::initializer_list<KeyValue> attributes = {});
  // The same for a C++ exception: exception.type is the demangled dynamic type
  // ("std::runtime_error"), exception.message is what().
  void RecordException(const std::exception& e, std::initializer_list<KeyValue> attributes = {});

  void UpdateName(std::string_view name) {
    if (record_ != nullptr) record_->UpdateName(name);
  }

  // Ends the span; later calls (and mutators) are ignored. Never blocks on export: the SDK
  // hands the data to its processors (the batch processor only enqueues).
  void End(Timestamp end_time = {}) {
    if (record_ != nullptr) record_->End(end_time);
  }

 private:
  template <typename T>
  static AttributeValue ToValue(T&& value) {
    using D = std::remove_cvref_t<T>;
    if constexpr (std::is_same_v<D, AttributeValue>) {
      return std::forward<T>(value);
    } else if constexpr (std::is_same_v<D, bool>) {
      return AttributeValue{value};
    } else if constexpr (std::is_integral_v<D>) {
      return AttributeValue{static_cast<std::int64_t>(value)};
    } else if constexpr (std::is_floating_point_v<D>) {
      return AttributeValue{static_cast<double>(value)};
    } else if constexpr (std::is_same_v<D, std::string>) {
      return AttributeValue{std::in_place_type<std::string>, std::forward<T>(value)};
    } else if constexpr (std::is_convertible_v<const D&, const char*>) {
      const char* p = value;
      return AttributeValue{std::string(p != nullptr ? p : "")};
    } else if constexpr (std::is_convertible_v<const D&, std::string_view>) {
      return AttributeValue{std::string(std::string_view{value})};
    } else {
      return AttributeValue{std::forward<T>(value)};  // the array alternatives
    }
  }

  SpanContext context_;
  internal::RecordingSpan* record_ = nullptr;
};

// Makes a span the active span of this thread until the Scope is destroyed. Costs two
// thread-local stores; no allocation, no reference count. The Scope borrows `span`: the Span
// object must outlive the Scope (binding a temporary does not compile).
class [[nodiscard]] Scope {
 public:
  explicit Scope(const Span& span) noexcept : span_(&span), prev_(internal::tls_active_scope) {
    internal::tls_active_scope = this;
  }
  explicit Scope(Span&&) = delete;
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;
  ~Scope() {
    if (internal::tls_active_scope == this) [[likely]] {
      internal::tls_active_scope = prev_;
    } else {
      internal::UnlinkScope(this);
    }
  }

  const Span& span() const { return *span_; }

 private:
  friend void internal::UnlinkScope(const Scope* scope) noexcept;
  const Span* span_;
  const Scope* prev_;
};

// Returns the context of this thread's innermost active span; an invalid context when none.
inline SpanContext CurrentSpanContext() {
  const Scope* s = internal::tls_active_scope;
  return s != nullptr ? s->span().context() : SpanContext{};
}

// Returns a handle on this thread's innermost active span (an empty Span when none), so deep
// code can add events or attributes to its caller's span.
inline Span CurrentSpan() {
  const Scope* s = internal::tls_active_scope;
  return s != nullptr ? s->span() : Span();
}

// The SDK side of a Tracer (one per instrumentation scope). Implemented by the SDK only.
class TracerBackend {
 public:
  // Starts a span (sampling, ids, processors' OnStart). Never blocks on I/O. The rvalue form
  // may move the attributes and links out of `options`.
  virtual Span StartSpan(std::string_view name, const StartSpanOptions& options) = 0;
  virtual Span StartSpan(std::string_view name, StartSpanOptions&& options) = 0;

 protected:
  ~TracerBackend() = default;
};

// A Tracer names the instrumentation scope (e.g. "klio.backup") its spans belong to. It is a
// pointer-sized value; a default-constructed Tracer (or one obtained while no SDK is
// installed) is a no-op forever, so get tracers after telemetry is set up in main().
class Tracer {
 public:
  Tracer() = default;
  explicit Tracer(TracerBackend* backend) : backend_(backend) {}

  // Starts a span; see StartSpanOptions for the parent rules. Never blocks on I/O. No-op
  // tracer: an empty Span, or a context-only Span carrying the (explicit or active) parent
  // context so that propagation still works through a process without the SDK.
  Span StartSpan(std::string_view name, const StartSpanOptions& options) const {
    if (backend_ != nullptr) return backend_->StartSpan(name, options);
    if (!options.parent.has_value() && internal::tls_active_scope == nullptr) [[likely]] {
      return Span();
    }
    return internal::NoopSpanFromParent(options);
  }
  // The same for temporary options (`{.attributes = {...}}`): the SDK moves the attributes and
  // links instead of copying them.
  Span StartSpan(std::string_view name, StartSpanOptions&& options) const {
    if (backend_ != nullptr) return backend_->StartSpan(name, std::move(options));
    if (!options.parent.has_value() && internal::tls_active_scope == nullptr) [[likely]] {
      return Span();
    }
    return internal::NoopSpanFromParent(options);
  }
  Span StartSpan(std::string_view name) const {
    if (backend_ != nullptr) return backend_->StartSpan(name, StartSpanOptions{});
    if (internal::tls_active_scope == nullptr) [[likely]] {
      return Span();
    }
    return internal::NoopSpanFromParent(StartSpanOptions{});
  }

  // Makes `span` this thread's active span until the returned Scope is destroyed.
  static Scope WithActiveSpan(const Span& span) noexcept { return Scope(span); }
  static Scope WithActiveSpan(Span&&) = delete;

  // True when an SDK backs this tracer (spans may record).
  bool enabled() const { return backend_ != nullptr; }

 private:
  TracerBackend* backend_ = nullptr;
};

// The SDK's tracer provider, as the API sees it. Implemented by sdk::TracerProvider.
class TracerProviderBackend {
 public:
  // Returns the tracer backend for one scope; the same pointer for the same scope. The
  // pointer stays valid as long as the provider lives.
  virtual TracerBackend* GetTracerBackend(const InstrumentationScope& scope) = 0;

 protected:
  ~TracerProviderBackend() = default;
};

// Installs `provider` as the global tracer provider (null restores the no-op) and, when
// non-null, makes klio::log lines carry the active span's trace_id/span_id/trace_flags. The
// provider must outlive every Tracer and Span obtained from it. Thread-safe; not a hot path.
void SetTracerProvider(TracerProviderBackend* provider);

// Returns the installed provider (null when none).
TracerProviderBackend* GetTracerProvider();

// Returns a tracer for the instrumentation scope `name` (e.g. "klio.backup", "klio.wal"),
// bound to the provider installed now; a no-op tracer when none is installed.
Tracer GetTracer(std::string_view name, std::string_view version = {},
                 std::string_view schema_url = {});

}  // namespace klio::telemetry
