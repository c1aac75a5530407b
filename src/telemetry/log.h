// klio::log — structured logging: JSON lines (or a console format) on one file descriptor,
// stderr by default, with redaction, per-thread context, trace correlation and a sink hook
// for the OpenTelemetry logs bridge.
//
//   const log::Logger logger = log::GetLogger("klio.wal");
//   logger.Info("wal segment archived", {{"cluster_name", name}, {"bytes", n}});
//   KLIO_LOG_DEBUG(logger, "page read", {"block", block});  // fields built only if enabled
//
// Thread-safety: everything here may be called from any thread. A line is formatted into a
// per-thread buffer. By default (Options::batched) trace/debug/info lines are then copied into
// a shared buffer that a background thread writes in batches (one write(2) per batch, at most
// ~1 ms later), while warn/error lines are written, after everything queued, before the call
// returns. Lines reach the fd whole and in the order they were logged. Configure may run
// concurrently with logging; a line racing with it uses either the old or the new setting of
// each option. Durability by level: docs/design/logging.md §7 and docs/adr/0005-log-writes.md.
// Design: docs/design/logging.md.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "telemetry/log_context.h"
#include "telemetry/log_field.h"
#include "telemetry/log_level.h"
#include "telemetry/log_redact.h"
#include "telemetry/log_sink.h"

namespace klio::log {

// Returns the current wall-clock time; injected by tests for fixed timestamps.
using NowFunction = std::chrono::system_clock::time_point (*)();

struct Options {
  Level level = Level::kInfo;  // lines below this level are dropped before any formatting
  Format format = Format::kJson;
  int fd = 2;                 // not owned; a negative fd writes nothing (sinks still run)
  NowFunction now = nullptr;  // null: the system clock
  // true: trace/debug/info lines are queued and written in batches by a background thread
  // (flushed by Flush, Configure, warn/error lines, process exit and, best effort, fatal
  // signals). false: every line is written with its own write(2) before the call returns.
  bool batched = true;
};

// Applies `options` process-wide, after writing every queued line to the previous fd.
// Thread-safe. The level from LOG_LEVEL / --log-level is
// resolved by the CLI and passed here; this library reads no environment variable.
void Configure(const Options& options);

// The options in effect.
Options CurrentOptions();

// Lines that could not be written (write(2) failed with something other than EINTR), since
// the process started. A failed batch counts all of its lines. Lines are never dropped for
// lack of buffer space: a caller that finds the buffer full writes its line itself.
std::uint64_t DroppedLineCount();

// Writes every queued line to the configured fd before returning (blocks on write(2)); returns
// at once when nothing is queued. Preserves errno. Call it before handing the fd to someone
// else, or before _exit; exit() and returning from main flush on their own.
void Flush();

namespace internal {
// The configured level, read on every Enabled() check.
inline std::atomic<int> g_min_level{static_cast<int>(Level::kInfo)};
}  // namespace internal

// A named logger: a cheap value (one pointer) to copy and keep. The name is the component
// ("klio.wal") and becomes the `logger` field and the OpenTelemetry instrumentation scope.
class Logger {
 public:
  // A logger named "klio".
  Logger();

  std::string_view name() const { return *name_; }

  // True when a line at `level` would be written (one relaxed atomic load).
  bool Enabled(Level level) const {
    return level != Level::kOff &&
           static_cast<int>(level) >= internal::g_min_level.load(std::memory_order_relaxed);
  }

  // Writes one line when `level` is enabled. `message` and string values are redacted; the
  // line carries the thread's context fields and trace context. Never fails, never throws;
  // preserves errno. Batched trace/debug/info lines normally return without a syscall (they
  // block on write(2) only when the shared buffer is full); warn/error lines, and every line
  // when Options::batched is false, are in the kernel when this returns. Sinks run inline.
  void Log(Level level, std::string_view message, std::initializer_list<Field> fields = {}) const {
    if (Enabled(level)) Write(level, message, {fields.begin(), fields.size()});
  }
  // The same with a field list built at run time.
  void LogFields(Level level, std::string_view message, std::span<const Field> fields) const {
    if (Enabled(level)) Write(level, message, fields);
  }

  void Trace(std::string_view message, std::initializer_list<Field> fields = {}) const {
    Log(Level::kTrace, message, fields);
  }
  void Debug(std::string_view message, std::initializer_list<Field> fields = {}) const {
    Log(Level::kDebug, message, fields);
  }
  void Info(std::string_view message, std::initializer_list<Field> fields = {}) const {
    Log(Level::kInfo, message, fields);
  }
  void Warn(std::string_view message, std::initializer_list<Field> fields = {}) const {
    Log(Level::kWarn, message, fields);
  }
  void Error(std::string_view message, std::initializer_list<Field> fields = {}) const {
    Log(Level::kError, message, fields);
  }

 private:
  friend Logger GetLogger(std::string_view name);
  explicit Logger(const std::string* name) : name_(name) {}
  void Write(Level level, std::string_view message, std::span<const Field> fields) const;

  const std::string* name_;  // interned; lives until the process exits
};

// The logger named `name` (an empty name means "klio"). Takes a lock to intern the name, so
// call it once per component and keep the Logger, not once per line.
Logger GetLogger(std::string_view name);

}  // namespace klio::log

// Logs only when the level is enabled, and only then evaluates the message and the fields:
//   KLIO_LOG_DEBUG(logger, "chunk stored", {"id", id.ToString()}, {"bytes", n});
#define KLIO_LOG(logger, level, message, ...)                  \
  do {                                                         \
    const ::klio::log::Logger& klio_log_logger_ = (logger);    \
    if (klio_log_logger_.Enabled(level)) {                     \
      klio_log_logger_.Log((level), (message), {__VA_ARGS__}); \
    }                                                          \
  } while (0)
#define KLIO_LOG_TRACE(logger, message, ...) \
  KLIO_LOG(logger, ::klio::log::Level::kTrace, message, __VA_ARGS__)
#define KLIO_LOG_DEBUG(logger, message, ...) \
  KLIO_LOG(logger, ::klio::log::Level::kDebug, message, __VA_ARGS__)
#define KLIO_LOG_INFO(logger, message, ...) \
  KLIO_LOG(logger, ::klio::log::Level::kInfo, message, __VA_ARGS__)
#define KLIO_LOG_WARN(logger, message, ...) \
  KLIO_LOG(logger, ::klio::log::Level::kWarn, message, __VA_ARGS__)
#define KLIO_LOG_ERROR(logger, message, ...) \
  KLIO_LOG(logger, ::klio::log::Level::kError, message, __VA_ARGS__)
