// A throwaway development PKI for klio's mTLS: one CA, one server certificate and one
// client certificate, generated in-process with OpenSSL 3 (`klio certs generate`).
//
//   ca      EC P-256, self-signed, basicConstraints critical CA:TRUE (pathlen 0), keyUsage
//           critical keyCertSign + cRLSign; CN "klio development CA <serial prefix>".
//   server  EC P-256, CN = server name; subjectAltName DNS:<name> (IP:<name> for an address),
//           plus DNS:localhost and IP:127.0.0.1 when the name is localhost or 127.0.0.1;
//           keyUsage critical digitalSignature; extendedKeyUsage serverAuth.
//   client  EC P-256, CN = cluster name, subjectAltName DNS:<cluster>; keyUsage critical
//           digitalSignature; extendedKeyUsage clientAuth. The server binds a client's
//           identity (its CN) to the cluster whose WAL and backups it may read and write.
// All are X.509 v3, signed with ECDSA-SHA256, with random 128-bit positive serial numbers,
// subject/authority key identifiers, valid from 5 minutes before `now` (clock skew) for
// `days` days.
//
// Files (PEM): ca.crt ca.key server.crt server.key client.crt client.key. Keys are
// unencrypted PKCS#8 with mode 0600, certificates 0644; each is written atomically (temp
// file, fsync, rename, fsync directory).
//
// Thread-safety: reentrant. Randomness comes from OpenSSL's CSPRNG.
#pragma once

#include <array>
#include <chrono>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace klio::env {
class FileSystem;
}  // namespace klio::env

namespace klio::crypto {

struct DevPkiOptions {
  std::string server_name;  // DNS name or IP address clients use to reach the server
  std::string client_name;  // the cluster name: a DNS name (letters, digits, '-', '.')
  int days = 365;           // validity of every certificate, 1..36500
  std::chrono::system_clock::time_point now;  // start of validity (less 5 minutes)
};

struct PemPair {
  std::string cert_pem;
  std::string key_pem;
};

struct DevPki {
  PemPair ca;
  PemPair server;
  PemPair client;
};

// The file names, in the order they are written.
inline constexpr std::array<std::string_view, 6> kDevPkiFiles = {
    "ca.crt", "ca.key", "server.crt", "server.key", "client.crt", "client.key"};

// True for a DNS name: dot-separated labels of 1..63 letters, digits and '-' (not at either
// end of a label), at most 253 characters in all.
bool IsDnsName(std::string_view name);
// True for a textual IPv4 or IPv6 address.
bool IsIpAddress(std::string_view name);

// Generates the three key pairs and certificates. InvalidArgument for a server name that
// is neither a DNS name nor an IP address, a client name that is not a DNS name, or days
// out of range; Internal when OpenSSL fails.
Result<DevPki> GenerateDevPki(const DevPkiOptions& options);

// Writes the six files into `dir` (created when missing). Without `overwrite`, fails with
// AlreadyExists naming the first file that exists, before writing anything. Blocking; each
// file is fsynced, as is `dir`.
Status WriteDevPki(env::FileSystem& fs, const std::string& dir, const DevPki& pki, bool overwrite);

}  // namespace klio::crypto
