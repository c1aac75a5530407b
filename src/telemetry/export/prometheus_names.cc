#include "telemetry/export/prometheus_names.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace klio::telemetry::exporter {
namespace {

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsMetricNameChar(char c) { return IsAlnum(c) || c == ':'; }

struct UnitWord {
  std::string_view ucum;
  std::string_view word;
};

// otel-reference §3.2 (otlptranslator's unitMap). `kBy` is the spec table's spelling of
// otlptranslator's `KBy`; both are accepted.
constexpr UnitWord kMainUnits[] = {
    {"d", "days"},          {"h", "hours"},
    {"min", "minutes"},     {"s", "seconds"},
    {"ms", "milliseconds"}, {"us", "microseconds"},
    {"ns", "nanoseconds"},  {"By", "bytes"},
    {"KiBy", "kibibytes"},  {"MiBy", "mebibytes"},
    {"GiBy", "gibibytes"},  {"TiBy", "tibibytes"},
    {"KBy", "kilobytes"},   {"kBy", "kilobytes"},
    {"MBy", "megabytes"},   {"GBy", "gigabytes"},
    {"TBy", "terabytes"},   {"m", "meters"},
    {"V", "volts"},         {"A", "amperes"},
    {"J", "joules"},        {"W", "watts"},
    {"g", "grams"},         {"Cel", "celsius"},
    {"Hz", "hertz"},        {"1", ""},
    {"%", "percent"},
};

constexpr UnitWord kPerUnits[] = {
    {"s", "second"}, {"m", "minute"}, {"h", "hour"}, {"d", "day"},
    {"w", "week"},   {"mo", "month"}, {"y", "year"},
};

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

template <size_t N>
std::string LookupUnit(const UnitWord (&table)[N], std::string_view unit) {
  for (const UnitWord& u : table) {
    if (u.ucum == unit) return std::string(u.word);
  }
  return std::string(unit);
}

// Maps invalid characters to `_`, collapses runs of `_` and strips a leading `_`
// (otlptranslator's cleanUpUnit).
std::string CleanUpUnit(std::string_view unit) {
  std::string out;
  out.reserve(unit.size());
  for (char c : unit) {
    char m = IsMetricNameChar(c) ? c : '_';
    if (m == '_' && !out.empty() && out.back() == '_') continue;
    out.push_back(m);
  }
  if (!out.empty() && out.front() == '_') out.erase(0, 1);
  return out;
}

// The main and per unit words of a UCUM unit, cleaned; per is "per_<x>" or "".
std::pair<std::string, std::string> UnitSuffixes(std::string_view unit) {
  std::string main_word;
  std::string per_word;
  size_t slash = unit.find('/');
  std::string_view main_part = Trim(unit.substr(0, slash));
  if (!main_part.empty() && main_part.find_first_of("{}") == std::string_view::npos) {
    main_word = CleanUpUnit(LookupUnit(kMainUnits, main_part));
  }
  if (slash != std::string_view::npos) {
    std::string_view per_part = Trim(unit.substr(slash + 1));
    if (!per_part.empty() && per_part.find_first_of("{}") == std::string_view::npos) {
      std::string per = LookupUnit(kPerUnits, per_part);
      if (!per.empty()) per_word = CleanUpUnit("per_" + per);
    }
  }
  return {std::move(main_word), std::move(per_word)};
}

void RemoveToken(std::vector<std::string_view>* tokens, std::string_view token) {
  tokens->erase(std::remove(tokens->begin(), tokens->end(), token), tokens->end());
}

bool Contains(const std::vector<std::string_view>& tokens, std::string_view token) {
  return std::find(tokens.begin(), tokens.end(), token) != tokens.end();
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = byte(i);
  if (c < 0x80) return 1;
  size_t n = 0;
  std::uint32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Reject overlong forms, surrogates and values beyond U+10FFFF.
  static constexpr std::uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Appends `text` with each byte passed through `escape` (which returns a replacement or
// nullptr to copy the byte); invalid UTF-8 bytes become U+FFFD.
template <typename EscapeFn>
void AppendEscaped(std::string_view text, EscapeFn escape, std::string* out) {
  size_t i = 0;
  while (i < text.size()) {
    // Copy the longest run of plain ASCII in one append.
    size_t run = i;
    while (run < text.size() && static_cast<unsigned char>(text[run]) < 0x80 &&
           escape(text[run]) == nullptr) {
      ++run;
    }
    if (run > i) {
      out->append(text.substr(i, run - i));
      i = run;
      continue;
    }
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (const char* rep = escape(text[i])) {
        out->append(rep);
      } else {
        out->push_back(text[i]);
      }
      ++i;
      continue;
    }
    size_t n = Utf8SequenceLength(text, i);
    if (n == 0) {
      out->append("\xEF\xBF\xBD");
      ++i;
    } else {
      out->append(text.substr(i, n));
      i += n;
    }
  }
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          fmt::format_to(std::back_inserter(*out), "\\u{:04x}", static_cast<int>(c));
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendJsonDouble(double v, std::string* out) {
  // JSON has no NaN/Inf; write them as strings like the OTLP/JSON mapping does.
  if (std::isnan(v) || std::isinf(v)) {
    out->push_back('"');
    AppendPrometheusDouble(v, out);
    out->push_back('"');
  } else {
    AppendPrometheusDouble(v, out);
  }
}

}  // namespace

std::string PrometheusMetricName(std::string_view otel_name, std::string_view unit, NameKind kind) {
  std::vector<std::string_view> tokens;
  size_t i = 0;
  while (i < otel_name.size()) {
    while (i < otel_name.size() && !IsMetricNameChar(otel_name[i])) ++i;
    size_t start = i;
    while (i < otel_name.size() && IsMetricNameChar(otel_name[i])) ++i;
    if (i > start) tokens.push_back(otel_name.substr(start, i - start));
  }
  if (tokens.empty()) return "";

  auto [main_word, per_word] = UnitSuffixes(unit);
  if (Contains(tokens, main_word)) main_word.clear();
  if (Contains(tokens, per_word)) per_word.clear();
  if (!main_word.empty()) tokens.push_back(main_word);
  if (!per_word.empty()) tokens.push_back(per_word);

  if (kind == NameKind::kMonotonicCounter) {
    RemoveToken(&tokens, "total");
    tokens.push_back("total");
  }
  if (kGaugeUnitOneAddsRatio && kind == NameKind::kGauge && unit == "1") {
    RemoveToken(&tokens, "ratio");
    tokens.push_back("ratio");
  }

  std::string out;
  for (std::string_view t : tokens) {
    if (!out.empty()) out.push_back('_');
    out.append(t);
  }
  if (IsDigit(out.front())) out.insert(0, 1, '_');
  return out;
}

std::string PrometheusUnit(std::string_view unit) {
  auto [main_word, per_word] = UnitSuffixes(unit);
  std::string u;
  if (!main_word.empty() && !per_word.empty()) {
    u = main_word + "_" + per_word;
  } else if (!main_word.empty()) {
    u = std::move(main_word);
  } else {
    u = std::move(per_word);
  }
  if (!u.empty() && u.front() == '_') u.erase(0, 1);
  if (!u.empty() && u.back() == '_') u.pop_back();
  return u;
}

std::string PrometheusLabelName(std::string_view key) {
  std::string out;
  out.reserve(key.size() + 4);
  for (char c : key) {
    char m = IsAlnum(c) ? c : '_';
    if (m == '_' && !out.empty() && out.back() == '_') continue;
    out.push_back(m);
  }
  if (out.find_first_not_of('_') == std::string::npos) return "";
  if (IsDigit(out.front())) out.insert(0, "key_");
  return out;
}

std::string AttributeValueText(const AttributeValue& value) {
  std::string out;
  struct Visitor {
    std::string* out;
    void operator()(bool b) const { out->append(b ? "true" : "false"); }
    void operator()(std::int64_t v) const { fmt::format_to(std::back_inserter(*out), "{}", v); }
    void operator()(double v) const { AppendPrometheusDouble(v, out); }
    void operator()(const std::string& s) const { out->append(s); }
    void operator()(const std::vector<bool>& v) const {
      out->push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out->push_back(',');
        out->append(v[i] ? "true" : "false");
      }
      out->push_back(']');
    }
    void operator()(const std::vector<std::int64_t>& v) const {
      fmt::format_to(std::back_inserter(*out), "[{}]", fmt::join(v, ","));
    }
    void operator()(const std::vector<double>& v) const {
      out->push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonDouble(v[i], out);
      }
      out->push_back(']');
    }
    void operator()(const std::vector<std::string>& v) const {
      out->push_back('[');
      for (size_t i = 0; i < v.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonString(v[i], out);
      }
      out->push_back(']');
    }
  };
  std::visit(Visitor{&out}, value);
  return out;
}

