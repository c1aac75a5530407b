// W3C Trace Context and Baggage codecs. Parsing is table-free and allocation-light: the
// traceparent path allocates only for the tracestate string, and only when one is present.
#include "telemetry/propagation.h"

#include <algorithm>
#include <array>

namespace klio::telemetry {
namespace {

constexpr char kLowerHex[] = "0123456789abcdef";

bool IsOws(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && IsOws(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsOws(s.back())) s.remove_suffix(1);
  return s;
}

int LowerHexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

int AnyHexValue(char c) {
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return LowerHexValue(c);
}

// Parses 2*N lowercase hex digits into `out`; false on any other character.
template <std::size_t N>
bool ParseLowerHex(std::string_view hex, std::array<std::uint8_t, N>* out) {
  for (std::size_t i = 0; i < N; ++i) {
    int hi = LowerHexValue(hex[2 * i]);
    int lo = LowerHexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*out)[i] = static_cast<std::uint8_t>((hi << 4) | lo);
  }
  return true;
}

template <std::size_t N>
char* WriteLowerHex(const std::array<std::uint8_t, N>& bytes, char* out) {
  for (std::uint8_t b : bytes) {
    *out++ = kLowerHex[b >> 4];
    *out++ = kLowerHex[b & 0x0f];
  }
  return out;
}

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// ---- tracestate grammar ----

bool IsLcAlpha(char c) { return c >= 'a' && c <= 'z'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsTraceStateKeyChar(char c) {
  return IsLcAlpha(c) || IsDigit(c) || c == '_' || c == '-' || c == '*' || c == '/';
}

bool IsValidTraceStateKey(std::string_view key) {
  if (key.empty() || key.size() > 256) return false;
  std::size_t at = key.find('@');
  if (at == std::string_view::npos) {
    if (!IsLcAlpha(key[0]) && !IsDigit(key[0])) return false;
    return std::all_of(key.begin() + 1, key.end(), IsTraceStateKeyChar);
  }
  std::string_view tenant = key.substr(0, at);
  std::string_view system = key.substr(at + 1);
  if (tenant.empty() || tenant.size() > 241 || system.empty() || system.size() > 14) return false;
  if (!IsLcAlpha(tenant[0]) && !IsDigit(tenant[0])) return false;
  if (!IsLcAlpha(system[0])) return false;
  return std::all_of(tenant.begin() + 1, tenant.end(), IsTraceStateKeyChar) &&
         std::all_of(system.begin() + 1, system.end(), IsTraceStateKeyChar);
}

bool IsValidTraceStateValue(std::string_view value) {
  if (value.empty() || value.size() > 256 || value.back() == ' ') return false;
  return std::all_of(value.begin(), value.end(),
                     [](char c) { return c >= 0x20 && c <= 0x7e && c != ',' && c != '='; });
}

constexpr std::size_t kMaxTraceStateMembers = 32;
constexpr std::size_t kMaxTraceStateSize = 512;
constexpr std::size_t kLongTraceStateMember = 128;

// ---- baggage grammar ----

bool IsTokenChar(char c) {
  if (IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsToken(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsTokenChar);
}

// baggage-octet: %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E ('%' is one, but is always
// encoded on output and only appears in escapes on input).
bool IsBaggageOctet(unsigned char c) {
  return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
         (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

// Appends `in` to `out`, replacing invalid UTF-8 with U+FFFD (one per offending byte).
void AppendValidUtf8(std::string_view in, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  std::size_t n = in.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = p[i];
    std::size_t len = 0;
    std::uint32_t min = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      len = 2, min = 0x80, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      len = 3, min = 0x800, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      len = 4, min = 0x10000, cp = c & 0x07;
    }
    bool ok = len != 0 && i + len <= n;
    for (std::size_t k = 1; ok && k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) ok = false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    ok = ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff);
    if (ok) {
      out->append(in.substr(i, len));
      i += len;
    } else {
      out->append("\xef\xbf\xbd");
      ++i;
    }
  }
}

// Percent-decodes a baggage value; false on a malformed escape or a forbidden character.
bool DecodeBaggageValue(std::string_view in, std::string* out) {
  std::string raw;
  raw.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = AnyHexValue(in[i + 1]);
      int lo = AnyHexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      raw.push_back(static_cast<char>((hi << 4) | lo));
      i += 2;
    } else if (IsBaggageOctet(static_cast<unsigned char>(c))) {
      raw.push_back(c);
    } else {
      return false;
    }
  }
  out->clear();
  AppendValidUtf8(raw, out);
  return true;
}

void EncodeBaggageValue(std::string_view in, std::string* out) {
  for (char ch : in) {
    auto c = static_cast<unsigned char>(ch);
    if (IsBaggageOctet(c) && c != '%') {
      out->push_back(ch);
    } else {
      constexpr char kUpperHex[] = "0123456789ABCDEF";
      out->push_back('%');
      out->push_back(kUpperHex[c >> 4]);
      out->push_back(kUpperHex[c & 0x0f]);
    }
  }
}

