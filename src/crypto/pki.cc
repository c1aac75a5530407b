#include "crypto/pki.h"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <vector>

#include "crypto/certificate.h"
#include "crypto/openssl_util.h"
#include "env/atomic_write.h"
#include "env/file_system.h"

namespace klio::crypto {
namespace {

constexpr int kMaxDays = 36500;
// Validity starts a little in the past so a peer whose clock lags still accepts it.
constexpr std::chrono::minutes kBackdate(5);

struct CertSpec {
  std::string common_name;
  bool is_ca = false;
  std::vector<std::string> alt_names;  // "DNS:x" / "IP:1.2.3.4"
  std::string key_usage;               // value for X509V3_EXT_nconf_nid
  std::string extended_key_usage;      // empty = none
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

Result<PrivateKeyPtr> GenerateP256Key() {
  PrivateKeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return OpenSslFailure("generating EC P-256 key");
  return key;
}

// A random positive 128-bit serial number (RFC 5280 allows up to 20 octets).
Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof(bytes)) != 1) return OpenSslFailure("generating serial number");
  bytes[0] &= 0x7F;  // positive
  bytes[0] |= 0x40;  // and never shorter than 16 octets, so never zero
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(bytes, sizeof(bytes), nullptr),
                                                 &BN_free);
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return OpenSslFailure("setting serial number");
  }
  return Status::Ok();
}

Status AddExtension(X509* cert, X509V3_CTX* ctx, int nid, const std::string& value) {
  X509_EXTENSION* ext = X509V3_EXT_nconf_nid(nullptr, ctx, nid, value.c_str());
  if (ext == nullptr) return OpenSslFailure("building extension " + value);
  const int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  if (ok != 1) return OpenSslFailure("adding extension " + value);
  return Status::Ok();
}

Status SetSubject(X509* cert, const std::string& common_name) {
  X509_NAME* name = X509_get_subject_name(cert);
  auto add = [&](const char* field, const std::string& value) {
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                      0) == 1;
  };
  if (!add("O", "klio") || !add("CN", common_name)) return OpenSslFailure("setting subject");
  return Status::Ok();
}

// Issues a certificate for `key`. `issuer`/`issuer_key` null means self-signed.
Result<X509Ptr> Issue(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  if (!cert) return OpenSslFailure("allocating certificate");
  if (X509_set_version(cert.get(), X509_VERSION_3) != 1) return OpenSslFailure("setting version");
  KLIO_RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  const time_t not_before = std::chrono::system_clock::to_time_t(spec.not_before);
  const time_t not_after = std::chrono::system_clock::to_time_t(spec.not_after);
  if (ASN1_TIME_set(X509_getm_notBefore(cert.get()), not_before) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert.get()), not_after) == nullptr) {
    return OpenSslFailure("setting validity");
  }
  KLIO_RETURN_IF_ERROR(SetSubject(cert.get(), spec.common_name));
  X509* signer = issuer != nullptr ? issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(signer)) != 1 ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return OpenSslFailure("setting issuer and public key");
  }

  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, signer, cert.get(), nullptr, nullptr, 0);
  KLIO_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_basic_constraints,
                   spec.is_ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE"));
  KLIO_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_key_usage, spec.key_usage));
  if (!spec.extended_key_usage.empty()) {
    KLIO_RETURN_IF_ERROR(
        AddExtension(cert.get(), &ctx, NID_ext_key_usage, spec.extended_key_usage));
  }
  if (!spec.alt_names.empty()) {
    std::string san;
    for (const std::string& name : spec.alt_names) {
      if (!san.empty()) san += ',';
      san += name;
    }
    KLIO_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_alt_name, san));
  }
  // The subject key identifier must exist before the authority key identifier of a
  // self-signed certificate can refer to it.
  KLIO_RETURN_IF_ERROR(AddExtension(cert.get(), &ctx, NID_subject_key_identifier, "hash"));
  KLIO_RETURN_IF_ERROR(
      AddExtension(cert.get(), &ctx, NID_authority_key_identifier, "keyid:always"));

  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0) {
    return OpenSslFailure("signing certificate");
  }
  return cert;
}

Result<PemPair> ToPem(X509* cert, EVP_PKEY* key) {
  PemPair pair;
  KLIO_ASSIGN_OR_RETURN(pair.cert_pem, CertificateToPem(cert));
  KLIO_ASSIGN_OR_RETURN(pair.key_pem, PrivateKeyToPem(key));
  return pair;
}

std::vector<std::string> ServerAltNames(const std::string& server_name) {
  std::vector<std::string> names;
  auto add = [&](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  add((IsIpAddress(server_name) ? "IP:" : "DNS:") + server_name);
  if (server_name == "localhost" || server_name == "127.0.0.1") {
    add("DNS:localhost");
    add("IP:127.0.0.1");
  }
  return names;
}

}  // namespace

