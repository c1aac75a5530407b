#include "telemetry/log_format.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <ctime>
#include <limits>

namespace klio::log {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";
constexpr std::string_view kReplacementChar = "\xEF\xBF\xBD";  // U+FFFD

enum ByteClass : std::uint8_t { kPlain, kEscape, kNonAscii };

constexpr std::array<std::uint8_t, 256> MakeByteClasses() {
  std::array<std::uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = kEscape;
  t['"'] = kEscape;
  t['\\'] = kEscape;
  t[0x7F] = kEscape;
  for (int c = 0x80; c < 0x100; ++c) t[c] = kNonAscii;
  return t;
}
constexpr std::array<std::uint8_t, 256> kByteClass = MakeByteClasses();

// Length of the well-formed UTF-8 sequence at text[i] (2-4), or 0 when it is not one
// (overlong forms, surrogates and code points above U+10FFFF are not well formed).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char c = byte(i);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else {
    return 0;
  }
  if (text.size() - i < len) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return len;
}

void AppendUnicodeEscape(unsigned char c, std::string* out) {
  const char esc[6] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 0xF]};
  out->append(esc, sizeof(esc));
}

// Escapes `text` for JSON (quoted == true) or for the console (control characters escaped,
// quotes left alone). Invalid UTF-8 becomes U+FFFD either way.
void AppendEscaped(std::string_view text, bool json, std::string* out) {
  size_t run = 0;  // start of the pending run of bytes copied as is
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::uint8_t cls = kByteClass[c];
    if (cls == kPlain || (!json && (c == '"' || c == '\\'))) {
      ++i;
      continue;
    }
    if (cls == kNonAscii) {
      const size_t len = Utf8SequenceLength(text, i);
      if (len != 0) {
        i += len;
        continue;
      }
    }
    out->append(text.data() + run, i - run);
    if (cls == kNonAscii) {
      out->append(kReplacementChar);
    } else {
      switch (c) {
        case '"': out->append("\\\""); break;
        case '\\': out->append("\\\\"); break;
        case '\n': out->append("\\n"); break;
        case '\r': out->append("\\r"); break;
        case '\t': out->append("\\t"); break;
        case '\b': out->append("\\b"); break;
        case '\f': out->append("\\f"); break;
        default: AppendUnicodeEscape(c, out); break;
      }
    }
    run = ++i;
  }
  out->append(text.data() + run, text.size() - run);
}

// `text` cut to kMaxValueBytes at a UTF-8 boundary; sets `*cut_bytes` to what was left out.
std::string_view Capped(std::string_view text, size_t* cut_bytes) {
  *cut_bytes = 0;
  if (text.size() <= kMaxValueBytes) return text;
  size_t keep = kMaxValueBytes;
  while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
  *cut_bytes = text.size() - keep;
  return text.substr(0, keep);
}

void AppendTruncationMark(size_t cut_bytes, std::string* out) {
  out->append("...[truncated ");
  out->append(std::to_string(cut_bytes));
  out->append(" bytes]");
}

template <typename T>
void AppendNumber(T value, std::string* out) {
  char buf[32];
  const auto result = std::to_chars(buf, buf + sizeof(buf), value);
  out->append(buf, result.ptr);
}

// Names the line itself uses; a field with one of them is renamed "fields.<key>".
bool IsReservedKey(std::string_view key) {
  switch (key.size()) {
    case 2: return key == "ts";
    case 3: return key == "msg";
    case 5: return key == "level";
    case 6: return key == "logger";
    case 7: return key == "span_id";
    case 8: return key == "trace_id";
    case 11: return key == "trace_flags";
    default: return false;
  }
}

void AppendJsonKey(std::string_view key, std::string* out) {
  out->push_back(',');
  if (IsReservedKey(key)) {
    out->append("\"fields.");
    out->append(key);
    out->append("\":");
    return;
  }
  AppendJsonString(key, out);
  out->push_back(':');
}

