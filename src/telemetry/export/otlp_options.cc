// OTLP exporter options from OTEL_EXPORTER_OTLP_* (see otlp_options.h).
#include "telemetry/export/otlp_options.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace klio::telemetry::exporter {
namespace {

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

std::string_view SignalUpper(Signal signal) {
  switch (signal) {
    case Signal::kTraces:
      return "TRACES";
    case Signal::kMetrics:
      return "METRICS";
    case Signal::kLogs:
      return "LOGS";
  }
  return "TRACES";
}

// A set variable: its value and its name (for error messages).
struct Setting {
  std::string name;
  std::string value;
};

class EnvReader {
 public:
  EnvReader(Signal signal, const EnvGetter& env) : signal_(signal), env_(env) {}

  // The value of `name` when set and non-empty (empty means unset, otel-reference §1.1).
  std::optional<Setting> Get(std::string name) const {
    std::optional<std::string> v = env_ ? env_(name) : std::nullopt;
    if (!v || v->empty()) return std::nullopt;
    return Setting{std::move(name), std::move(*v)};
  }
  std::string PerSignalName(std::string_view option) const {
    return "OTEL_EXPORTER_OTLP_" + std::string(SignalUpper(signal_)) + "_" + std::string(option);
  }
  static std::string GeneralName(std::string_view option) {
    return "OTEL_EXPORTER_OTLP_" + std::string(option);
  }
  // The per-signal setting of `option`, else the general one.
  std::optional<Setting> Lookup(std::string_view option) const {
    if (auto s = Get(PerSignalName(option))) return s;
    return Get(GeneralName(option));
  }

