#include "telemetry/log_level.h"

#include <string>

namespace klio::log {
namespace {

bool EqualsIgnoreCase(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// The rejected input is shown, but only as printable ASCII and cut short: it may come from an
// environment variable and must not be able to forge output.
std::string Shown(std::string_view text) {
  constexpr size_t kMaxShown = 32;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const char c = text[i];
    out += (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') ? c : '?';
  }
  out += text.size() > kMaxShown ? "\"..." : "\"";
  return out;
}

}  // namespace

Result<Level> ParseLevel(std::string_view text) {
  struct Entry {
    std::string_view name;
    Level level;
  };
  static constexpr Entry kLevels[] = {
      {"trace", Level::kTrace}, {"debug", Level::kDebug},  {"info", Level::kInfo},
      {"warn", Level::kWarn},   {"warning", Level::kWarn}, {"error", Level::kError},
      {"off", Level::kOff},
  };
  for (const Entry& e : kLevels) {
    if (EqualsIgnoreCase(text, e.name)) return e.level;
  }
  return Status::InvalidArgument("log level " + Shown(text) +
                                 ": expected one of trace, debug, info, warn, error, off");
}

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kTrace: return "trace";
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
    case Level::kOff: return "off";
  }
  return "off";
}

std::string_view LevelConsoleName(Level level) {
  switch (level) {
    case Level::kTrace: return "TRACE";
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO ";
    case Level::kWarn: return "WARN ";
    case Level::kError: return "ERROR";
    case Level::kOff: return "OFF  ";
  }
  return "OFF  ";
}

int SeverityNumber(Level level) {
  switch (level) {
    case Level::kTrace: return 1;
    case Level::kDebug: return 5;
    case Level::kInfo: return 9;
    case Level::kWarn: return 13;
    case Level::kError: return 17;
    case Level::kOff: return 0;
  }
  return 0;
}

std::string_view SeverityText(Level level) {
  switch (level) {
    case Level::kTrace: return "TRACE";
    case Level::kDebug: return "DEBUG";
    case Level::kInfo: return "INFO";
    case Level::kWarn: return "WARN";
    case Level::kError: return "ERROR";
    case Level::kOff: return "";
  }
  return "";
}

Result<Format> ParseFormat(std::string_view text) {
  if (EqualsIgnoreCase(text, "json")) return Format::kJson;
  if (EqualsIgnoreCase(text, "console")) return Format::kConsole;
  return Status::InvalidArgument("log format " + Shown(text) + ": expected one of json, console");
}

std::string_view FormatName(Format format) {
  return format == Format::kConsole ? "console" : "json";
}

}  // namespace klio::log