bool IsDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == std::string_view::npos) dot = name.size();
    const std::string_view label = name.substr(start, dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
    start = dot + 1;
  }
  return true;
}

bool IsIpAddress(std::string_view name) {
  const std::string s(name);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

Result<DevPki> GenerateDevPki(const DevPkiOptions& options) {
  if (!IsDnsName(options.server_name) && !IsIpAddress(options.server_name)) {
    return Status::InvalidArgument("server name \"" + options.server_name +
                                   "\": not a DNS name or IP address");
  }
  if (!IsDnsName(options.client_name) || IsIpAddress(options.client_name)) {
    return Status::InvalidArgument("client name \"" + options.client_name +
                                   "\": not a DNS name (letters, digits, '-' and '.')");
  }
  if (options.days < 1 || options.days > kMaxDays) {
    return Status::InvalidArgument("days " + std::to_string(options.days) +
                                   ": must be between 1 and " + std::to_string(kMaxDays));
  }
  const auto not_before = options.now - kBackdate;
  const auto not_after = options.now + std::chrono::hours(24) * options.days;

  KLIO_ASSIGN_OR_RETURN(PrivateKeyPtr ca_key, GenerateP256Key());
  KLIO_ASSIGN_OR_RETURN(PrivateKeyPtr server_key, GenerateP256Key());
  KLIO_ASSIGN_OR_RETURN(PrivateKeyPtr client_key, GenerateP256Key());

  // Distinct subjects keep two throwaway CAs from being mistaken for one another.
  unsigned char tag[4];
  if (RAND_bytes(tag, sizeof(tag)) != 1) return OpenSslFailure("generating CA name");
  char tag_hex[9];
  std::snprintf(tag_hex, sizeof(tag_hex), "%02x%02x%02x%02x", tag[0], tag[1], tag[2], tag[3]);

  CertSpec ca_spec{.common_name = std::string("klio development CA ") + tag_hex,
                   .is_ca = true,
                   .key_usage = "critical,keyCertSign,cRLSign",
                   .not_before = not_before,
                   .not_after = not_after};
  KLIO_ASSIGN_OR_RETURN(X509Ptr ca, Issue(ca_spec, ca_key.get(), nullptr, nullptr));

  CertSpec server_spec{.common_name = options.server_name,
                       .alt_names = ServerAltNames(options.server_name),
                       .key_usage = "critical,digitalSignature",
                       .extended_key_usage = "serverAuth",
                       .not_before = not_before,
                       .not_after = not_after};
  KLIO_ASSIGN_OR_RETURN(X509Ptr server,
                        Issue(server_spec, server_key.get(), ca.get(), ca_key.get()));

  CertSpec client_spec{.common_name = options.client_name,
                       .alt_names = {"DNS:" + options.client_name},
                       .key_usage = "critical,digitalSignature",
                       .extended_key_usage = "clientAuth",
                       .not_before = not_before,
                       .not_after = not_after};
  KLIO_ASSIGN_OR_RETURN(X509Ptr client,
                        Issue(client_spec, client_key.get(), ca.get(), ca_key.get()));

  DevPki pki;
  KLIO_ASSIGN_OR_RETURN(pki.ca, ToPem(ca.get(), ca_key.get()));
  KLIO_ASSIGN_OR_RETURN(pki.server, ToPem(server.get(), server_key.get()));
  KLIO_ASSIGN_OR_RETURN(pki.client, ToPem(client.get(), client_key.get()));
  return pki;
}

Status WriteDevPki(env::FileSystem& fs, const std::string& dir, const DevPki& pki, bool overwrite) {
  KLIO_RETURN_IF_ERROR(fs.CreateDirs(dir));
  const std::array<const std::string*, 6> contents = {&pki.ca.cert_pem,     &pki.ca.key_pem,
                                                      &pki.server.cert_pem, &pki.server.key_pem,
                                                      &pki.client.cert_pem, &pki.client.key_pem};
  if (!overwrite) {
    for (std::string_view name : kDevPkiFiles) {
      const std::string path = env::JoinPath(dir, name);
      Status exists = fs.Exists(path);
      if (exists.ok()) return Status::AlreadyExists(path + ": already exists");
      if (!exists.IsNotFound()) return exists;
    }
  }
  for (std::size_t i = 0; i < kDevPkiFiles.size(); ++i) {
    const std::string_view name = kDevPkiFiles[i];
    const bool is_key = name.ends_with(".key");
    KLIO_RETURN_IF_ERROR(env::WriteFileAtomically(
        fs, env::JoinPath(dir, name), *contents[i],
        env::AtomicWriteOptions{.permissions = is_key ? 0600u : 0644u, .sync = true}));
  }
  return Status::Ok();
}

}  // namespace klio::crypto