// Validates the properties after a member's value and returns them normalised (trimmed,
// joined with ';'); nullopt when one is malformed.
std::optional<std::string> ParseBaggageProperties(std::string_view props) {
  std::string out;
  while (!props.empty()) {
    std::size_t semi = props.find(';');
    std::string_view prop = TrimOws(props.substr(0, semi));
    props = semi == std::string_view::npos ? std::string_view() : props.substr(semi + 1);
    if (prop.empty()) return std::nullopt;
    std::size_t eq = prop.find('=');
    std::string_view key = TrimOws(prop.substr(0, eq));
    if (!IsToken(key)) return std::nullopt;
    if (!out.empty()) out.push_back(';');
    out.append(key);
    if (eq != std::string_view::npos) {
      std::string_view value = TrimOws(prop.substr(eq + 1));
      std::string decoded;
      if (!DecodeBaggageValue(value, &decoded)) return std::nullopt;
      out.push_back('=');
      out.append(value);
    }
  }
  return out;
}

// Calls `fn(member)` for each comma-separated, OWS-trimmed, non-empty member.
template <typename Fn>
void ForEachMember(std::string_view list, Fn fn) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    std::string_view member = TrimOws(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (!member.empty()) fn(member);
  }
}

}  // namespace

// ---- carriers ----

std::string_view MapCarrier::Get(std::string_view key) const {
  const std::string* first = nullptr;
  bool multiple = false;
  for (const auto& [k, v] : entries_) {
    if (!EqualsIgnoreCase(k, key)) continue;
    if (first == nullptr) {
      first = &v;
    } else {
      if (!multiple) joined_ = *first;
      multiple = true;
      joined_.push_back(',');
      joined_.append(v);
    }
  }
  if (first == nullptr) return {};
  return multiple ? std::string_view{joined_} : std::string_view{*first};
}

void MapCarrier::Set(std::string_view key, std::string_view value) {
  std::erase_if(entries_, [key](const auto& e) { return EqualsIgnoreCase(e.first, key); });
  entries_.emplace_back(std::string(key), std::string(value));
}

// ---- traceparent ----

std::optional<SpanContext> ParseTraceParent(std::string_view value) {
  value = TrimOws(value);
  if (value.size() < kTraceParentSize) return std::nullopt;
  int v_hi = LowerHexValue(value[0]);
  int v_lo = LowerHexValue(value[1]);
  if (v_hi < 0 || v_lo < 0) return std::nullopt;
  int version = (v_hi << 4) | v_lo;
  if (version == 0xff) return std::nullopt;
  if (version == 0 && value.size() != kTraceParentSize) return std::nullopt;
  if (value.size() > kTraceParentSize && value[kTraceParentSize] != '-') return std::nullopt;
  if (value[2] != '-' || value[35] != '-' || value[52] != '-') return std::nullopt;

  SpanContext ctx;
  std::array<std::uint8_t, 1> flags{};
  if (!ParseLowerHex(value.substr(3, 32), &ctx.trace_id.bytes) ||
      !ParseLowerHex(value.substr(36, 16), &ctx.span_id.bytes) ||
      !ParseLowerHex(value.substr(53, 2), &flags)) {
    return std::nullopt;
  }
  if (!ctx.trace_id.IsValid() || !ctx.span_id.IsValid()) return std::nullopt;
  ctx.trace_flags = flags[0];
  ctx.is_remote = true;
  return ctx;
}

void FormatTraceParent(const SpanContext& context, char (&out)[kTraceParentSize]) {
  char* p = out;
  *p++ = '0';
  *p++ = '0';
  *p++ = '-';
  p = WriteLowerHex(context.trace_id.bytes, p);
  *p++ = '-';
  p = WriteLowerHex(context.span_id.bytes, p);
  *p++ = '-';
  std::uint8_t flags = context.trace_flags & 0x03;
  *p++ = '0';
  *p = kLowerHex[flags];
}

std::string FormatTraceParent(const SpanContext& context) {
  char buf[kTraceParentSize];
  FormatTraceParent(context, buf);
  return std::string(buf, kTraceParentSize);
}

