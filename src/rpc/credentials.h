// TLS and mutual-TLS credentials for klio's gRPC channels and servers, built from PEM files.
// Every file is read through env::FileSystem and checked with klio_crypto before gRPC sees it
// (a certificate that does not parse, a key that does not match its certificate, an encrypted
// key), so a misconfiguration is an error naming the file at startup, not a handshake failure
// at the first call.
//
//   auto creds = rpc::MakeChannelCredentials(fs, {.ca_file = "/certs/ca.crt",
//                                                 .cert_file = "/certs/client.crt",
//                                                 .key_file = "/certs/client.key"});
//   if (!creds.ok()) return creds.status();  // "tls: /certs/client.key: ..."
//
// Thread-safety: reentrant. Blocking (file reads).
// Design: docs/design/rpc-telemetry.md §6; docs/design/wal-protocol.md §2 (identity).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"

namespace grpc {
class ChannelCredentials;
class ServerCredentials;
}  // namespace grpc

namespace klio::env {
class FileSystem;
}  // namespace klio::env

namespace klio::rpc {

struct ClientTlsOptions {
  // CA bundle that signed the server's certificate. Empty: the system roots.
  std::string ca_file;
  // Client certificate chain and its unencrypted key for mTLS; both or neither.
  std::string cert_file;
  std::string key_file;
};

struct ServerTlsOptions {
  std::string cert_file;  // server certificate chain (PEM), required
  std::string key_file;   // its unencrypted private key (PEM), required
  // CA bundle for client certificates. Set: clients must present a certificate that verifies
  // against it (mTLS; rpc::PeerIdentity is then trustworthy). Empty: no client certificate is
  // requested.
  std::string client_ca_file;
};

// Channel credentials for TLS (mTLS when a client certificate is given). InvalidArgument for
// a half-given certificate/key pair, a file that does not parse, or a key that does not match
// its certificate; the file system's NotFound/PermissionDenied when a file cannot be read.
// Every message starts with "tls: <path>: ".
Result<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    env::FileSystem& fs, const ClientTlsOptions& options);

// Server credentials for TLS, requiring and verifying client certificates when
// `client_ca_file` is set. Errors as for MakeChannelCredentials.
Result<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    env::FileSystem& fs, const ServerTlsOptions& options);

}  // namespace klio::rpc
