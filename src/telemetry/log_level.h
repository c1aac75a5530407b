// Log levels and output formats of klio's structured logging, with their parsers.
//
// Thread-safety: pure functions on value types; safe from any thread.
// Design: docs/design/logging.md §2 (levels and severity numbers).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/result.h"

namespace klio::log {

// Severity of a line, lowest first. kOff is only a threshold: nothing is logged at kOff.
enum class Level : std::uint8_t { kTrace, kDebug, kInfo, kWarn, kError, kOff };

// Parses trace|debug|info|warn|warning|error|off in any letter case. Returns InvalidArgument
// naming the accepted values for anything else.
Result<Level> ParseLevel(std::string_view text);

// The lowercase name used in JSON lines: "trace", "debug", "info", "warn", "error", "off".
std::string_view LevelName(Level level);

// The fixed-width (5 characters) uppercase name used by the console format ("INFO ").
std::string_view LevelConsoleName(Level level);

// OpenTelemetry SeverityNumber: trace 1, debug 5, info 9, warn 13, error 17 (0 for kOff).
int SeverityNumber(Level level);

// OpenTelemetry SeverityText: "TRACE", "DEBUG", "INFO", "WARN", "ERROR" ("" for kOff).
std::string_view SeverityText(Level level);

// How lines are rendered on the output file descriptor.
enum class Format : std::uint8_t {
  kJson,     // one JSON object per line (the default; for machines)
  kConsole,  // "2026-11-22T10:15:30.123Z INFO  klio.wal  message key=value" (for people)
};

// Parses json|console in any letter case. Returns InvalidArgument for anything else.
Result<Format> ParseFormat(std::string_view text);

// "json" or "console".
std::string_view FormatName(Format format);

}  // namespace klio::log
