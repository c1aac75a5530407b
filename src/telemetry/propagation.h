// W3C context propagation: `traceparent`/`tracestate` (Trace Context) and `baggage`, injected
// into and extracted from a carrier: HTTP headers or gRPC metadata (lowercase ASCII keys, the
// same text values).
//
//   // client: put the active span's context into outgoing gRPC metadata
//   MapCarrier md;
//   InjectTraceContext(CurrentSpanContext(), md);
//   for (auto& [k, v] : md.entries()) client_context.AddMetadata(k, v);
//   // server: start the SERVER span as a child of the caller's span
//   SpanContext parent = ExtractTraceContext(carrier_over_client_metadata);
//   Span span = tracer.StartSpan("klio.v1.Wal/Stream",
//                                {.kind = SpanKind::kServer, .parent = parent});
//
// Rules (otel-reference §4): an invalid traceparent is ignored (a new trace starts) and its
// tracestate is not parsed; a future version is read through its version-00 prefix; output is
// always version 00 in lowercase. An invalid tracestate member is dropped, never the
// traceparent. Baggage values are percent-decoded on extract and encoded on inject; members
// beyond 180 or 8192 bytes are dropped whole. Extraction never throws.
//
// Thread-safety: free functions are pure; a carrier is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/common.h"

namespace klio::telemetry {

inline constexpr std::string_view kTraceParentHeader = "traceparent";
inline constexpr std::string_view kTraceStateHeader = "tracestate";
inline constexpr std::string_view kBaggageHeader = "baggage";

// Where propagators read and write text key/values. Keys passed in are lowercase.
class TextMapCarrier {
 public:
  virtual ~TextMapCarrier() = default;
  // The value of `key`; several fields with that key are joined with ",". Empty when absent.
  // The view stays valid until the next call on this carrier.
  virtual std::string_view Get(std::string_view key) const = 0;
  // Sets `key` (replacing an earlier value).
  virtual void Set(std::string_view key, std::string_view value) = 0;
};

// A carrier over an ordered list of key/value pairs: HTTP headers (keys compared
// case-insensitively) or gRPC metadata. Set replaces every field with the key.
class MapCarrier : public TextMapCarrier {
 public:
  MapCarrier() = default;
  explicit MapCarrier(std::vector<std::pair<std::string, std::string>> entries)
      : entries_(std::move(entries)) {}

  std::string_view Get(std::string_view key) const override;
  void Set(std::string_view key, std::string_view value) override;

  const std::vector<std::pair<std::string, std::string>>& entries() const { return entries_; }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
  mutable std::string joined_;  // backing store for a multi-field Get
};

// A carrier over two functions, for metadata containers we do not want to depend on
// (grpc::ServerContext::client_metadata(), an HTTP library's header map). `get` returns the
// (joined) value or "" and must keep it alive until its next call; `set` may be empty when
// the carrier is only extracted from.
class FunctionCarrier : public TextMapCarrier {
 public:
  using Getter = std::function<std::string_view(std::string_view key)>;
  using Setter = std::function<void(std::string_view key, std::string_view value)>;
  FunctionCarrier(Getter get, Setter set) : get_(std::move(get)), set_(std::move(set)) {}

  std::string_view Get(std::string_view key) const override { return get_ ? get_(key) : ""; }
  void Set(std::string_view key, std::string_view value) override {
    if (set_) set_(key, value);
  }

 private:
  Getter get_;
  Setter set_;
};

// ---- traceparent / tracestate ----

inline constexpr std::size_t kTraceParentSize = 55;

// Parses a traceparent value. Returns nullopt for anything invalid: version ff or non-hex;
// version 00 not exactly 55 characters; uppercase hex; all-zero trace or parent id; a future
// version shorter than 55 or whose 55th character is not followed by end or '-'. The result
// is marked remote and keeps the flags as received (trace_state empty).
std::optional<SpanContext> ParseTraceParent(std::string_view value);

// Writes `context` as a version-00 traceparent into `out` (exactly 55 characters). Only the
// sampled and random flag bits are sent. Does not check validity.
void FormatTraceParent(const SpanContext& context, char (&out)[kTraceParentSize]);
std::string FormatTraceParent(const SpanContext& context);

// Returns `value` with invalid members dropped: at most 32 members, keys per the W3C grammar
// (lowercase, `tenant@system` form included), values of printable ASCII without ',' and '='
// not ending in a space, duplicate keys dropped after the first. When the result exceeds 512
// characters, members longer than 128 characters are removed first, then members from the
// right. Whitespace around members is removed; empty members are skipped.
std::string SanitizeTraceState(std::string_view value);

// Writes traceparent (and tracestate when non-empty) for a valid context; nothing otherwise.
void InjectTraceContext(const SpanContext& context, TextMapCarrier& carrier);

// Reads traceparent/tracestate. Returns an invalid SpanContext when traceparent is absent or
// invalid; otherwise a remote context with the sanitised tracestate.
SpanContext ExtractTraceContext(const TextMapCarrier& carrier);

// ---- baggage ----

inline constexpr std::size_t kMaxBaggageEntries = 180;
inline constexpr std::size_t kMaxBaggageBytes = 8192;

// An immutable set of name -> (value, metadata) entries sent to every downstream hop. Never put
// secrets in it. Keys are RFC 7230 tokens; values are arbitrary UTF-8 (percent-encoded on the
// wire); metadata is the raw property text after the value (";p1;p2=v", without the first ';').
class Baggage {
 public:
  struct Entry {
    std::string key;
    std::string value;
    std::string metadata;
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  Baggage() = default;

  // Parses a baggage header value (several headers joined with ','). Members that do not
  // parse (bad key, bad percent escape, bad property) are dropped; a later duplicate key
  // replaces the earlier one; members beyond kMaxBaggageEntries or kMaxBaggageBytes are
  // dropped whole. Invalid UTF-8 in a decoded value becomes U+FFFD.
  static Baggage Parse(std::string_view header);

  // The header value; empty for an empty baggage. Respects the same limits.
  std::string ToHeader() const;

  // The value of `key`, or nullopt.
  std::optional<std::string_view> Get(std::string_view key) const;
  // A copy with `key` set (replacing an old value). Returns *this unchanged when `key` is not
  // a token or the metadata holds a ',' (it would break the header).
  Baggage Set(std::string_view key, std::string_view value, std::string_view metadata = {}) const;
  Baggage Remove(std::string_view key) const;

  const std::vector<Entry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  std::size_t size() const { return entries_.size(); }
  friend bool operator==(const Baggage&, const Baggage&) = default;

 private:
  std::vector<Entry> entries_;  // in insertion order
};

// Writes the baggage header when `baggage` is not empty.
void InjectBaggage(const Baggage& baggage, TextMapCarrier& carrier);
// Reads the baggage header (empty Baggage when absent).
Baggage ExtractBaggage(const TextMapCarrier& carrier);

// The propagators selected by OTEL_PROPAGATORS (default "tracecontext,baggage").
struct Propagators {
  bool trace_context = true;
  bool baggage = true;
};

// Parses an OTEL_PROPAGATORS value: a comma list of tracecontext, baggage, none (case-
// insensitive, whitespace trimmed, duplicates ignored; "none" anywhere disables all). Unknown
// names (b3, jaeger, ...) are skipped and reported in `unsupported` when non-null. An empty
// value gives the default.
Propagators ParsePropagators(std::string_view value, std::vector<std::string>* unsupported);

}  // namespace klio::telemetry
