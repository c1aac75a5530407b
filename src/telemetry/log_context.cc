#include "telemetry/log_context.h"

#include <atomic>
#include <cstddef>
#include <string>

#include "telemetry/log_redact.h"

namespace klio::log {
namespace {

std::atomic<TraceContextProvider> g_trace_provider{nullptr};

std::vector<internal::ContextEntry>& MutableThreadContext() {
  thread_local std::vector<internal::ContextEntry> entries;
  return entries;
}

// Context values are redacted when the scope is made, so lines pay nothing for them.
OwnedField RedactedCopy(const Field& field) {
  OwnedField owned(field);
  if (IsSecretKey(field.key())) {
    owned.SetString(std::string(kRedacted));
    return owned;
  }
  const Field view = owned.view();
  if (view.type() == Field::Type::kString) {
    std::string redacted;
    if (RedactSecretsTo(view.string_value(), &redacted)) owned.SetString(std::move(redacted));
  }
  return owned;
}

}  // namespace

void SetTraceContextProvider(TraceContextProvider provider) {
  g_trace_provider.store(provider, std::memory_order_release);
}

TraceContext CurrentTraceContext() {
  const TraceContextProvider provider = g_trace_provider.load(std::memory_order_acquire);
  return provider != nullptr ? provider() : TraceContext{};
}

ContextSnapshot CaptureContext() {
  ContextSnapshot snapshot;
  for (const internal::ContextEntry& entry : MutableThreadContext()) {
    if (!entry.hidden) snapshot.fields_.push_back(entry.field);
  }
  return snapshot;
}

ScopedContext::ScopedContext(std::initializer_list<Field> fields)
    : ScopedContext(std::span<const Field>(fields.begin(), fields.size())) {}

ScopedContext::ScopedContext(std::span<const Field> fields)
    : saved_size_(MutableThreadContext().size()) {
  for (const Field& field : fields) Push(field);
}

ScopedContext::ScopedContext(const ContextSnapshot& snapshot)
    : saved_size_(MutableThreadContext().size()) {
  for (const OwnedField& field : snapshot.fields_) Push(field.view());
}

void ScopedContext::Push(const Field& field) {
  std::vector<internal::ContextEntry>& entries = MutableThreadContext();
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].hidden && entries[i].field.key() == field.key()) {
      entries[i].hidden = true;
      if (i < saved_size_) hidden_.push_back(static_cast<std::uint32_t>(i));
    }
  }
  entries.push_back({RedactedCopy(field), false});
}

ScopedContext::~ScopedContext() {
  std::vector<internal::ContextEntry>& entries = MutableThreadContext();
  if (entries.size() > saved_size_) {
    entries.erase(entries.begin() + static_cast<std::ptrdiff_t>(saved_size_), entries.end());
  }
  for (const std::uint32_t i : hidden_) {
    if (i < entries.size()) entries[i].hidden = false;
  }
}

namespace internal {

const std::vector<ContextEntry>& ThreadContext() { return MutableThreadContext(); }

}  // namespace internal
}  // namespace klio::log
