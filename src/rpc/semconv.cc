#include "rpc/semconv.h"

#include <charconv>
#include <cstdint>

#include "env/random.h"

namespace klio::rpc {
namespace {

constexpr std::array<std::string_view, 17> kStatusNames = {
    "OK",        "CANCELLED",      "UNKNOWN",           "INVALID_ARGUMENT",   "DEADLINE_EXCEEDED",
    "NOT_FOUND", "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
    "ABORTED",   "OUT_OF_RANGE",   "UNIMPLEMENTED",     "INTERNAL",           "UNAVAILABLE",
    "DATA_LOSS", "UNAUTHENTICATED"};

bool IsMethodChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.';
}

// A decimal port 1..65535; nullopt otherwise.
std::optional<int> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int port = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), port);
  if (ec != std::errc() || ptr != text.data() + text.size() || port < 1 || port > 65535) {
    return std::nullopt;
  }
  return port;
}

// "host:port", "[v6]:port", "host", "[v6]", or a bare IPv6 address (more than one ':').
// `require_port` rejects the forms without a port.
std::optional<HostPort> ParseHostPort(std::string_view text, bool require_port) {
  if (text.empty()) return std::nullopt;
  HostPort out;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos || close == 1) return std::nullopt;
    out.host = std::string(text.substr(1, close - 1));
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty()) {
      if (require_port) return std::nullopt;
      return out;
    }
    if (rest.front() != ':') return std::nullopt;
    const auto port = ParsePort(rest.substr(1));
    if (!port) return std::nullopt;
    out.port = *port;
    return out;
  }
  const size_t colon = text.find(':');
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos) {
    // No colon: a bare host. Several colons: a bare IPv6 address. Neither has a port.
    if (require_port) return std::nullopt;
    out.host = std::string(text);
    return out;
  }
  if (colon == 0) return std::nullopt;
  const auto port = ParsePort(text.substr(colon + 1));
  if (!port) return std::nullopt;
  out.host = std::string(text.substr(0, colon));
  out.port = *port;
  return out;
}

// Undoes the percent-encoding gRPC applies to IPv6 brackets in peer URIs.
std::string DecodeBrackets(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const std::string_view hex = text.substr(i + 1, 2);
      if (hex == "5B" || hex == "5b") {
        out.push_back('[');
        i += 2;
        continue;
      }
      if (hex == "5D" || hex == "5d") {
        out.push_back(']');
        i += 2;
        continue;
      }
    }
    out.push_back(text[i]);
  }
  return out;
}

bool ConsumePrefix(std::string_view* text, std::string_view prefix) {
  if (text->substr(0, prefix.size()) != prefix) return false;
  text->remove_prefix(prefix.size());
  return true;
}

}  // namespace

std::string_view GrpcStatusName(int code) {
  if (code < 0 || code >= static_cast<int>(kStatusNames.size())) return "_OTHER";
  return kStatusNames[static_cast<size_t>(code)];
}

bool IsClientError(int code) { return code != 0; }

bool IsServerError(int code) {
  switch (code) {
    case 2:   // UNKNOWN
    case 4:   // DEADLINE_EXCEEDED
    case 12:  // UNIMPLEMENTED
    case 13:  // INTERNAL
    case 14:  // UNAVAILABLE
    case 15:  // DATA_LOSS
      return true;
    default:
      return code < 0 || code > 16;  // not a gRPC code at all: treat as UNKNOWN
  }
}

std::optional<std::string> ParseMethodPath(std::string_view path) {
  if (path.size() < 4 || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  const size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == path.size()) {
    return std::nullopt;
  }
  for (size_t i = 0; i < path.size(); ++i) {
    if (i == slash) continue;
    if (!IsMethodChar(path[i])) return std::nullopt;
  }
  return std::string(path);
}

std::optional<HostPort> ParsePeer(std::string_view peer) {
  if (ConsumePrefix(&peer, "ipv4:")) return ParseHostPort(peer, /*require_port=*/true);
  if (ConsumePrefix(&peer, "ipv6:")) {
    const std::string decoded = DecodeBrackets(peer);
    if (decoded.empty() || decoded.front() != '[') return std::nullopt;
    return ParseHostPort(decoded, /*require_port=*/true);
  }
  if (ConsumePrefix(&peer, "unix:")) {
    if (peer.empty()) return std::nullopt;
    return HostPort{std::string(peer), 0};
  }
  return std::nullopt;
}

std::optional<HostPort> ParseTarget(std::string_view target) {
  if (ConsumePrefix(&target, "unix:")) {
    // unix:path, unix:/abs/path, unix:///abs/path (URI form with empty authority).
    if (target.substr(0, 2) == "//") target.remove_prefix(2);
    if (target.empty()) return std::nullopt;
    return HostPort{std::string(target), 0};
  }
  if (ConsumePrefix(&target, "unix-abstract:")) {
    if (target.empty()) return std::nullopt;
    return HostPort{std::string(target), 0};
  }
  if (ConsumePrefix(&target, "ipv4:") || ConsumePrefix(&target, "ipv6:")) {
    // A comma-separated address list: the first one names the server.
    target = target.substr(0, target.find(','));
    return ParseHostPort(DecodeBrackets(target), /*require_port=*/false);
  }
  if (ConsumePrefix(&target, "dns:")) {
    if (ConsumePrefix(&target, "//")) {
      const size_t slash = target.find('/');  // skip the DNS server authority
      if (slash == std::string_view::npos) return std::nullopt;
      target.remove_prefix(slash + 1);
    }
  }
  return ParseHostPort(target, /*require_port=*/false);
}

std::optional<HostPort> ParseAuthority(std::string_view authority) {
  return ParseHostPort(authority, /*require_port=*/false);
}

bool IsValidRequestId(std::string_view id) {
  if (id.empty() || id.size() > kMaxRequestIdSize) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string NewRequestId(env::Random& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::uint64_t bits = random.Next64();
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kHex[bits & 0xF];
    bits >>= 4;
  }
  return out;
}

}  // namespace klio::rpc
