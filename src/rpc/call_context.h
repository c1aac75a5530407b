// Per-call context on the handler's thread: rpc::ServerCallScope makes an incoming call's
// SERVER span active and puts its request id into every log line; rpc::CallContextScope says
// which request id and baggage outgoing calls made on this thread carry.
//
//   grpc::Status Echo(grpc::ServerContext* context, const EchoRequest* req,
//                     EchoResponse* resp) override {
//     rpc::ServerCallScope call(context);  // first line of every handler
//     logger.Info("echo");                 // carries request_id, trace_id, span_id
//     return stub_->Next(...);             // a CLIENT span, child of the SERVER span, that
//   }                                      // sends the same x-request-id and baggage
//
// The same line works in sync unary, client-, server- and bidi-streaming handlers and in
// callback-API reactors (construct it where the work runs). Work handed to another thread
// takes `call.span()` and `call.request_id()` along and opens its own scopes there
// (telemetry::Scope, log::ScopedContext, CallContextScope).
//
// A handler of a server built without the telemetry interceptor still gets a request id (a
// valid incoming x-request-id, else none) and no span.
//
// Thread-safety: every scope acts on the calling thread only and must be destroyed on it, in
// reverse order of construction (local variables do that). ServerCallScope's lookup takes one
// short lock.
// Design: docs/design/rpc-telemetry.md §2.
#pragma once

#include <memory>
#include <string>

#include "telemetry/log_context.h"
#include "telemetry/propagation.h"
#include "telemetry/trace.h"

namespace grpc {
class ServerContextBase;
}  // namespace grpc

namespace klio::rpc {

// What outgoing calls made on a thread carry besides the trace context.
struct CallContext {
  std::string request_id;      // sent as x-request-id when set
  telemetry::Baggage baggage;  // sent as the baggage header when not empty
};

// The calling thread's innermost CallContext; null when none.
const CallContext* CurrentCallContext();

// Makes `context` the calling thread's CallContext until destroyed. Borrows `context`, which
// must outlive the scope. Two thread-local stores; no allocation.
class [[nodiscard]] CallContextScope {
 public:
  explicit CallContextScope(const CallContext& context) noexcept;
  explicit CallContextScope(CallContext&&) = delete;
  ~CallContextScope();
  CallContextScope(const CallContextScope&) = delete;
  CallContextScope& operator=(const CallContextScope&) = delete;

 private:
  const CallContext* context_;
  const CallContextScope* prev_;
};

namespace internal {

// What the server interceptor publishes about one call for its handler. Immutable once
// published.
struct ServerCallInfo {
  telemetry::Span span;  // the SERVER span; context-only or empty without the SDK
  CallContext context;   // request id (always set by the interceptor) and incoming baggage
};

}  // namespace internal

// Activates an incoming call's telemetry on the calling thread: the SERVER span becomes the
// active span (children and log lines' trace_id/span_id), `request_id` goes into every log
// line, and the request id and incoming baggage are carried by outgoing calls. `context` is
// the handler's grpc::ServerContext* / grpc::CallbackServerContext* (may be null: then the
// scope does nothing). Does not block beyond one short lock; never fails.
class [[nodiscard]] ServerCallScope {
 public:
  explicit ServerCallScope(const grpc::ServerContextBase* context);
  ~ServerCallScope();
  ServerCallScope(const ServerCallScope&) = delete;
  ServerCallScope& operator=(const ServerCallScope&) = delete;

  // The call's SERVER span (add events or attributes to it); empty when not instrumented.
  const telemetry::Span& span() const { return info_->span; }
  // The call's request id, as returned to the caller; empty when not instrumented and the
  // caller sent none.
  const std::string& request_id() const { return info_->context.request_id; }
  // The baggage the caller sent.
  const telemetry::Baggage& baggage() const { return info_->context.baggage; }

 private:
  const std::shared_ptr<const internal::ServerCallInfo> info_;  // never null
  log::ScopedContext log_context_;
  telemetry::Scope span_scope_;
  CallContextScope call_scope_;
};

}  // namespace klio::rpc