void AppendJsonField(const Field& field, std::string* out) {
  AppendJsonKey(field.key(), out);
  switch (field.type()) {
    case Field::Type::kString: AppendJsonString(field.string_value(), out); break;
    case Field::Type::kInt: AppendNumber(field.int_value(), out); break;
    case Field::Type::kUint: AppendNumber(field.uint_value(), out); break;
    case Field::Type::kBool: out->append(field.bool_value() ? "true" : "false"); break;
    case Field::Type::kDouble: {
      const double d = field.double_value();
      if (std::isfinite(d)) {
        AppendNumber(d, out);
      } else {  // JSON has no NaN or infinity
        out->append(std::isnan(d) ? "\"NaN\"" : (d > 0 ? "\"Infinity\"" : "\"-Infinity\""));
      }
      break;
    }
    case Field::Type::kStatus: AppendJsonString(StatusFieldText(*field.status_value()), out); break;
  }
}

// Console values are bare when they hold no blank, quote, '=' or control character.
bool NeedsConsoleQuotes(std::string_view text) {
  if (text.empty()) return true;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c == '"' || c == '=' || c == '\\' || c == 0x7F) return true;
  }
  return false;
}

void AppendConsoleString(std::string_view text, std::string* out) {
  if (NeedsConsoleQuotes(text)) {
    AppendJsonString(text, out);
    return;
  }
  size_t cut = 0;
  AppendEscaped(Capped(text, &cut), /*json=*/false, out);
  if (cut != 0) AppendTruncationMark(cut, out);
}

void AppendConsoleField(const Field& field, std::string* out) {
  out->push_back(' ');
  AppendEscaped(field.key(), /*json=*/false, out);
  out->push_back('=');
  switch (field.type()) {
    case Field::Type::kString: AppendConsoleString(field.string_value(), out); break;
    case Field::Type::kInt: AppendNumber(field.int_value(), out); break;
    case Field::Type::kUint: AppendNumber(field.uint_value(), out); break;
    case Field::Type::kBool: out->append(field.bool_value() ? "true" : "false"); break;
    case Field::Type::kDouble: {
      const double d = field.double_value();
      if (std::isfinite(d)) {
        AppendNumber(d, out);
      } else {
        out->append(std::isnan(d) ? "NaN" : (d > 0 ? "Infinity" : "-Infinity"));
      }
      break;
    }
    case Field::Type::kStatus:
      AppendConsoleString(StatusFieldText(*field.status_value()), out);
      break;
  }
}

void HexInto(const std::uint8_t* bytes, size_t n, char* out) {
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHexDigits[bytes[i] >> 4];
    out[2 * i + 1] = kHexDigits[bytes[i] & 0xF];
  }
}

// The line's own trace fields bypass the reserved-name check that call fields go through.
void AppendTraceFields(const TraceContext& trace, bool json, std::string* out) {
  if (!trace.valid) return;
  char trace_id[32];
  char span_id[16];
  char flags[2];
  HexInto(trace.trace_id.data(), trace.trace_id.size(), trace_id);
  HexInto(trace.span_id.data(), trace.span_id.size(), span_id);
  HexInto(&trace.flags, 1, flags);
  const std::string_view values[] = {std::string_view(trace_id, sizeof(trace_id)),
                                     std::string_view(span_id, sizeof(span_id)),
                                     std::string_view(flags, sizeof(flags))};
  static constexpr std::string_view kJsonKeys[] = {",\"trace_id\":\"", ",\"span_id\":\"",
                                                   ",\"trace_flags\":\""};
  static constexpr std::string_view kConsoleKeys[] = {" trace_id=", " span_id=", " trace_flags="};
  for (size_t i = 0; i < 3; ++i) {
    out->append(json ? kJsonKeys[i] : kConsoleKeys[i]);
    out->append(values[i]);
    if (json) out->push_back('"');
  }
}

