// X.509 certificates and private keys as klio uses them for mTLS: reading PEM (from memory
// or through the FileSystem) with errors that name the file, describing a certificate
// (names, usages, validity), and verifying one against trusted CAs with OpenSSL's
// X509_verify_cert. The client certificate's CN is the cluster the client may act for.
//
// Thread-safety: every function is reentrant; a returned object is used by one thread at a
// time. Messages never contain key material.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "crypto/openssl_util.h"

namespace klio::env {
class FileSystem;
}  // namespace klio::env

namespace klio::crypto {

// Parses the first certificate of a PEM text. `what` names the source in errors
// ("/certs/ca.crt: not a PEM certificate (no start line)"); InvalidArgument on failure.
Result<X509Ptr> ParseCertificatePem(std::string_view pem, std::string_view what);
// Parses every certificate of a PEM text (a chain or a CA bundle); at least one.
Result<std::vector<X509Ptr>> ParseCertificateChainPem(std::string_view pem, std::string_view what);
// Parses an unencrypted PEM private key (PKCS#8 or traditional). Encrypted keys are
// refused without prompting.
Result<PrivateKeyPtr> ParsePrivateKeyPem(std::string_view pem, std::string_view what);

// The same, reading `path` through `fs` first; the file system's NotFound/PermissionDenied
// statuses pass through, parse errors are InvalidArgument naming `path`.
Result<X509Ptr> ReadCertificateFile(env::FileSystem& fs, const std::string& path);
Result<std::vector<X509Ptr>> ReadCertificateChainFile(env::FileSystem& fs, const std::string& path);
Result<PrivateKeyPtr> ReadPrivateKeyFile(env::FileSystem& fs, const std::string& path);

// PEM text of a certificate, and of a private key as unencrypted PKCS#8.
Result<std::string> CertificateToPem(X509* cert);
Result<std::string> PrivateKeyToPem(EVP_PKEY* key);

struct CertificateInfo {
  std::string subject;  // one-line RFC 2253 form, "CN=pg-main,O=klio"
  std::string issuer;
  std::string common_name;                // empty when the subject has none
  std::vector<std::string> dns_names;     // subjectAltName DNS entries, in order
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries, textual
  bool is_ca = false;                     // basicConstraints CA:TRUE
  bool server_auth = false;               // extendedKeyUsage contains serverAuth
  bool client_auth = false;               // extendedKeyUsage contains clientAuth
  std::string serial_hex;                 // uppercase hex, no leading zeros
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

CertificateInfo DescribeCertificate(X509* cert);

enum class CertPurpose { kAny, kServer, kClient };

// Verifies `cert` (with `intermediates` to build the chain) against `trusted` CAs at the
// current time, for `purpose`, and for `host` when given (DNS name or IP). Returns OK, or
// PermissionDenied "certificate <subject>: <reason>" ("unable to get local issuer
// certificate", "certificate has expired", "hostname mismatch", ...).
Status VerifyCertificate(X509* cert, const std::vector<X509*>& trusted, CertPurpose purpose,
                         const std::optional<std::string>& host = std::nullopt,
                         const std::vector<X509*>& intermediates = {});

// OK when `key` is the private key of `cert`, InvalidArgument otherwise.
Status CheckKeyMatchesCertificate(X509* cert, EVP_PKEY* key);

}  // namespace klio::crypto
