#include "telemetry/sdk/logger_provider.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <limits>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

#include "telemetry/log.h"

namespace klio::telemetry::sdk {
namespace {

std::uint64_t ToNanos(Timestamp t) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count());
}

// Sets `v` to the value of `f`, reusing v's string buffer when it already holds a string.
void AssignFieldValue(const log::Field& f, AttributeValue* v) {
  auto assign_string = [v](std::string_view text) {
    if (auto* s = std::get_if<std::string>(v)) {
      s->assign(text);
    } else {
      *v = std::string(text);
    }
  };
  switch (f.type()) {
    case log::Field::Type::kString:
      assign_string(f.string_value());
      return;
    case log::Field::Type::kInt:
      *v = f.int_value();
      return;
    case log::Field::Type::kUint: {
      std::uint64_t u = f.uint_value();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        *v = static_cast<std::int64_t>(u);
      } else {
        assign_string(std::to_string(u));  // every digit kept; OTLP has no unsigned 64-bit
      }
      return;
    }
    case log::Field::Type::kDouble:
      *v = f.double_value();
      return;
    case log::Field::Type::kBool:
      *v = f.bool_value();
      return;
    case log::Field::Type::kStatus:
      assign_string(f.status_value() != nullptr ? log::StatusFieldText(*f.status_value())
                                                : std::string("ok"));
      return;
  }
}

}  // namespace

struct Logger::State {
  explicit State(LoggerProviderOptions o)
      : resource(o.resource ? std::move(o.resource) : std::make_shared<const Resource>()),
        limits(o.limits),
        processors(std::move(o.processors)),
        clock(std::move(o.clock)) {}

  std::uint64_t NowNanos() const {
    return ToNanos(clock ? clock() : std::chrono::system_clock::now());
  }

  std::shared_ptr<const InstrumentationScope> ScopeFor(std::string_view name,
                                                       std::string_view version) {
    std::string key(name);
    key.push_back('\0');
    key.append(version);
    std::lock_guard<std::mutex> lock(mu);
    std::shared_ptr<const InstrumentationScope>& slot = scopes[key];
    if (slot == nullptr) {
      auto scope = std::make_shared<InstrumentationScope>();
      scope->name = std::string(name);
      scope->version = std::string(version);
      slot = std::move(scope);
    }
    return slot;
  }

  // The scope for a klio::log logger name. Logger names are interned by klio::log (they live
  // until exit), so a one-entry per-thread cache keyed by the name's address avoids the lock.
  // The reference is valid until the calling thread's next call.
  const std::shared_ptr<const InstrumentationScope>& ScopeForLogLine(std::string_view name) {
    struct Cache {
      const State* state = nullptr;
      const char* name = nullptr;
      std::size_t size = 0;
      std::shared_ptr<const InstrumentationScope> scope;
    };
    thread_local Cache cache;
    if (cache.state != this || cache.name != name.data() || cache.size != name.size()) {
      cache.scope = ScopeFor(name, {});
      cache.state = this;
      cache.name = name.data();
      cache.size = name.size();
    }
    return cache.scope;
  }

  void Emit(LogRecordData&& r) {
    if (shut_down.load(std::memory_order_relaxed)) return;
    if (r.attributes.size() > limits.attribute_count) {
      r.dropped_attributes_count +=
          static_cast<std::uint32_t>(r.attributes.size() - limits.attribute_count);
      r.attributes.erase(r.attributes.begin() + limits.attribute_count, r.attributes.end());
    }
    if (limits.attribute_value_length != kNoLimit) {
      for (KeyValue& kv : r.attributes) TruncateValue(&kv.value, limits.attribute_value_length);
    }
    if (r.dropped_attributes_count > 0) {
      with_dropped_attributes.fetch_add(1, std::memory_order_relaxed);
    }
    if (r.observed_time_unix_nano == 0) r.observed_time_unix_nano = NowNanos();
    const std::size_t n = processors.size();
    for (std::size_t i = 0; i + 1 < n; ++i) processors[i]->OnEmit(LogRecordData(r));
    if (n > 0) processors[n - 1]->OnEmit(std::move(r));
  }

  // Hands a record built by `filler` to the processors: in place when there is one.
  void EmitInPlace(const LogRecordFiller& filler) {
    if (shut_down.load(std::memory_order_relaxed)) return;
    const std::size_t n = processors.size();
    if (n == 1) {
      processors[0]->OnEmitInPlace(filler);
      return;
    }
    if (n == 0) return;
    LogRecordData r;
    filler.Fill(r);
    for (std::size_t i = 0; i + 1 < n; ++i) processors[i]->OnEmit(LogRecordData(r));
    processors[n - 1]->OnEmit(std::move(r));
  }

  const std::shared_ptr<const Resource> resource;
  const LogRecordLimits limits;
  const std::vector<std::unique_ptr<LogRecordProcessor>> processors;
  const std::function<Timestamp()> clock;
  std::atomic<bool> shut_down{false};
  std::atomic<std::uint64_t> with_dropped_attributes{0};

  std::mutex mu;
  std::unordered_map<std::string, std::shared_ptr<const InstrumentationScope>> scopes;  // mu
  std::shared_ptr<log::LogSink> bridge;                                                 // mu
};

