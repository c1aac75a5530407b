// OTLP exporter options for one signal, read from the standard OTEL_EXPORTER_OTLP_* variables
// (otel-reference §1.1 parsing rules, §1.7 exporter variables): protocol, endpoint URL rules,
// headers, compression, timeout, TLS files, and the metrics temporality preference.
//
// The environment is read through an injected getter, so tests can table-test every rule
// without touching the process environment. Invalid values produce a Status that names the
// variable, echoes the bad value (never for headers, which may hold secrets) and lists the
// accepted values; the caller prints it and disables the signal's exporter.
//
// Thread-safety: plain values and pure functions.
// Design: docs/design/otlp-export.md §4.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "telemetry/export/otlp_retry.h"

namespace klio::telemetry::exporter {

enum class Signal : std::uint8_t { kTraces, kMetrics, kLogs };
enum class OtlpProtocol : std::uint8_t { kHttpProtobuf, kGrpc };
enum class Compression : std::uint8_t { kNone, kGzip };
// OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE.
enum class TemporalityPreference : std::uint8_t { kCumulative, kDelta, kLowMemory };

// "traces", "metrics", "logs".
std::string_view SignalName(Signal signal);

using EnvGetter = std::function<std::optional<std::string>(std::string_view name)>;

// An EnvGetter over the process environment (getenv).
EnvGetter ProcessEnv();

struct OtlpOptions {
  Signal signal = Signal::kTraces;
  OtlpProtocol protocol = OtlpProtocol::kHttpProtobuf;
  // http/protobuf: the full URL to POST to (e.g. http://localhost:4318/v1/traces).
  // grpc: the gRPC target without scheme (e.g. localhost:4317, dns:///c:4317, unix:/x).
  std::string endpoint;
  // grpc only: TLS (true) or plaintext. For HTTP the URL scheme decides.
  bool use_tls = false;
  // Extra request headers / gRPC metadata, in order; keys as given.
  std::vector<std::pair<std::string, std::string>> headers;
  Compression compression = Compression::kNone;
  // Budget for one batch export including retries (default 10 s; 0 in the env = no limit).
  std::chrono::milliseconds timeout{10000};
  // PEM file paths; empty = unset (system roots, no client certificate).
  std::string certificate_file;
  std::string client_certificate_file;
  std::string client_key_file;
  TemporalityPreference temporality = TemporalityPreference::kCumulative;  // metrics only
  // Not from the environment: backoff timings (tests shorten them).
  RetryPolicy retry;
  // Not from the environment: largest request sent, before compression (spec: 64 MiB).
  std::size_t max_request_bytes = 64u << 20;
};

// Returns the options for `signal`, per-signal variables overriding general ones, defaults
// for unset (or empty) ones. Fails with InvalidArgument naming the variable for an invalid
// value, and with Unimplemented for protocol http/json.
Result<OtlpOptions> OtlpOptionsFromEnv(Signal signal, const EnvGetter& env);

// Parses an OTEL_EXPORTER_OTLP_*HEADERS value ("k1=v1,k2=v2", values percent-decoded, keys
// HTTP tokens). Fails with InvalidArgument naming `variable` and the item's position, never
// echoing a value.
Result<std::vector<std::pair<std::string, std::string>>> ParseOtlpHeaders(
    std::string_view value, std::string_view variable);

}  // namespace klio::telemetry::exporter
