// The authenticated identity of an mTLS client, for authorisation: the first subjectAltName
// DNS entry of the client certificate, else its subject CN (docs/design/wal-protocol.md §2:
// the identity is the cluster the client may act for).
//
// Trust: the value is only as good as the server's TLS settings. Use it with servers built
// from rpc::MakeServerCredentials with a client CA (client certificates required and
// verified); with a server that accepts unverified certificates any client can claim any name.
//
// Thread-safety: reentrant; reads the call's auth context.
// Design: docs/design/rpc-telemetry.md §6.
#pragma once

#include <string>

namespace grpc {
class ServerContextBase;
}  // namespace grpc

namespace klio::rpc {

// The client certificate's first SAN DNS name, else its CN; empty for a call without a client
// certificate (insecure channel, TLS without client authentication). Accepts a
// grpc::ServerContext or grpc::CallbackServerContext.
std::string PeerIdentity(const grpc::ServerContextBase& context);

}  // namespace klio::rpc