// The fields in line order: request_id (when first), trace context, the rest.
void AppendAllFields(const LogRecord& record, bool json, std::string* out) {
  const auto append_field = json ? AppendJsonField : AppendConsoleField;
  size_t k = 0;
  if (!record.fields.empty() && record.fields[0].key() == "request_id") {
    append_field(record.fields[0], out);
    k = 1;
  }
  AppendTraceFields(record.trace, json, out);
  for (; k < record.fields.size(); ++k) append_field(record.fields[k], out);
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out) {
  size_t cut = 0;
  out->push_back('"');
  AppendEscaped(Capped(text, &cut), /*json=*/true, out);
  if (cut != 0) AppendTruncationMark(cut, out);
  out->push_back('"');
}

void AppendTimestamp(std::chrono::system_clock::time_point tp, int fraction_digits,
                     std::string* out) {
  constexpr std::int64_t kMaxSeconds = 253402300799;  // 9999-12-31T23:59:59Z
  const std::int64_t ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(tp.time_since_epoch()).count();
  std::int64_t sec = ns / 1'000'000'000;
  std::int64_t frac = ns % 1'000'000'000;
  if (frac < 0) {
    frac += 1'000'000'000;
    --sec;
  }
  constexpr std::int64_t kMinSeconds = -62167219200;  // 0000-01-01T00:00:00Z
  if (sec < kMinSeconds || sec > kMaxSeconds) {
    sec = sec < kMinSeconds ? kMinSeconds : kMaxSeconds;
    frac = 0;
  }
  // gmtime_r is not cheap; a line per second per thread pays for it, the rest reuse it.
  thread_local std::int64_t cached_sec = std::numeric_limits<std::int64_t>::min();
  thread_local char cached[19];
  if (sec != cached_sec) {
    const std::time_t t = static_cast<std::time_t>(sec);
    std::tm tm{};
    gmtime_r(&t, &tm);
    // Fields are in range after the clamp above; each is written with a fixed width.
    const auto put = [](char* at, int value, int width) {
      for (int i = width - 1; i >= 0; --i) {
        at[i] = static_cast<char>('0' + value % 10);
        value /= 10;
      }
    };
    put(cached, tm.tm_year + 1900, 4);
    cached[4] = '-';
    put(cached + 5, tm.tm_mon + 1, 2);
    cached[7] = '-';
    put(cached + 8, tm.tm_mday, 2);
    cached[10] = 'T';
    put(cached + 11, tm.tm_hour, 2);
    cached[13] = ':';
    put(cached + 14, tm.tm_min, 2);
    cached[16] = ':';
    put(cached + 17, tm.tm_sec, 2);
    cached_sec = sec;
  }
  out->append(cached, 19);
  out->push_back('.');
  const int digits = fraction_digits == 3 ? 3 : 6;
  std::int64_t value = frac / (digits == 3 ? 1'000'000 : 1'000);
  char buf[6];
  for (int i = digits - 1; i >= 0; --i) {
    buf[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out->append(buf, static_cast<size_t>(digits));
  out->push_back('Z');
}

void AppendJsonLine(const LogRecord& record, std::string* out) {
  out->append("{\"ts\":\"");
  AppendTimestamp(record.timestamp, 6, out);
  out->append("\",\"level\":\"");
  out->append(LevelName(record.level));
  out->append("\",\"msg\":");
  AppendJsonString(record.message, out);
  out->append(",\"logger\":");
  AppendJsonString(record.logger, out);
  AppendAllFields(record, /*json=*/true, out);
  out->append("}\n");
}

void AppendConsoleLine(const LogRecord& record, std::string* out) {
  AppendTimestamp(record.timestamp, 3, out);
  out->push_back(' ');
  out->append(LevelConsoleName(record.level));
  out->push_back(' ');
  AppendEscaped(record.logger, /*json=*/false, out);
  out->append("  ");
  size_t cut = 0;
  AppendEscaped(Capped(record.message, &cut), /*json=*/false, out);
  if (cut != 0) AppendTruncationMark(cut, out);
  AppendAllFields(record, /*json=*/false, out);
  out->push_back('\n');
}

}  // namespace klio::log
