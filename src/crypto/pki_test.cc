#include "crypto/pki.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <chrono>
#include <set>

#include "crypto/certificate.h"
#include "env/atomic_write.h"
#include "env/file_system.h"
#include "testing/process.h"

namespace klio::crypto {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Parsed {
  X509Ptr ca, server, client;
  PrivateKeyPtr ca_key, server_key, client_key;
};

Parsed ParseAll(const DevPki& pki) {
  Parsed p;
  p.ca = std::move(ParseCertificatePem(pki.ca.cert_pem, "ca").value());
  p.server = std::move(ParseCertificatePem(pki.server.cert_pem, "server").value());
  p.client = std::move(ParseCertificatePem(pki.client.cert_pem, "client").value());
  p.ca_key = std::move(ParsePrivateKeyPem(pki.ca.key_pem, "ca key").value());
  p.server_key = std::move(ParsePrivateKeyPem(pki.server.key_pem, "server key").value());
  p.client_key = std::move(ParsePrivateKeyPem(pki.client.key_pem, "client key").value());
  return p;
}

DevPki Generate(const std::string& server, const std::string& client = "pg-main", int days = 30) {
  Result<DevPki> pki = GenerateDevPki({.server_name = server,
                                       .client_name = client,
                                       .days = days,
                                       .now = std::chrono::system_clock::now()});
  EXPECT_TRUE(pki.ok()) << pki.status().ToString();
  return pki.ok() ? *pki : DevPki{};
}

bool ExtensionIsCritical(X509* cert, int nid) {
  const int index = X509_get_ext_by_NID(cert, nid, -1);
  return index >= 0 && X509_EXTENSION_get_critical(X509_get_ext(cert, index)) == 1;
}

std::string CurveName(EVP_PKEY* key) {
  char name[64] = {};
  std::size_t len = 0;
  if (EVP_PKEY_get_group_name(key, name, sizeof(name), &len) != 1) return "";
  return name;
}

TEST(DevPkiTest, CaIsACriticalCaWithCertSignUsage) {
  Parsed p = ParseAll(Generate("localhost"));
  CertificateInfo ca = DescribeCertificate(p.ca.get());
  EXPECT_TRUE(ca.is_ca);
  EXPECT_THAT(ca.common_name, StartsWith("klio development CA "));
  EXPECT_EQ(ca.subject, ca.issuer);
  EXPECT_TRUE(ExtensionIsCritical(p.ca.get(), NID_basic_constraints));
  EXPECT_TRUE(ExtensionIsCritical(p.ca.get(), NID_key_usage));
  EXPECT_EQ(X509_get_key_usage(p.ca.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_EQ(X509_get_signature_nid(p.ca.get()), NID_ecdsa_with_SHA256);
  EXPECT_EQ(X509_get_version(p.ca.get()), X509_VERSION_3);
  EXPECT_EQ(X509_check_issued(p.ca.get(), p.ca.get()), X509_V_OK);
}

TEST(DevPkiTest, LocalhostServerGetsLocalhostAndLoopbackNames) {
  Parsed p = ParseAll(Generate("localhost"));
  CertificateInfo server = DescribeCertificate(p.server.get());
  EXPECT_EQ(server.common_name, "localhost");
  EXPECT_THAT(server.dns_names, ElementsAre("localhost"));
  EXPECT_THAT(server.ip_addresses, ElementsAre("127.0.0.1"));
  EXPECT_FALSE(server.is_ca);
  EXPECT_TRUE(server.server_auth);
  EXPECT_FALSE(server.client_auth);
  EXPECT_TRUE(ExtensionIsCritical(p.server.get(), NID_basic_constraints));

  CertificateInfo loopback = DescribeCertificate(ParseAll(Generate("127.0.0.1")).server.get());
  EXPECT_EQ(loopback.common_name, "127.0.0.1");
  EXPECT_THAT(loopback.dns_names, ElementsAre("localhost"));
  EXPECT_THAT(loopback.ip_addresses, ElementsAre("127.0.0.1"));
}

TEST(DevPkiTest, OtherServerNamesGetExactlyTheirName) {
  CertificateInfo dns = DescribeCertificate(ParseAll(Generate("backup.example.com")).server.get());
  EXPECT_THAT(dns.dns_names, ElementsAre("backup.example.com"));
  EXPECT_TRUE(dns.ip_addresses.empty());
  CertificateInfo ip = DescribeCertificate(ParseAll(Generate("10.1.2.3")).server.get());
  EXPECT_TRUE(ip.dns_names.empty());
  EXPECT_THAT(ip.ip_addresses, ElementsAre("10.1.2.3"));
  CertificateInfo ip6 = DescribeCertificate(ParseAll(Generate("fd00::1")).server.get());
  EXPECT_THAT(ip6.ip_addresses, ElementsAre("fd00::1"));
}

TEST(DevPkiTest, ClientCarriesTheClusterName) {
  Parsed p = ParseAll(Generate("localhost", "cluster-example.prod"));
  CertificateInfo client = DescribeCertificate(p.client.get());
  EXPECT_EQ(client.common_name, "cluster-example.prod");
  EXPECT_THAT(client.dns_names, ElementsAre("cluster-example.prod"));
  EXPECT_TRUE(client.ip_addresses.empty());
  EXPECT_TRUE(client.client_auth);
  EXPECT_FALSE(client.server_auth);
  EXPECT_FALSE(client.is_ca);
  EXPECT_EQ(X509_get_key_usage(p.client.get()), static_cast<uint32_t>(KU_DIGITAL_SIGNATURE));
  EXPECT_EQ(client.issuer, DescribeCertificate(p.ca.get()).subject);
}

TEST(DevPkiTest, KeysAreP256AndMatchTheirCertificates) {
  Parsed p = ParseAll(Generate("localhost"));
  for (EVP_PKEY* key : {p.ca_key.get(), p.server_key.get(), p.client_key.get()}) {
    EXPECT_EQ(CurveName(key), "prime256v1");
  }
  EXPECT_TRUE(CheckKeyMatchesCertificate(p.ca.get(), p.ca_key.get()).ok());
  EXPECT_TRUE(CheckKeyMatchesCertificate(p.server.get(), p.server_key.get()).ok());
  EXPECT_TRUE(CheckKeyMatchesCertificate(p.client.get(), p.client_key.get()).ok());
  EXPECT_EQ(CheckKeyMatchesCertificate(p.server.get(), p.client_key.get()).code(),
            StatusCode::kInvalidArgument);
}

TEST(DevPkiTest, SerialNumbersAreRandomAndPositive) {
  std::set<std::string> serials;
  for (int i = 0; i < 3; ++i) {
    Parsed p = ParseAll(Generate("localhost"));
    for (X509* cert : {p.ca.get(), p.server.get(), p.client.get()}) {
      const std::string serial = DescribeCertificate(cert).serial_hex;
      EXPECT_EQ(serial.size(), 32u) << serial;
      EXPECT_NE(serial.front(), '-');
      serials.insert(serial);
    }
  }
  EXPECT_EQ(serials.size(), 9u);
}

TEST(DevPkiTest, ValidityCoversTheRequestedDays) {
  const auto now = std::chrono::system_clock::now();
  Result<DevPki> pki =
      GenerateDevPki({.server_name = "localhost", .client_name = "pg", .days = 10, .now = now});
  ASSERT_TRUE(pki.ok());
  for (const std::string* pem : {&pki->ca.cert_pem, &pki->server.cert_pem, &pki->client.cert_pem}) {
    CertificateInfo info = DescribeCertificate(ParseCertificatePem(*pem, "cert")->get());
    EXPECT_LE(std::chrono::abs(info.not_before - (now - std::chrono::minutes(5))),
              std::chrono::seconds(1));
    EXPECT_LE(std::chrono::abs(info.not_after - (now + std::chrono::hours(240))),
              std::chrono::seconds(1));
  }
}

TEST(DevPkiTest, ChainVerifiesInProcessForTheRightPurposeOnly) {
  Parsed p = ParseAll(Generate("localhost"));
  const std::vector<X509*> trusted = {p.ca.get()};
  EXPECT_TRUE(VerifyCertificate(p.server.get(), trusted, CertPurpose::kServer, "localhost").ok());
  EXPECT_TRUE(VerifyCertificate(p.server.get(), trusted, CertPurpose::kServer, "127.0.0.1").ok());
  EXPECT_TRUE(VerifyCertificate(p.client.get(), trusted, CertPurpose::kClient).ok());
  EXPECT_TRUE(VerifyCertificate(p.client.get(), trusted, CertPurpose::kAny, "pg-main").ok());
  EXPECT_TRUE(VerifyCertificate(p.ca.get(), trusted, CertPurpose::kAny).ok());

  Status wrong_host =
      VerifyCertificate(p.server.get(), trusted, CertPurpose::kServer, "db.example");
  EXPECT_EQ(wrong_host.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(wrong_host.message(), HasSubstr("mismatch"));
  EXPECT_FALSE(VerifyCertificate(p.client.get(), trusted, CertPurpose::kServer).ok());
  EXPECT_FALSE(VerifyCertificate(p.server.get(), trusted, CertPurpose::kClient).ok());
}

TEST(DevPkiTest, CertificatesFromAnotherCaDoNotVerify) {
  Parsed a = ParseAll(Generate("localhost"));
  Parsed b = ParseAll(Generate("localhost"));
  EXPECT_NE(DescribeCertificate(a.ca.get()).subject, DescribeCertificate(b.ca.get()).subject);
  Status st = VerifyCertificate(b.client.get(), {a.ca.get()}, CertPurpose::kClient);
  EXPECT_EQ(st.code(), StatusCode::kPermissionDenied);
  EXPECT_THAT(st.message(), HasSubstr("CN=pg-main"));
  EXPECT_THAT(st.message(), HasSubstr("unable to get local issuer certificate"));
  // X509_verify_cert directly, without klio's wrapper.
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, a.ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, a.server.get(), nullptr);
  EXPECT_EQ(X509_verify_cert(ctx), 1);
  X509_STORE_CTX_cleanup(ctx);
  X509_STORE_CTX_init(ctx, store, b.server.get(), nullptr);
  EXPECT_NE(X509_verify_cert(ctx), 1);
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
}

TEST(DevPkiTest, RejectsBadNamesAndDays) {
  auto gen = [](std::string server, std::string client, int days) {
    return GenerateDevPki({.server_name = std::move(server),
                           .client_name = std::move(client),
                           .days = days,
                           .now = std::chrono::system_clock::now()})
        .status();
  };
  EXPECT_EQ(gen("bad host", "pg", 1).message(),
            "server name \"bad host\": not a DNS name or IP address");
  EXPECT_EQ(gen("", "pg", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(gen("localhost", "10.0.0.1", 1).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(gen("localhost", "a,DNS:evil", 1).message(),
            "client name \"a,DNS:evil\": not a DNS name (letters, digits, '-' and '.')");
  EXPECT_EQ(gen("localhost", "pg", 0).message(), "days 0: must be between 1 and 36500");
  EXPECT_EQ(gen("localhost", "pg", 36501).code(), StatusCode::kInvalidArgument);
}

TEST(NamesTest, DnsAndIp) {
  EXPECT_TRUE(IsDnsName("localhost"));
  EXPECT_TRUE(IsDnsName("pg-main.db.example"));
  EXPECT_TRUE(IsDnsName("A1"));
  EXPECT_FALSE(IsDnsName(""));
  EXPECT_FALSE(IsDnsName("-pg"));
  EXPECT_FALSE(IsDnsName("pg-"));
  EXPECT_FALSE(IsDnsName("a..b"));
  EXPECT_FALSE(IsDnsName("a.b."));
  EXPECT_FALSE(IsDnsName("under_score"));
  EXPECT_FALSE(IsDnsName(std::string(64, 'a')));
  EXPECT_TRUE(IsDnsName(std::string(63, 'a')));
  EXPECT_TRUE(IsIpAddress("127.0.0.1"));
  EXPECT_TRUE(IsIpAddress("::1"));
  EXPECT_FALSE(IsIpAddress("localhost"));
  EXPECT_FALSE(IsIpAddress("1.2.3"));
}

class WriteDevPkiTest : public ::testing::Test {
 protected:
  testing::TempDir dir_{"klio-pki-test"};
  std::string out_ = dir_.Join("certs/nested");
};

unsigned Mode(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

TEST_F(WriteDevPkiTest, WritesSixFilesWithPrivateKeys0600) {
  const DevPki pki = Generate("localhost");
  ASSERT_TRUE(WriteDevPki(env::DefaultFileSystem(), out_, pki, false).ok());
  for (std::string_view name : kDevPkiFiles) {
    const std::string path = out_ + "/" + std::string(name);
    EXPECT_EQ(Mode(path), name.ends_with(".key") ? 0600u : 0644u) << name;
  }
  EXPECT_EQ(testing::ReadFileOrEmpty(out_ + "/ca.crt"), pki.ca.cert_pem);
  EXPECT_EQ(testing::ReadFileOrEmpty(out_ + "/client.key"), pki.client.key_pem);
  std::vector<env::DirEntry> entries = env::DefaultFileSystem().ListDir(out_).value();
  EXPECT_EQ(entries.size(), 6u) << "no temp files left behind";
  // What was written reads back through klio's own readers.
  Result<X509Ptr> server = ReadCertificateFile(env::DefaultFileSystem(), out_ + "/server.crt");
  Result<PrivateKeyPtr> key = ReadPrivateKeyFile(env::DefaultFileSystem(), out_ + "/server.key");
  ASSERT_TRUE(server.ok() && key.ok());
  EXPECT_TRUE(CheckKeyMatchesCertificate(server->get(), key->get()).ok());
}

TEST_F(WriteDevPkiTest, RefusesToOverwriteWithoutPermission) {
  const DevPki first = Generate("localhost");
  ASSERT_TRUE(WriteDevPki(env::DefaultFileSystem(), out_, first, false).ok());
  const DevPki second = Generate("localhost");
  Status st = WriteDevPki(env::DefaultFileSystem(), out_, second, false);
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(st.message(), out_ + "/ca.crt: already exists");
  EXPECT_EQ(testing::ReadFileOrEmpty(out_ + "/ca.crt"), first.ca.cert_pem);
  EXPECT_EQ(testing::ReadFileOrEmpty(out_ + "/client.key"), first.client.key_pem);

  ASSERT_TRUE(WriteDevPki(env::DefaultFileSystem(), out_, second, true).ok());
  EXPECT_EQ(testing::ReadFileOrEmpty(out_ + "/ca.crt"), second.ca.cert_pem);
  EXPECT_EQ(Mode(out_ + "/ca.key"), 0600u);
}

TEST_F(WriteDevPkiTest, AnyExistingFileBlocksTheWholeWrite) {
  ASSERT_TRUE(env::DefaultFileSystem().CreateDirs(out_).ok());
  ASSERT_TRUE(
      env::WriteFileAtomically(env::DefaultFileSystem(), out_ + "/client.key", "mine").ok());
  Status st = WriteDevPki(env::DefaultFileSystem(), out_, Generate("localhost"), false);
  EXPECT_EQ(st.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(env::DefaultFileSystem().Exists(out_ + "/ca.crt").code(), StatusCode::kNotFound);
  EXPECT_EQ(testing::ReadFileOrEmpty(out_ + "/client.key"), "mine");
}

}  // namespace
}  // namespace klio::crypto
