// Telemetry configuration from OTEL_* (see env_config.h).
#include "telemetry/setup/env_config.h"

#include <algorithm>
#include <cstdlib>
#include <utility>

#include "telemetry/sdk/env_parse.h"

extern char** environ;  // NOLINT: POSIX

namespace klio::telemetry::setup {
namespace {

using exporter::Signal;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void Add(Diagnostics* d, Diagnostic::Severity severity, std::string message) {
  if (d != nullptr) d->push_back({severity, std::move(message)});
}

// Warnings of the SDK's env helpers (sdk/env_parse.h) become our diagnostics.
void AddWarnings(const sdk::EnvWarnings& warnings, Diagnostics* d) {
  for (const Status& s : warnings) Add(d, Diagnostic::Severity::kWarn, s.message());
}

std::optional<std::string> NonEmpty(const EnvGetter& env, std::string_view name) {
  if (!env) return std::nullopt;
  std::optional<std::string> v = env(name);
  if (!v || Trim(*v).empty()) return std::nullopt;
  return v;
}

std::string_view AcceptedExporters(Signal signal) {
  return signal == Signal::kMetrics ? "otlp, prometheus, console, none" : "otlp, console, none";
}

std::string_view ExporterVariable(Signal signal) {
  switch (signal) {
    case Signal::kTraces:
      return "OTEL_TRACES_EXPORTER";
    case Signal::kMetrics:
      return "OTEL_METRICS_EXPORTER";
    case Signal::kLogs:
      return "OTEL_LOGS_EXPORTER";
  }
  return "OTEL_TRACES_EXPORTER";
}

SignalConfig ReadSignal(const EnvGetter& env, Signal signal, Diagnostics* d) {
  SignalConfig out;
  const std::string_view variable = ExporterVariable(signal);
  std::optional<std::string> value = NonEmpty(env, variable);
  out.exporters = ParseExporterList(value ? std::optional<std::string_view>(*value) : std::nullopt,
                                    signal, variable, d);
  if (out.Has(ExporterKind::kOtlp)) {
    Result<exporter::OtlpOptions> otlp = exporter::OtlpOptionsFromEnv(signal, env);
    if (otlp.ok()) {
      out.otlp = std::move(*otlp);
    } else {
      Add(d, Diagnostic::Severity::kError,
          otlp.status().message() + "; the OTLP " + std::string(exporter::SignalName(signal)) +
              " exporter is disabled");
      std::erase(out.exporters, ExporterKind::kOtlp);
    }
  }
  return out;
}

}  // namespace

Environment ProcessEnvironment() {
  Environment env;
  env.get = [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  env.names = [] {
    std::vector<std::string> names;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string_view entry(*e);
      names.emplace_back(entry.substr(0, entry.find('=')));
    }
    return names;
  };
  return env;
}

Environment MapEnvironment(std::map<std::string, std::string, std::less<>> vars) {
  auto shared =
      std::make_shared<const std::map<std::string, std::string, std::less<>>>(std::move(vars));
  Environment env;
  env.get = [shared](std::string_view name) -> std::optional<std::string> {
    auto it = shared->find(name);
    if (it == shared->end()) return std::nullopt;
    return it->second;
  };
  env.names = [shared] {
    std::vector<std::string> names;
    for (const auto& [k, v] : *shared) names.push_back(k);
    return names;
  };
  return env;
}

bool AnyOtelVariableSet(const Environment& env) {
  if (!env.names) return false;
  for (const std::string& name : env.names()) {
    if (name.starts_with("OTEL_") && NonEmpty(env.get, name)) return true;
  }
  return false;
}

std::string_view ExporterKindName(ExporterKind kind) {
  switch (kind) {
    case ExporterKind::kOtlp:
      return "otlp";
    case ExporterKind::kConsole:
      return "console";
    case ExporterKind::kPrometheus:
      return "prometheus";
  }
  return "otlp";
}

std::vector<ExporterKind> ParseExporterList(std::optional<std::string_view> value, Signal signal,
                                            std::string_view variable, Diagnostics* diagnostics) {
  if (!value || Trim(*value).empty()) return {ExporterKind::kOtlp};
  std::vector<ExporterKind> kinds;
  bool none = false;
  std::string_view rest = *value;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string item = Lower(Trim(rest.substr(0, comma)));
    std::optional<ExporterKind> kind;
    if (item == "otlp") {
      kind = ExporterKind::kOtlp;
    } else if (item == "console") {
      kind = ExporterKind::kConsole;
    } else if (item == "prometheus" && signal == Signal::kMetrics) {
      kind = ExporterKind::kPrometheus;
    } else if (item == "none") {
      none = true;
    } else if (!item.empty()) {
      Add(diagnostics, Diagnostic::Severity::kError,
          std::string(variable) + ": unknown exporter \"" + std::string(Trim(*value)) +
              "\"; accepted values: " + std::string(AcceptedExporters(signal)) +
              " (a comma list); " + std::string(exporter::SignalName(signal)) +
              " are not exported");
      return {};
    }
    if (kind && std::find(kinds.begin(), kinds.end(), *kind) == kinds.end()) {
      kinds.push_back(*kind);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  if (none) return {};
  return kinds;
}

bool EnvBool(const EnvGetter& env, std::string_view name, bool default_value,
             Diagnostics* diagnostics) {
  std::optional<std::string> v = NonEmpty(env, name);
  if (!v) return default_value;
  const std::string lower = Lower(Trim(*v));
  if (lower == "true") return true;
  if (lower != "false") {
    Add(diagnostics, Diagnostic::Severity::kWarn,
        std::string(name) + ": \"" + *v + "\" is not true or false; treated as false");
  }
  return false;
}

bool SignalConfig::Has(ExporterKind kind) const {
  return std::find(exporters.begin(), exporters.end(), kind) != exporters.end();
}

std::chrono::milliseconds TelemetryConfig::MetricInterval(ExporterKind kind) const {
  if (metric_export_interval) return *metric_export_interval;
  return kind == ExporterKind::kConsole ? std::chrono::milliseconds(10000)
                                        : std::chrono::milliseconds(60000);
}

TelemetryConfig ReadTelemetryConfig(const Environment& env) {
  TelemetryConfig config;
  Diagnostics* d = &config.diagnostics;

  // Propagators apply whether or not the SDK is on (spec: OTEL_SDK_DISABLED keeps them).
  if (std::optional<std::string> p = NonEmpty(env.get, "OTEL_PROPAGATORS")) {
    std::vector<std::string> unsupported;
    config.propagators = ParsePropagators(*p, &unsupported);
    for (const std::string& name : unsupported) {
      Add(d, Diagnostic::Severity::kWarn,
          "OTEL_PROPAGATORS: unsupported propagator \"" + name +
              "\" ignored; supported: tracecontext, baggage, none");
    }
  }

  if (!AnyOtelVariableSet(env)) {
    config.disabled_reason = "no OTEL_* variable is set";
    return config;
  }
  if (EnvBool(env.get, "OTEL_SDK_DISABLED", false, d)) {
    config.disabled_reason = "OTEL_SDK_DISABLED=true";
    return config;
  }
  config.enabled = true;

  for (std::string_view name : {"OTEL_CONFIG_FILE", "OTEL_EXPERIMENTAL_CONFIG_FILE"}) {
    if (NonEmpty(env.get, name)) {
      Add(d, Diagnostic::Severity::kWarn,
          std::string(name) +
              " is set, but declarative configuration is not supported; using the OTEL_* "
              "environment variables instead");
    }
  }

  config.traces = ReadSignal(env.get, Signal::kTraces, d);
  config.metrics = ReadSignal(env.get, Signal::kMetrics, d);
  config.logs = ReadSignal(env.get, Signal::kLogs, d);

  if (config.metrics.Has(ExporterKind::kPrometheus)) {
    Result<exporter::PrometheusServerOptions> prom =
        exporter::PrometheusServerOptionsFromEnv(env.get);
    if (prom.ok()) {
      config.prometheus = std::move(*prom);
    } else {
      Add(d, Diagnostic::Severity::kError,
          prom.status().message() + "; the Prometheus endpoint is disabled");
      std::erase(config.metrics.exporters, ExporterKind::kPrometheus);
    }
  }

  sdk::EnvWarnings warnings;
  std::optional<std::chrono::milliseconds> interval =
      sdk::EnvDuration(env.get, "OTEL_METRIC_EXPORT_INTERVAL", &warnings);
  if (interval && interval->count() == 0) {
    warnings.push_back(Status::InvalidArgument(
        "OTEL_METRIC_EXPORT_INTERVAL: \"0\" is not a positive interval; using the default"));
    interval.reset();
  }
  config.metric_export_interval = interval;
  if (auto timeout = sdk::EnvTimeout(env.get, "OTEL_METRIC_EXPORT_TIMEOUT", &warnings)) {
    config.metric_export_timeout = *timeout;
  }
  AddWarnings(warnings, d);
  return config;
}

}  // namespace klio::telemetry::setup
