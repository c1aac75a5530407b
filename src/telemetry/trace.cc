// Out-of-line parts of the tracing API: the active-span stack, the global provider, exception
// recording and the trace-context hook for klio::log.
#include "telemetry/trace.h"

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "telemetry/log_context.h"

namespace klio::telemetry {
namespace internal {

constinit thread_local const Scope* tls_active_scope = nullptr;

void UnlinkScope(const Scope* scope) noexcept {
  // Scopes destroyed out of order (e.g. held in a unique_ptr): unlink from the middle.
  for (const Scope* s = tls_active_scope; s != nullptr; s = s->prev_) {
    if (s->prev_ == scope) {
      const_cast<Scope*>(s)->prev_ = scope->prev_;
      return;
    }
  }
  // Not on this thread's stack: destroyed on another thread, a caller bug we cannot repair.
}

Span NoopSpanFromParent(const StartSpanOptions& options) {
  SpanContext parent = options.parent.has_value() ? *options.parent : CurrentSpanContext();
  if (!parent.IsValid()) return Span();
  // The no-op tracer propagates the parent unchanged (OTel API rule), so a process without
  // the SDK passes traceparent through instead of cutting the trace.
  return Span(std::move(parent), nullptr);
}

}  // namespace internal

namespace {

std::atomic<TracerProviderBackend*> g_provider{nullptr};

log::TraceContext ActiveTraceContextForLog() {
  log::TraceContext out;
  const Scope* s = internal::tls_active_scope;
  if (s == nullptr) return out;
  const SpanContext& ctx = s->span().context();
  if (!ctx.IsValid()) return out;
  out.trace_id = ctx.trace_id.bytes;
  out.span_id = ctx.span_id.bytes;
  out.flags = ctx.trace_flags;
  out.valid = true;
  return out;
}

std::string DemangledTypeName(const std::exception& e) {
  const char* mangled = typeid(e).name();
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> demangled(
      abi::__cxa_demangle(mangled, nullptr, nullptr, &status), &std::free);
  return status == 0 && demangled != nullptr ? std::string(demangled.get()) : std::string(mangled);
}

void RecordExceptionEvent(Span& span, std::string type, std::string message,
                          std::initializer_list<KeyValue> extra) {
  Attributes attrs;
  attrs.reserve(2 + extra.size());
  attrs.emplace_back("exception.type", AttributeValue(std::move(type)));
  attrs.emplace_back("exception.message", AttributeValue(std::move(message)));
  attrs.insert(attrs.end(), extra.begin(), extra.end());
  span.AddEvent("exception", attrs);
}

}  // namespace

void Span::RecordException(const Status& status, std::initializer_list<KeyValue> attributes) {
  if (record_ == nullptr || status.ok()) return;
  std::string type(StatusCodeName(status.code()));
  SetAttribute("error.type", type);
  RecordExceptionEvent(*this, type, status.message(), attributes);
  SetStatus(SpanStatusCode::kError, status.ToString());
}

void Span::RecordException(const std::exception& e, std::initializer_list<KeyValue> attributes) {
  if (record_ == nullptr) return;
  std::string type = DemangledTypeName(e);
  std::string message = e.what();
  SetAttribute("error.type", type);
  RecordExceptionEvent(*this, type, message, attributes);
  SetStatus(SpanStatusCode::kError, message);
}

void SetTracerProvider(TracerProviderBackend* provider) {
  g_provider.store(provider, std::memory_order_release);
  log::SetTraceContextProvider(provider != nullptr ? &ActiveTraceContextForLog : nullptr);
}

TracerProviderBackend* GetTracerProvider() { return g_provider.load(std::memory_order_acquire); }

Tracer GetTracer(std::string_view name, std::string_view version, std::string_view schema_url) {
  TracerProviderBackend* provider = GetTracerProvider();
  if (provider == nullptr) return Tracer();
  InstrumentationScope scope;
  scope.name = std::string(name);
  scope.version = std::string(version);
  scope.schema_url = std::string(schema_url);
  return Tracer(provider->GetTracerBackend(scope));
}

}  // namespace klio::telemetry
