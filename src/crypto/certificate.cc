#include "crypto/certificate.h"

#include <arpa/inet.h>
#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "env/file_system.h"

namespace klio::crypto {
namespace {

BioPtr MemoryBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

// A passphrase callback that refuses, so OpenSSL never prompts on the terminal.
int NoPassphrase(char* /*buf*/, int /*size*/, int /*rwflag*/, void* /*userdata*/) { return -1; }

Status ParseError(std::string_view what, std::string_view kind) {
  return Status::InvalidArgument(std::string(what) + ": not a PEM " + std::string(kind) + " (" +
                                 DrainOpenSslErrors() + ")");
}

Result<std::string> BioContents(BIO* bio) {
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);  // NOLINT(google-runtime-int): OpenSSL's type
  if (len < 0) return OpenSslFailure("reading memory BIO");
  return std::string(data, static_cast<std::size_t>(len));
}

std::string NameToString(X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  Result<std::string> text = BioContents(bio.get());
  return text.ok() ? *text : std::string();
}

std::chrono::system_clock::time_point ToTimePoint(const ASN1_TIME* t) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return {};
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string AsnStringText(const ASN1_STRING* s) {
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<std::size_t>(ASN1_STRING_length(s)));
}

std::string IpText(const ASN1_OCTET_STRING* ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  const unsigned char* p = ASN1_STRING_get0_data(ip);
  const int len = ASN1_STRING_length(ip);
  const int family = len == 4 ? AF_INET : len == 16 ? AF_INET6 : -1;
  if (family < 0 || inet_ntop(family, p, buf, sizeof(buf)) == nullptr) return "invalid";
  return buf;
}

}  // namespace

Result<X509Ptr> ParseCertificatePem(std::string_view pem, std::string_view what) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!cert) return ParseError(what, "certificate");
  return cert;
}

Result<std::vector<X509Ptr>> ParseCertificateChainPem(std::string_view pem, std::string_view what) {
  BioPtr bio = MemoryBio(pem);
  std::vector<X509Ptr> chain;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, NoPassphrase, nullptr)) {
    chain.emplace_back(cert);
  }
  if (chain.empty()) return ParseError(what, "certificate");
  // The loop ends with a "no start line" error at the end of the text; that is not a failure.
  DrainOpenSslErrors();
  return chain;
}

Result<PrivateKeyPtr> ParsePrivateKeyPem(std::string_view pem, std::string_view what) {
  BioPtr bio = MemoryBio(pem);
  PrivateKeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, NoPassphrase, nullptr));
  if (!key) return ParseError(what, "private key");
  return key;
}

Result<X509Ptr> ReadCertificateFile(env::FileSystem& fs, const std::string& path) {
  KLIO_ASSIGN_OR_RETURN(std::string pem, fs.ReadFile(path));
  return ParseCertificatePem(pem, path);
}

Result<std::vector<X509Ptr>> ReadCertificateChainFile(env::FileSystem& fs,
                                                      const std::string& path) {
  KLIO_ASSIGN_OR_RETURN(std::string pem, fs.ReadFile(path));
  return ParseCertificateChainPem(pem, path);
}

Result<PrivateKeyPtr> ReadPrivateKeyFile(env::FileSystem& fs, const std::string& path) {
  KLIO_ASSIGN_OR_RETURN(std::string pem, fs.ReadFile(path));
  return ParsePrivateKeyPem(pem, path);
}

Result<std::string> CertificateToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslFailure("encoding certificate");
  }
  return BioContents(bio.get());
}

Result<std::string> PrivateKeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslFailure("encoding private key");
  }
  return BioContents(bio.get());
}

CertificateInfo DescribeCertificate(X509* cert) {
  CertificateInfo info;
  info.subject = NameToString(X509_get_subject_name(cert));
  info.issuer = NameToString(X509_get_issuer_name(cert));
  X509_NAME* subject = X509_get_subject_name(cert);
  const int cn_index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (cn_index >= 0) {
    info.common_name =
        AsnStringText(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, cn_index)));
  }
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
    if (gn->type == GEN_DNS) info.dns_names.push_back(AsnStringText(gn->d.dNSName));
    if (gn->type == GEN_IPADD) info.ip_addresses.push_back(IpText(gn->d.iPAddress));
  }
  GENERAL_NAMES_free(sans);
  // X509_get_extension_flags caches the parsed extensions; the CA flag needs basicConstraints.
  const uint32_t flags = X509_get_extension_flags(cert);
  info.is_ca = (flags & EXFLAG_CA) != 0;
  const uint32_t xku = X509_get_extended_key_usage(cert);
  if ((flags & EXFLAG_XKUSAGE) != 0) {
    info.server_auth = (xku & XKU_SSL_SERVER) != 0;
    info.client_auth = (xku & XKU_SSL_CLIENT) != 0;
  }
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  if (serial != nullptr) {
    char* hex = BN_bn2hex(serial);
    if (hex != nullptr) info.serial_hex = hex;
    OPENSSL_free(hex);
    BN_free(serial);
  }
  info.not_before = ToTimePoint(X509_get0_notBefore(cert));
  info.not_after = ToTimePoint(X509_get0_notAfter(cert));
  return info;
}

Status VerifyCertificate(X509* cert, const std::vector<X509*>& trusted, CertPurpose purpose,
                         const std::optional<std::string>& host,
                         const std::vector<X509*>& intermediates) {
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(),
                                                                      &X509_STORE_CTX_free);
  // The stack only borrows the certificates: sk_X509_free does not free its elements.
  auto free_stack = [](STACK_OF(X509) * s) { sk_X509_free(s); };
  std::unique_ptr<STACK_OF(X509), decltype(free_stack)> chain(sk_X509_new_null(), free_stack);
  if (!store || !ctx || !chain) return OpenSslFailure("allocating verification context");
  for (X509* ca : trusted) {
    if (X509_STORE_add_cert(store.get(), ca) != 1) return OpenSslFailure("adding trusted CA");
  }
  for (X509* c : intermediates) sk_X509_push(chain.get(), c);
  if (X509_STORE_CTX_init(ctx.get(), store.get(), cert, chain.get()) != 1) {
    return OpenSslFailure("initializing verification");
  }
  if (purpose != CertPurpose::kAny) {
    X509_STORE_CTX_set_purpose(ctx.get(), purpose == CertPurpose::kServer
                                              ? X509_PURPOSE_SSL_SERVER
                                              : X509_PURPOSE_SSL_CLIENT);
  }
  if (host) {
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    const bool ok = X509_VERIFY_PARAM_set1_ip_asc(param, host->c_str()) == 1 ||
                    X509_VERIFY_PARAM_set1_host(param, host->c_str(), host->size()) == 1;
    DrainOpenSslErrors();  // the IP attempt fails for DNS names by design
    if (!ok) return Status::InvalidArgument("invalid host name \"" + *host + "\"");
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    DrainOpenSslErrors();
    return Status::PermissionDenied("certificate " + NameToString(X509_get_subject_name(cert)) +
                                    ": " + X509_verify_cert_error_string(err));
  }
  return Status::Ok();
}

Status CheckKeyMatchesCertificate(X509* cert, EVP_PKEY* key) {
  if (X509_check_private_key(cert, key) != 1) {
    DrainOpenSslErrors();
    return Status::InvalidArgument("private key does not match certificate " +
                                   NameToString(X509_get_subject_name(cert)));
  }
  return Status::Ok();
}

}  // namespace klio::crypto