 private:
  Signal signal_;
  const EnvGetter& env_;
};

Status BadValue(const Setting& s, std::string_view accepted) {
  return Status::InvalidArgument(s.name + ": invalid value \"" + s.value +
                                 "\"; accepted values: " + std::string(accepted));
}

Result<bool> ParseBool(const Setting& s) {
  const std::string v = Lower(Trim(s.value));
  if (v == "true") return true;
  if (v == "false") return false;
  return BadValue(s, "true, false");
}

// Splits "scheme://authority/path" and reports whether it is an http(s) URL with a host.
struct Url {
  std::string scheme;  // lower case
  std::string_view rest_after_authority;
  bool ok = false;
};

Url ParseHttpUrl(std::string_view url) {
  Url u;
  const std::size_t sep = url.find("://");
  if (sep == std::string_view::npos) return u;
  u.scheme = Lower(url.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return u;
  const std::string_view after = url.substr(sep + 3);
  const std::size_t end = after.find_first_of("/?#");
  const std::string_view authority = after.substr(0, end);
  if (authority.empty() || authority.find_first_of(" \t") != std::string_view::npos) return u;
  u.rest_after_authority = end == std::string_view::npos ? std::string_view() : after.substr(end);
  u.ok = true;
  return u;
}

constexpr std::string_view kUrlHint = "an http:// or https:// URL";

Result<std::string> HttpEndpoint(const EnvReader& env, Signal signal) {
  const std::string suffix = "v1/" + std::string(SignalName(signal));
  if (auto s = env.Get(env.PerSignalName("ENDPOINT"))) {
    std::string value(Trim(s->value));
    const Url u = ParseHttpUrl(value);
    if (!u.ok) return BadValue(*s, kUrlHint);
    // Used verbatim; only a URL without any path gets the root path.
    if (u.rest_after_authority.empty() || u.rest_after_authority.front() != '/') {
      const std::size_t insert_at = value.size() - u.rest_after_authority.size();
      return value.substr(0, insert_at) + "/" + value.substr(insert_at);
    }
    return value;
  }
  if (auto s = env.Get(EnvReader::GeneralName("ENDPOINT"))) {
    std::string value(Trim(s->value));
    const Url u = ParseHttpUrl(value);
    if (!u.ok) return BadValue(*s, kUrlHint);
    if (u.rest_after_authority.find_first_of("?#") != std::string_view::npos) {
      return BadValue(*s, "a base URL without query or fragment");
    }
    if (value.back() != '/') value += '/';
    return value + suffix;
  }
  return "http://localhost:4318/" + suffix;
}

struct GrpcTarget {
  std::string target;
  bool use_tls = false;
};

Result<GrpcTarget> GrpcEndpoint(const EnvReader& env, Signal signal) {
  // INSECURE: per-signal over the obsolete per-signal alias over the general variable. It is
  // validated even when the endpoint's scheme makes it irrelevant: a bad value is a mistake.
  std::optional<Setting> insecure = env.Get(env.PerSignalName("INSECURE"));
  if (!insecure && signal == Signal::kTraces) {
    insecure = env.Get("OTEL_EXPORTER_OTLP_SPAN_INSECURE");
  }
  if (!insecure && signal == Signal::kMetrics) {
    insecure = env.Get("OTEL_EXPORTER_OTLP_METRIC_INSECURE");
  }
  if (!insecure) insecure = env.Get(EnvReader::GeneralName("INSECURE"));
  bool plaintext = false;
  if (insecure) {
    KLIO_ASSIGN_OR_RETURN(plaintext, ParseBool(*insecure));
  }

  std::optional<Setting> s = env.Lookup("ENDPOINT");
  // The default, http://localhost:4317, is plaintext by its scheme.
  if (!s) return GrpcTarget{"localhost:4317", false};
  const std::string value(Trim(s->value));
  const std::size_t sep = value.find("://");
  if (sep != std::string::npos) {
    const std::string scheme = Lower(value.substr(0, sep));
    if (scheme == "http" || scheme == "https") {
      const Url u = ParseHttpUrl(value);
      if (!u.ok) return BadValue(*s, "host:port, http://host:port or https://host:port");
      const std::string_view whole = value;
      const std::string_view after = whole.substr(sep + 3);
      // The scheme beats INSECURE; the RPC path is the service method, so a URL path is
      // dropped.
      return GrpcTarget{std::string(after.substr(0, after.size() - u.rest_after_authority.size())),
                        scheme == "https"};
    }
  }
  // No http(s) scheme: a gRPC target (host:port, dns:///..., unix:...); INSECURE decides.
  return GrpcTarget{value, !plaintext};
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool PercentDecode(std::string_view in, std::string* out) {
  out->clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    const int hi = HexDigit(in[i + 1]);
    const int lo = HexDigit(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return true;
}

bool SameKey(std::string_view a, std::string_view b) { return Lower(a) == Lower(b); }

}  // namespace

std::string_view SignalName(Signal signal) {
  switch (signal) {
    case Signal::kTraces:
      return "traces";
    case Signal::kMetrics:
      return "metrics";
    case Signal::kLogs:
      return "logs";
  }
  return "traces";
}

EnvGetter ProcessEnv() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Result<std::vector<std::pair<std::string, std::string>>> ParseOtlpHeaders(
    std::string_view value, std::string_view variable) {
  std::vector<std::pair<std::string, std::string>> headers;
  std::size_t item_no = 0;
  while (true) {
    const std::size_t comma = value.find(',');
    const std::string_view item = value.substr(0, comma);
    ++item_no;
    if (!Trim(item).empty()) {
      const auto where = [&] {
        return std::string(variable) + ": header item " + std::to_string(item_no);
      };
      const std::size_t eq = item.find('=');
      if (eq == std::string_view::npos) {
        return Status::InvalidArgument(where() + " has no '='; expected key=value[,key=value]");
      }
      const std::string_view key = Trim(item.substr(0, eq));
      if (key.empty() || !std::all_of(key.begin(), key.end(), IsTokenChar)) {
        return Status::InvalidArgument(where() + ": the key is not an HTTP header name token");
      }
      std::string decoded;
      if (!PercentDecode(item.substr(eq + 1), &decoded)) {
        return Status::InvalidArgument(where() + ": the value has an invalid %-escape");
      }
      std::string v(Trim(decoded));
      bool replaced = false;
      for (auto& [k, old] : headers) {
        if (SameKey(k, key)) {
          old = v;
          replaced = true;
        }
      }
      if (!replaced) headers.emplace_back(std::string(key), std::move(v));
    }
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return headers;
}

Result<OtlpOptions> OtlpOptionsFromEnv(Signal signal, const EnvGetter& getter) {
  const EnvReader env(signal, getter);
  OtlpOptions o;
  o.signal = signal;

  if (auto s = env.Lookup("PROTOCOL")) {
    const std::string v = Lower(Trim(s->value));
    if (v == "http/protobuf") {
      o.protocol = OtlpProtocol::kHttpProtobuf;
    } else if (v == "grpc") {
      o.protocol = OtlpProtocol::kGrpc;
    } else if (v == "http/json") {
      return Status::Unimplemented(s->name +
                                   ": http/json is not supported; accepted values: grpc, "
                                   "http/protobuf");
    } else {
      return BadValue(*s, "grpc, http/protobuf");
    }
  }

  if (o.protocol == OtlpProtocol::kHttpProtobuf) {
    KLIO_ASSIGN_OR_RETURN(o.endpoint, HttpEndpoint(env, signal));
    o.use_tls = o.endpoint.rfind("https://", 0) == 0 || o.endpoint.rfind("HTTPS://", 0) == 0;
  } else {
    KLIO_ASSIGN_OR_RETURN(GrpcTarget target, GrpcEndpoint(env, signal));
    o.endpoint = std::move(target.target);
    o.use_tls = target.use_tls;
  }

  // Headers: general first, then per-signal, a per-signal key replacing the same key.
  if (auto s = env.Get(EnvReader::GeneralName("HEADERS"))) {
    KLIO_ASSIGN_OR_RETURN(o.headers, ParseOtlpHeaders(s->value, s->name));
  }
  if (auto s = env.Get(env.PerSignalName("HEADERS"))) {
    KLIO_ASSIGN_OR_RETURN(auto specific, ParseOtlpHeaders(s->value, s->name));
    for (auto& [key, value] : specific) {
      bool replaced = false;
      for (auto& [k, v] : o.headers) {
        if (SameKey(k, key)) {
          v = value;
          replaced = true;
        }
      }
      if (!replaced) o.headers.emplace_back(key, value);
    }
  }

  if (auto s = env.Lookup("COMPRESSION")) {
    const std::string v = Lower(Trim(s->value));
    if (v == "gzip") {
      o.compression = Compression::kGzip;
    } else if (v == "none") {
      o.compression = Compression::kNone;
    } else {
      return BadValue(*s, "gzip, none");
    }
  }

  if (auto s = env.Lookup("TIMEOUT")) {
    const std::string_view v = Trim(s->value);
    std::int64_t ms = 0;
    const bool digits = !v.empty() && v.size() <= 10 && std::all_of(v.begin(), v.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    if (digits) ms = std::stoll(std::string(v));
    if (!digits || ms > std::numeric_limits<std::int32_t>::max()) {
      return BadValue(*s, "an integer number of milliseconds, 0 (no limit) to 2147483647");
    }
    // 0 means "no limit"; a very large value keeps deadline arithmetic simple.
    o.timeout = std::chrono::milliseconds(ms == 0 ? std::numeric_limits<std::int32_t>::max() : ms);
  }

  if (auto s = env.Lookup("CERTIFICATE")) o.certificate_file = s->value;
  if (auto s = env.Lookup("CLIENT_CERTIFICATE")) o.client_certificate_file = s->value;
  if (auto s = env.Lookup("CLIENT_KEY")) o.client_key_file = s->value;

  if (signal == Signal::kMetrics) {
    if (auto s = env.Get("OTEL_EXPORTER_OTLP_METRICS_TEMPORALITY_PREFERENCE")) {
      const std::string v = Lower(Trim(s->value));
      if (v == "cumulative") {
        o.temporality = TemporalityPreference::kCumulative;
      } else if (v == "delta") {
        o.temporality = TemporalityPreference::kDelta;
      } else if (v == "lowmemory") {
        o.temporality = TemporalityPreference::kLowMemory;
      } else {
        return BadValue(*s, "cumulative, delta, lowmemory");
      }
    }
  }
  return o;
}

}  // namespace klio::telemetry::exporter
