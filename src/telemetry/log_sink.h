// LogRecord and LogSink: every line that passes the level check is also handed, as a record,
// to the sinks installed here. The OpenTelemetry logs bridge is one such sink; tests are
// another.
//
// Thread-safety: AddSink and RemoveSink may be called from any thread at any time. Sinks are
// called on the logging thread with no klio lock held, concurrently from many threads.
// Design: docs/design/logging.md §6 (sink hook).
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string_view>

#include "telemetry/log_context.h"
#include "telemetry/log_field.h"
#include "telemetry/log_level.h"

namespace klio::log {

// One log event. It is a view: everything it points to lives only during LogSink::Write.
struct LogRecord {
  std::chrono::system_clock::time_point timestamp;
  Level level = Level::kInfo;
  int severity_number = 0;         // OpenTelemetry SeverityNumber (SeverityNumber(level))
  std::string_view severity_text;  // "INFO", ...
  std::string_view logger;         // e.g. "klio.wal"; the OTel instrumentation scope name
  std::string_view message;        // already redacted
  // Context fields (request_id first when present), then the call's fields. Keys are unique,
  // values are already redacted, and a Status has become its "<code>: <message>" string, so no
  // field is of type kStatus.
  std::span<const Field> fields;
  TraceContext trace;  // valid only inside an active span
};

class LogSink {
 public:
  virtual ~LogSink() = default;
  // Receives one record, after its line was written to the output (or queued, when
  // batched). Must be thread-safe and quick (queue the record, do not export it inline); copy
  // what you keep. A line logged from inside Write goes to the output but not back to the
  // sinks.
  virtual void Write(const LogRecord& record) = 0;
};

// Installs `sink` (ignored when null or already installed). The logger shares ownership
// until RemoveSink.
void AddSink(std::shared_ptr<LogSink> sink);

// Uninstalls `sink`. Lines that started before this returns may still reach it: the logger
// holds a reference for the duration of such a call, so the sink stays alive until it ends.
void RemoveSink(const LogSink* sink);

namespace internal {

// True when at least one sink is installed (one relaxed atomic load).
bool HasSinks();

// Hands `record` to every installed sink. Exceptions from a sink are swallowed.
void DispatchToSinks(const LogRecord& record);

}  // namespace internal
}  // namespace klio::log
