#include "rpc/credentials.h"

#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include <string>
#include <utility>

#include "crypto/certificate.h"
#include "env/file_system.h"

namespace klio::rpc {
namespace {

Status Tls(const Status& status) { return Status(status.code(), "tls: " + status.message()); }

// The text of a PEM file holding at least one certificate.
Result<std::string> ReadCertificates(env::FileSystem& fs, const std::string& path) {
  Result<std::string> text = fs.ReadFile(path);
  if (!text.ok()) return Tls(text.status());
  const auto chain = crypto::ParseCertificateChainPem(*text, path);
  if (!chain.ok()) return Tls(chain.status());
  return text;
}

struct KeyPairPem {
  std::string cert_chain;
  std::string private_key;
};

// A certificate chain and the private key of its first certificate.
Result<KeyPairPem> ReadKeyPair(env::FileSystem& fs, const std::string& cert_file,
                               const std::string& key_file) {
  KeyPairPem out;
  Result<std::string> cert_text = fs.ReadFile(cert_file);
  if (!cert_text.ok()) return Tls(cert_text.status());
  const auto chain = crypto::ParseCertificateChainPem(*cert_text, cert_file);
  if (!chain.ok()) return Tls(chain.status());
  Result<std::string> key_text = fs.ReadFile(key_file);
  if (!key_text.ok()) return Tls(key_text.status());
  const auto key = crypto::ParsePrivateKeyPem(*key_text, key_file);
  if (!key.ok()) return Tls(key.status());
  if (Status s = crypto::CheckKeyMatchesCertificate(chain->front().get(), key->get()); !s.ok()) {
    return Status::InvalidArgument("tls: " + key_file + ": " + s.message() + " (" + cert_file +
                                   ")");
  }
  out.cert_chain = std::move(*cert_text);
  out.private_key = std::move(*key_text);
  return out;
}

}  // namespace

Result<std::shared_ptr<grpc::ChannelCredentials>> MakeChannelCredentials(
    env::FileSystem& fs, const ClientTlsOptions& options) {
  if (options.cert_file.empty() != options.key_file.empty()) {
    const std::string given = options.cert_file.empty()
                                  ? "only the key file " + options.key_file
                                  : "only the certificate file " + options.cert_file;
    return Status::InvalidArgument(
        "tls: a client certificate needs both a certificate file and a key file (got " + given +
        ")");
  }
  grpc::SslCredentialsOptions ssl;
  if (!options.ca_file.empty()) {
    KLIO_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadCertificates(fs, options.ca_file));
  }
  if (!options.cert_file.empty()) {
    KLIO_ASSIGN_OR_RETURN(KeyPairPem pair, ReadKeyPair(fs, options.cert_file, options.key_file));
    ssl.pem_cert_chain = std::move(pair.cert_chain);
    ssl.pem_private_key = std::move(pair.private_key);
  }
  std::shared_ptr<grpc::ChannelCredentials> creds = grpc::SslCredentials(ssl);
  if (creds == nullptr) return Status::Internal("tls: grpc refused the channel credentials");
  return creds;
}

Result<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    env::FileSystem& fs, const ServerTlsOptions& options) {
  if (options.cert_file.empty() || options.key_file.empty()) {
    return Status::InvalidArgument("tls: a server needs a certificate file and a key file");
  }
  const bool mutual = !options.client_ca_file.empty();
  grpc::SslServerCredentialsOptions ssl(
      mutual ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
             : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  if (mutual) {
    KLIO_ASSIGN_OR_RETURN(ssl.pem_root_certs, ReadCertificates(fs, options.client_ca_file));
  }
  KLIO_ASSIGN_OR_RETURN(KeyPairPem pair, ReadKeyPair(fs, options.cert_file, options.key_file));
  ssl.pem_key_cert_pairs.push_back({std::move(pair.private_key), std::move(pair.cert_chain)});
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::SslServerCredentials(ssl);
  if (creds == nullptr) return Status::Internal("tls: grpc refused the server credentials");
  return creds;
}

}  // namespace klio::rpc
