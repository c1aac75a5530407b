// RPC semantic conventions as klio emits them: attribute keys, metric names and buckets, the
// gRPC status-code names and which codes are errors on each side, and the parsers that turn
// gRPC's strings (method paths, peer URIs, channel targets, :authority) into attribute values.
// Also the request-id rules (x-request-id).
//
// No gRPC header here: the interceptors (server_interceptor.cc, client_interceptor.cc) and the
// tests use these pure functions; a semconv version bump is a change to this file and its .cc.
//
// Thread-safety: constants and pure functions; NewRequestId uses `random`, which is itself
// thread-safe.
// Design: docs/design/rpc-telemetry.md §3-§5; otel-reference §5.2, §5.3.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace klio::env {
class Random;
}  // namespace klio::env

namespace klio::rpc {

// The instrumentation scope of every RPC span and metric.
inline constexpr std::string_view kInstrumentationScope = "klio.rpc";

// ---- attribute keys ----
inline constexpr std::string_view kAttrRpcSystemName = "rpc.system.name";
inline constexpr std::string_view kAttrRpcMethod = "rpc.method";
inline constexpr std::string_view kAttrRpcMethodOriginal = "rpc.method_original";
inline constexpr std::string_view kAttrRpcStatusCode = "rpc.response.status_code";
inline constexpr std::string_view kAttrErrorType = "error.type";
inline constexpr std::string_view kAttrServerAddress = "server.address";
inline constexpr std::string_view kAttrServerPort = "server.port";
inline constexpr std::string_view kAttrNetworkPeerAddress = "network.peer.address";
inline constexpr std::string_view kAttrNetworkPeerPort = "network.peer.port";

inline constexpr std::string_view kRpcSystemGrpc = "grpc";
// rpc.method for a method that is not a well-formed "/package.Service/Method" path (and the
// span name in that case is kRpcSystemGrpc).
inline constexpr std::string_view kOtherMethod = "_OTHER";

// ---- metrics ----
inline constexpr std::string_view kServerCallDuration = "rpc.server.call.duration";
inline constexpr std::string_view kClientCallDuration = "rpc.client.call.duration";
inline constexpr std::string_view kServerRequestSize = "rpc.server.request.size";
inline constexpr std::string_view kServerResponseSize = "rpc.server.response.size";
inline constexpr std::string_view kClientRequestSize = "rpc.client.request.size";
inline constexpr std::string_view kClientResponseSize = "rpc.client.response.size";

// Advisory buckets of the call-duration histograms, in seconds (semconv).
inline constexpr std::array<double, 14> kDurationBuckets = {
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10};
// Buckets of the size histograms, in bytes: 0, then powers of 4 from 64 B to 4 GiB (semconv
// gives none; the SDK default 0..10000 would put every WAL message in the overflow bucket).
inline constexpr std::array<double, 15> kSizeBuckets = {
    0,         64,        256,        1024,       4096,        16384,        65536,       262144,
    1048576.0, 4194304.0, 16777216.0, 67108864.0, 268435456.0, 1073741824.0, 4294967296.0};

// ---- metadata ----
inline constexpr std::string_view kRequestIdHeader = "x-request-id";
inline constexpr std::size_t kMaxRequestIdSize = 128;

// ---- status codes ----

// The canonical name of a gRPC status code ("OK", "NOT_FOUND", ...); "_OTHER" for a number
// outside 0..16 (a peer may send anything).
std::string_view GrpcStatusName(int code);

// Whether a status makes the span an ERROR (and sets error.type): on the client every code but
// OK; on the server only UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE and
// DATA_LOSS (the others are the caller's fault).
bool IsClientError(int code);
bool IsServerError(int code);

// ---- names and addresses ----

// "/package.Service/Method" -> "package.Service/Method". Returns nullopt for anything else
// (no leading '/', an empty service or method, a second '/', characters outside [A-Za-z0-9_.]),
// which callers report as kOtherMethod.
std::optional<std::string> ParseMethodPath(std::string_view path);

struct HostPort {
  std::string host;  // an IP address (no brackets), a DNS name or a Unix socket path
  int port = 0;      // 0: none (Unix sockets, or no port given)
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

// A gRPC peer string as ServerContext::peer() returns it: "ipv4:10.1.2.3:5000",
// "ipv6:[::1]:5000" (also percent-encoded "ipv6:%5B::1%5D:5000"), "unix:/run/klio.sock".
// nullopt for anything else.
std::optional<HostPort> ParsePeer(std::string_view peer);

// A channel target: "host:port", "[v6]:port", "dns:///host:port", "dns://auth/host:port",
// "dns:host:port", "ipv4:1.2.3.4:5", "ipv6:[::1]:5", "unix:/path", "unix:///path". A target
// without a port keeps port 0. nullopt when no host can be found.
std::optional<HostPort> ParseTarget(std::string_view target);

// An HTTP/2 :authority ("host:port", "[v6]:port", "host"). nullopt when empty or malformed.
std::optional<HostPort> ParseAuthority(std::string_view authority);

// ---- request ids ----

// True for an id a caller may choose: 1..128 characters of [A-Za-z0-9._:-] (hex, UUIDs, ULIDs
// and the like). Anything else is replaced by a generated id, so a log line never carries
// attacker-chosen bytes.
bool IsValidRequestId(std::string_view id);

// A new id: 16 lowercase hex digits (64 random bits).
std::string NewRequestId(env::Random& random);

}  // namespace klio::rpc
