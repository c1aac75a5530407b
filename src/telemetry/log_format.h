// Rendering of a LogRecord as one JSON line or one console line, and the JSON string escaper
// they share. Used by the logger's writer; exporters may reuse them (e.g. a console exporter).
//
// Thread-safety: pure functions, except that the timestamp formatter keeps a per-thread cache
// of the current second; safe from any thread.
// Design: docs/design/logging.md §3 (line schema).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "telemetry/log_sink.h"

namespace klio::log {

// String values (and messages) longer than this are cut and marked "...[truncated N bytes]",
// so one line cannot flood the log.
inline constexpr size_t kMaxValueBytes = 8192;

// Appends `record` as one JSON object and a '\n': ts, level, msg, logger, request_id,
// trace_id, span_id, trace_flags, then the other fields in order. A field whose key collides
// with one of those names is written as "fields.<key>".
void AppendJsonLine(const LogRecord& record, std::string* out);

// Appends `record` as one console line and a '\n':
// "2026-11-22T10:15:30.123Z INFO  klio.wal  wal segment archived cluster_name=a bytes=3".
void AppendConsoleLine(const LogRecord& record, std::string* out);

// Appends `text` as a quoted JSON string: `"` and `\` backslashed, control characters and
// DEL escaped, invalid UTF-8 replaced by U+FFFD, at most kMaxValueBytes of input shown.
void AppendJsonString(std::string_view text, std::string* out);

// Appends `tp` in RFC 3339 UTC with `fraction_digits` (3 or 6) digits after the second:
// "2026-11-22T10:15:30.123456Z". Years outside 0000-9999 are clamped.
void AppendTimestamp(std::chrono::system_clock::time_point tp, int fraction_digits,
                     std::string* out);

}  // namespace klio::log