void AppendPrometheusDouble(double value, std::string* out) {
  if (std::isnan(value)) {
    out->append("NaN");
  } else if (std::isinf(value)) {
    out->append(value > 0 ? "+Inf" : "-Inf");
  } else if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    fmt::format_to(std::back_inserter(*out), "{}", static_cast<std::int64_t>(value));
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", value);
  }
}

void AppendLeValue(double value, bool open_metrics, std::string* out) {
  size_t start = out->size();
  AppendPrometheusDouble(value, out);
  if (!open_metrics || std::isnan(value) || std::isinf(value)) return;
  if (out->find_first_of(".e", start) == std::string::npos) out->append(".0");
}

void AppendEscapedLabelValue(std::string_view text, std::string* out) {
  AppendEscaped(
      text,
      [](char c) -> const char* {
        switch (c) {
          case '\\':
            return "\\\\";
          case '"':
            return "\\\"";
          case '\n':
            return "\\n";
          default:
            return nullptr;
        }
      },
      out);
}

void AppendEscapedHelp(std::string_view text, bool open_metrics, std::string* out) {
  AppendEscaped(
      text,
      [open_metrics](char c) -> const char* {
        switch (c) {
          case '\\':
            return "\\\\";
          case '\n':
            return "\\n";
          case '"':
            return open_metrics ? "\\\"" : nullptr;
          default:
            return nullptr;
        }
      },
      out);
}

}  // namespace klio::telemetry::exporter
