#include "crypto/certificate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/pem.h>

#include <chrono>

#include "crypto/pki.h"
#include "env/atomic_write.h"
#include "env/file_system.h"
#include "testing/process.h"

namespace klio::crypto {
namespace {

using ::testing::HasSubstr;

DevPki Generate() {
  return GenerateDevPki({.server_name = "localhost",
                         .client_name = "pg",
                         .days = 1,
                         .now = std::chrono::system_clock::now()})
      .value();
}

TEST(CertificatePemTest, GarbageIsAClearError) {
  Result<X509Ptr> cert = ParseCertificatePem("hello", "/certs/ca.crt");
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cert.status().message(), "/certs/ca.crt: not a PEM certificate (no start line)");
  Result<PrivateKeyPtr> key = ParsePrivateKeyPem("", "/certs/tls.key");
  ASSERT_FALSE(key.ok());
  EXPECT_THAT(key.status().message(),
              ::testing::StartsWith("/certs/tls.key: not a PEM private key ("));
}

TEST(CertificatePemTest, AKeyIsNotACertificateAndViceVersa) {
  const DevPki pki = Generate();
  EXPECT_FALSE(ParseCertificatePem(pki.ca.key_pem, "k").ok());
  EXPECT_FALSE(ParsePrivateKeyPem(pki.ca.cert_pem, "c").ok());
}

TEST(CertificatePemTest, ChainReadsEveryCertificate) {
  const DevPki pki = Generate();
  Result<std::vector<X509Ptr>> chain =
      ParseCertificateChainPem(pki.server.cert_pem + pki.ca.cert_pem, "bundle");
  ASSERT_TRUE(chain.ok()) << chain.status().ToString();
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ(DescribeCertificate((*chain)[0].get()).common_name, "localhost");
  EXPECT_TRUE(DescribeCertificate((*chain)[1].get()).is_ca);
  EXPECT_FALSE(ParseCertificateChainPem("", "empty").ok());
}

TEST(CertificatePemTest, EncryptedKeysAreRefusedWithoutPrompting) {
  const DevPki pki = Generate();
  PrivateKeyPtr key = std::move(ParsePrivateKeyPem(pki.client.key_pem, "k").value());
  BioPtr bio(BIO_new(BIO_s_mem()));
  const char pass[] = "secret";
  ASSERT_EQ(PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), pass,
                                          sizeof(pass) - 1, nullptr, nullptr),
            1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  Result<PrivateKeyPtr> parsed =
      ParsePrivateKeyPem(std::string_view(data, static_cast<std::size_t>(len)), "enc.key");
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.status().message(), ::testing::StartsWith("enc.key: not a PEM private key"));
}

TEST(CertificateFileTest, MissingFileIsNotFoundNamingThePath) {
  testing::TempDir dir;
  Result<X509Ptr> cert = ReadCertificateFile(env::DefaultFileSystem(), dir.Join("nope.crt"));
  ASSERT_FALSE(cert.ok());
  EXPECT_EQ(cert.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(cert.status().message(), HasSubstr(dir.Join("nope.crt")));
}

TEST(CertificateFileTest, ReadsFilesWrittenByWriteDevPki) {
  testing::TempDir dir;
  const DevPki pki = Generate();
  ASSERT_TRUE(WriteDevPki(env::DefaultFileSystem(), dir.path(), pki, false).ok());
  env::FileSystem& fs = env::DefaultFileSystem();
  Result<std::vector<X509Ptr>> ca = ReadCertificateChainFile(fs, dir.Join("ca.crt"));
  Result<X509Ptr> client = ReadCertificateFile(fs, dir.Join("client.crt"));
  Result<PrivateKeyPtr> client_key = ReadPrivateKeyFile(fs, dir.Join("client.key"));
  ASSERT_TRUE(ca.ok() && client.ok() && client_key.ok());
  EXPECT_TRUE(CheckKeyMatchesCertificate(client->get(), client_key->get()).ok());
  EXPECT_TRUE(VerifyCertificate(client->get(), {(*ca)[0].get()}, CertPurpose::kClient).ok());
  ASSERT_TRUE(env::WriteFileAtomically(fs, dir.Join("junk.crt"), "junk").ok());
  Result<X509Ptr> junk = ReadCertificateFile(fs, dir.Join("junk.crt"));
  ASSERT_FALSE(junk.ok());
  EXPECT_THAT(junk.status().message(), ::testing::StartsWith(dir.Join("junk.crt") + ": not a PEM"));
}

TEST(CertificateTest, PemRoundTrips) {
  const DevPki pki = Generate();
  X509Ptr cert = std::move(ParseCertificatePem(pki.server.cert_pem, "s").value());
  EXPECT_EQ(CertificateToPem(cert.get()).value(), pki.server.cert_pem);
  PrivateKeyPtr key = std::move(ParsePrivateKeyPem(pki.server.key_pem, "k").value());
  EXPECT_EQ(PrivateKeyToPem(key.get()).value(), pki.server.key_pem);
  EXPECT_THAT(pki.server.key_pem, ::testing::StartsWith("-----BEGIN PRIVATE KEY-----\n"));
}

}  // namespace
}  // namespace klio::crypto
