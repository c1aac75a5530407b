// LoggerProvider: the logs SDK. It owns the resource, log record limits and processors, and
// turns klio::log lines into OpenTelemetry LogRecords through a LogSink bridge:
//
//   sdk::LoggerProvider logs({.resource = resource, .processors = ...});
//   logs.InstallLogBridge();   // every klio::log line now also becomes a LogRecordData
//
// Each line (already redacted by klio::log) becomes one record: timestamp, severity number and
// text, body = the message, attributes = the line's context fields then its own fields
// (OTEL_LOGRECORD_ATTRIBUTE_* limits applied, drops counted), trace_id/span_id/flags of the
// active span, and instrumentation scope = the logger name ("klio.wal"). The stderr JSON line
// is written as before; the bridge only adds the record.
//
// Lifetime: the provider is a handle on shared state that the bridge also holds, so a log line
// racing with the provider's destruction stays safe (it is dropped). Shutdown (or the
// destructor) uninstalls the bridge.
//
// Thread-safety: all methods are thread-safe.
// Design: docs/design/telemetry.md §4.4; otel-reference §8.
#pragma once

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "telemetry/common.h"
#include "telemetry/sdk/data.h"
#include "telemetry/sdk/env_parse.h"
#include "telemetry/sdk/exporter.h"
#include "telemetry/sdk/limits.h"
#include "telemetry/sdk/log_record_processor.h"
#include "telemetry/trace.h"

namespace klio::telemetry::sdk {

struct LoggerProviderOptions {
  std::shared_ptr<const Resource> resource;  // null: an empty resource
  LogRecordLimits limits;
  std::vector<std::unique_ptr<LogRecordProcessor>> processors;  // called in order
  // Wall clock for observed timestamps; null: std::chrono::system_clock::now.
  std::function<Timestamp()> clock;
};

// Fills the limits of `options` from OTEL_LOGRECORD_ATTRIBUTE_* / OTEL_ATTRIBUTE_*.
void ApplyLogsEnv(const EnvGetter& env, LoggerProviderOptions* options, EnvWarnings* warnings);

class LoggerProvider;

// Emits records under one instrumentation scope. A cheap value; valid while its provider's
// shared state lives (the Logger holds a reference).
class Logger {
 public:
  // Completes `record` (scope, observed time when 0, trace context from the active span when
  // unset), applies the limits and hands it to the processors. Never blocks on I/O.
  void Emit(LogRecordData record) const;

  struct State;  // the provider's shared state (internal; defined in logger_provider.cc)

 private:
  friend class LoggerProvider;
  Logger(std::shared_ptr<State> state, std::shared_ptr<const InstrumentationScope> scope)
      : state_(std::move(state)), scope_(std::move(scope)) {}
  std::shared_ptr<State> state_;
  std::shared_ptr<const InstrumentationScope> scope_;
};

class LoggerProvider {
 public:
  explicit LoggerProvider(LoggerProviderOptions options);
  // Uninstalls the bridge and shuts down (30 s budget) unless Shutdown already ran.
  ~LoggerProvider();
  LoggerProvider(const LoggerProvider&) = delete;
  LoggerProvider& operator=(const LoggerProvider&) = delete;

  // A logger for scope `name` (the scope object is shared by every logger of that name).
  Logger GetLogger(std::string_view name, std::string_view version = {});

  // Registers the klio::log bridge (idempotent).
  void InstallLogBridge();
  // Unregisters it (idempotent); lines already inside the sink may still arrive.
  void UninstallLogBridge();

  // Flushes every processor; returns the first error, DeadlineExceeded when `deadline`
  // passed first. Blocks until then.
  Status ForceFlush(Deadline deadline);
  // Uninstalls the bridge, drops later records, shuts every processor down by `deadline`.
  // A second call returns OK at once.
  Status Shutdown(Deadline deadline);

  // Records whose attributes were cut by the limits, since start (for tests and self-metrics).
  std::uint64_t records_with_dropped_attributes() const;

 private:
  std::shared_ptr<Logger::State> state_;
};

}  // namespace klio::telemetry::sdk
