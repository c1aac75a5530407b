// Log context: fields that every line written on a thread carries while a scope is alive
// (request_id, cluster_name, ...), and the hook through which the telemetry SDK tells the
// logger which span is active, so lines carry trace_id/span_id/trace_flags.
//
// Thread-safety: ScopedContext acts on the calling thread's context only; other threads never
// see it (hand fields to another thread with CaptureContext). SetTraceContextProvider may be
// called from any thread at any time.
// Design: docs/design/logging.md §4 (context and trace correlation).
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <vector>

#include "telemetry/log_field.h"

namespace klio::log {

// The W3C identity of the active span, as the logger sees it.
struct TraceContext {
  std::array<std::uint8_t, 16> trace_id{};
  std::array<std::uint8_t, 8> span_id{};
  std::uint8_t flags = 0;  // W3C trace-flags; bit 0 = sampled
  bool valid = false;      // false: no active span; nothing is added to the line
};

// Returns the calling thread's active span. Called once per written line, on the logging
// thread, so it must be fast, must not log and must not block.
using TraceContextProvider = TraceContext (*)();

// Installs `provider` for every thread (nullptr removes it). Lines written after this returns
// use the new provider.
void SetTraceContextProvider(TraceContextProvider provider);

// The provider's answer for the calling thread, or an invalid context when none is installed.
TraceContext CurrentTraceContext();

// A copy of the calling thread's context fields, to adopt on another thread (a worker running
// a task for a request): `auto snap = CaptureContext();` then, on the worker,
// `ScopedContext ctx(snap);`.
class ContextSnapshot {
 public:
  bool empty() const { return fields_.empty(); }

 private:
  friend class ScopedContext;
  friend ContextSnapshot CaptureContext();
  std::vector<OwnedField> fields_;
};

// The visible context fields of the calling thread, outermost scope first.
ContextSnapshot CaptureContext();

// Adds fields to every line the calling thread writes until the scope ends:
//   log::ScopedContext ctx({{"request_id", id}, {"cluster_name", name}});
// Scopes nest; an inner field with the same key hides the outer one until the inner scope
// ends. Values are copied and redacted once, here. Must be destroyed on the thread that made
// it, in reverse order of construction (a local variable does exactly that).
class ScopedContext {
 public:
  explicit ScopedContext(std::initializer_list<Field> fields);
  explicit ScopedContext(std::span<const Field> fields);
  explicit ScopedContext(const ContextSnapshot& snapshot);
  ~ScopedContext();

  ScopedContext(const ScopedContext&) = delete;
  ScopedContext& operator=(const ScopedContext&) = delete;

 private:
  void Push(const Field& field);

  size_t saved_size_;
  std::vector<std::uint32_t> hidden_;  // outer entries this scope hid, to show again
};

namespace internal {

struct ContextEntry {
  OwnedField field;
  bool hidden = false;  // an inner scope has a field with the same key
};

// The calling thread's context stack (outermost first), hidden entries included.
const std::vector<ContextEntry>& ThreadContext();

}  // namespace internal
}  // namespace klio::log