namespace {

// Builds the LogRecordData of one klio::log line, overwriting every field of the target and
// reusing its buffers (the target is usually a recycled batch queue slot).
class LineFiller final : public LogRecordFiller {
 public:
  LineFiller(const log::LogRecord& line, Logger::State& state,
             const std::shared_ptr<const InstrumentationScope>& scope)
      : line_(line), state_(state), scope_(scope) {}

  void Fill(LogRecordData& d) const override {
    const LogRecordLimits& limits = state_.limits;
    d.time_unix_nano = ToNanos(line_.timestamp);
    d.observed_time_unix_nano = d.time_unix_nano;  // the SDK sees the line as it is written
    d.severity_number = static_cast<std::uint8_t>(line_.severity_number);
    d.severity_text.assign(line_.severity_text);
    d.body.assign(line_.message);  // limits never apply to the body
    const std::size_t n = std::min<std::size_t>(line_.fields.size(), limits.attribute_count);
    Attributes& a = d.attributes;
    for (std::size_t i = 0; i < n; ++i) {
      const log::Field& f = line_.fields[i];
      if (i < a.size()) {
        a[i].key.assign(f.key());
      } else {
        a.emplace_back(std::string(f.key()), false);
      }
      AssignFieldValue(f, &a[i].value);
      if (limits.attribute_value_length != kNoLimit) {
        TruncateValue(&a[i].value, limits.attribute_value_length);
      }
    }
    a.erase(a.begin() + static_cast<std::ptrdiff_t>(n), a.end());
    d.dropped_attributes_count = static_cast<std::uint32_t>(line_.fields.size() - n);
    if (d.dropped_attributes_count > 0) {
      state_.with_dropped_attributes.fetch_add(1, std::memory_order_relaxed);
    }
    if (line_.trace.valid) {
      d.trace_id.bytes = line_.trace.trace_id;
      d.span_id.bytes = line_.trace.span_id;
      d.trace_flags = line_.trace.flags;
    } else {
      d.trace_id = TraceId{};
      d.span_id = SpanId{};
      d.trace_flags = 0;
    }
    d.event_name.clear();
    if (d.scope != scope_) d.scope = scope_;  // usually the same logger: no refcount traffic
  }

 private:
  const log::LogRecord& line_;
  Logger::State& state_;
  const std::shared_ptr<const InstrumentationScope>& scope_;
};

// The klio::log sink: one LogRecordData per line.
class LogBridge final : public log::LogSink {
 public:
  explicit LogBridge(std::shared_ptr<Logger::State> state) : state_(std::move(state)) {}

  void Write(const log::LogRecord& record) override {
    Logger::State& s = *state_;
    if (s.shut_down.load(std::memory_order_relaxed)) return;
    s.EmitInPlace(LineFiller(record, s, s.ScopeForLogLine(record.logger)));
  }

 private:
  const std::shared_ptr<Logger::State> state_;
};

}  // namespace

void Logger::Emit(LogRecordData record) const {
  if (record.scope == nullptr) record.scope = scope_;
  if (!record.trace_id.IsValid()) {
    const Scope* active = internal::tls_active_scope;
    if (active != nullptr && active->span().context().IsValid()) {
      const SpanContext& ctx = active->span().context();
      record.trace_id = ctx.trace_id;
      record.span_id = ctx.span_id;
      record.trace_flags = ctx.trace_flags;
    }
  }
  state_->Emit(std::move(record));
}

void ApplyLogsEnv(const EnvGetter& env, LoggerProviderOptions* options, EnvWarnings* warnings) {
  options->limits = LogRecordLimitsFromEnv(env, warnings);
}

LoggerProvider::LoggerProvider(LoggerProviderOptions options)
    : state_(std::make_shared<Logger::State>(std::move(options))) {}

LoggerProvider::~LoggerProvider() {
  (void)Shutdown(std::chrono::steady_clock::now() + std::chrono::seconds(30));
}

Logger LoggerProvider::GetLogger(std::string_view name, std::string_view version) {
  return Logger(state_, state_->ScopeFor(name, version));
}

void LoggerProvider::InstallLogBridge() {
  std::shared_ptr<log::LogSink> sink;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->bridge != nullptr || state_->shut_down.load()) return;
    state_->bridge = std::make_shared<LogBridge>(state_);
    sink = state_->bridge;
  }
  log::AddSink(std::move(sink));
}

void LoggerProvider::UninstallLogBridge() {
  std::shared_ptr<log::LogSink> sink;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    sink = std::move(state_->bridge);
    state_->bridge = nullptr;
  }
  if (sink != nullptr) log::RemoveSink(sink.get());
}

Status LoggerProvider::ForceFlush(Deadline deadline) {
  Status first;
  for (const auto& processor : state_->processors) {
    Status st = processor->ForceFlush(deadline);
    if (first.ok() && !st.ok()) first = st;
  }
  return first;
}

Status LoggerProvider::Shutdown(Deadline deadline) {
  UninstallLogBridge();
  if (state_->shut_down.exchange(true)) return Status::Ok();
  Status first;
  for (const auto& processor : state_->processors) {
    Status st = processor->Shutdown(deadline);
    if (first.ok() && !st.ok()) first = st;
  }
  return first;
}

std::uint64_t LoggerProvider::records_with_dropped_attributes() const {
  return state_->with_dropped_attributes.load(std::memory_order_relaxed);
}

}  // namespace klio::telemetry::sdk