std::string SanitizeTraceState(std::string_view value) {
  std::vector<std::string_view> members;
  std::vector<std::string_view> keys;
  ForEachMember(value, [&](std::string_view member) {
    if (members.size() >= kMaxTraceStateMembers) return;
    std::size_t eq = member.find('=');
    if (eq == std::string_view::npos) return;
    std::string_view key = member.substr(0, eq);
    std::string_view val = member.substr(eq + 1);
    if (!IsValidTraceStateKey(key) || !IsValidTraceStateValue(val)) return;
    if (std::find(keys.begin(), keys.end(), key) != keys.end()) return;
    keys.push_back(key);
    members.push_back(member);
  });

  auto total = [&members] {
    std::size_t n = members.empty() ? 0 : members.size() - 1;
    for (std::string_view m : members) n += m.size();
    return n;
  };
  // Over 512 characters: drop long members (right to left) first, then from the right.
  for (std::size_t i = members.size(); i-- > 0 && total() > kMaxTraceStateSize;) {
    if (members[i].size() > kLongTraceStateMember) {
      members.erase(members.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  while (total() > kMaxTraceStateSize) members.pop_back();

  std::string out;
  out.reserve(total());
  for (std::string_view m : members) {
    if (!out.empty()) out.push_back(',');
    out.append(m);
  }
  return out;
}

void InjectTraceContext(const SpanContext& context, TextMapCarrier& carrier) {
  if (!context.IsValid()) return;
  char buf[kTraceParentSize];
  FormatTraceParent(context, buf);
  carrier.Set(kTraceParentHeader, std::string_view(buf, kTraceParentSize));
  if (!context.trace_state.empty()) carrier.Set(kTraceStateHeader, context.trace_state);
}

SpanContext ExtractTraceContext(const TextMapCarrier& carrier) {
  std::optional<SpanContext> ctx = ParseTraceParent(carrier.Get(kTraceParentHeader));
  if (!ctx.has_value()) return SpanContext{};
  std::string_view state = carrier.Get(kTraceStateHeader);
  if (!state.empty()) ctx->trace_state = SanitizeTraceState(state);
  return *std::move(ctx);
}

// ---- baggage ----

Baggage Baggage::Parse(std::string_view header) {
  Baggage out;
  std::size_t bytes = 0;
  ForEachMember(header, [&](std::string_view member) {
    if (out.entries_.size() >= kMaxBaggageEntries) return;
    std::size_t cost = member.size() + (bytes == 0 ? 0 : 1);
    if (bytes + cost > kMaxBaggageBytes) return;
    std::size_t semi = member.find(';');
    std::string_view kv = member.substr(0, semi);
    std::size_t eq = kv.find('=');
    if (eq == std::string_view::npos) return;
    std::string_view key = TrimOws(kv.substr(0, eq));
    std::string_view raw_value = TrimOws(kv.substr(eq + 1));
    if (!IsToken(key)) return;
    Entry entry;
    if (!DecodeBaggageValue(raw_value, &entry.value)) return;
    if (semi != std::string_view::npos) {
      std::optional<std::string> props = ParseBaggageProperties(member.substr(semi + 1));
      if (!props.has_value()) return;
      entry.metadata = *std::move(props);
    }
    entry.key = std::string(key);
    bytes += cost;
    for (Entry& e : out.entries_) {
      if (e.key == entry.key) {
        e = std::move(entry);
        return;
      }
    }
    out.entries_.push_back(std::move(entry));
  });
  return out;
}

std::string Baggage::ToHeader() const {
  std::string out;
  std::string member;
  std::size_t count = 0;
  for (const Entry& e : entries_) {
    if (count >= kMaxBaggageEntries) break;
    member.clear();
    member.append(e.key);
    member.push_back('=');
    EncodeBaggageValue(e.value, &member);
    if (!e.metadata.empty()) {
      member.push_back(';');
      member.append(e.metadata);
    }
    std::size_t cost = member.size() + (out.empty() ? 0 : 1);
    if (out.size() + cost > kMaxBaggageBytes) continue;
    if (!out.empty()) out.push_back(',');
    out.append(member);
    ++count;
  }
  return out;
}

std::optional<std::string_view> Baggage::Get(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return std::string_view{e.value};
  }
  return std::nullopt;
}

Baggage Baggage::Set(std::string_view key, std::string_view value,
                     std::string_view metadata) const {
  if (!IsToken(key) || metadata.find(',') != std::string_view::npos) return *this;
  Baggage out = *this;
  Entry entry{std::string(key), std::string(), std::string(metadata)};
  AppendValidUtf8(value, &entry.value);
  for (Entry& e : out.entries_) {
    if (e.key == key) {
      e = std::move(entry);
      return out;
    }
  }
  out.entries_.push_back(std::move(entry));
  return out;
}

Baggage Baggage::Remove(std::string_view key) const {
  Baggage out = *this;
  std::erase_if(out.entries_, [key](const Entry& e) { return e.key == key; });
  return out;
}

void InjectBaggage(const Baggage& baggage, TextMapCarrier& carrier) {
  if (baggage.empty()) return;
  std::string header = baggage.ToHeader();
  if (!header.empty()) carrier.Set(kBaggageHeader, header);
}

Baggage ExtractBaggage(const TextMapCarrier& carrier) {
  return Baggage::Parse(carrier.Get(kBaggageHeader));
}

Propagators ParsePropagators(std::string_view value, std::vector<std::string>* unsupported) {
  if (TrimOws(value).empty()) return Propagators{};
  Propagators out{.trace_context = false, .baggage = false};
  bool none = false;
  ForEachMember(value, [&](std::string_view name) {
    std::string lower(name);
    for (char& c : lower) c = AsciiLower(c);
    if (lower == "tracecontext") {
      out.trace_context = true;
    } else if (lower == "baggage") {
      out.baggage = true;
    } else if (lower == "none") {
      none = true;
    } else if (unsupported != nullptr) {
      unsupported->emplace_back(name);
    }
  });
  if (none) return Propagators{.trace_context = false, .baggage = false};
  return out;
}

}  // namespace klio::telemetry
