// TLS/mTLS credentials from PEM files (development PKI from klio_crypto) and the mTLS peer
// identity, over real gRPC on 127.0.0.1.
#include "rpc/credentials.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "crypto/pki.h"
#include "env/atomic_write.h"
#include "env/file_system.h"
#include "rpc/client_interceptor.h"
#include "rpc/echo_test_server.h"
#include "testing/process.h"

namespace klio::rpc {
namespace {

using klio::rpc::testing::Echo;
using klio::rpc::testing::EchoRequest;
using klio::rpc::testing::EchoResponse;
using klio::rpc::testing::EchoServer;
using klio::rpc::testing::SetTestDeadline;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto::DevPkiOptions options;
    options.server_name = "localhost";  // SANs DNS:localhost and IP:127.0.0.1
    options.client_name = "pg-main";
    options.now = std::chrono::system_clock::now();
    auto pki = crypto::GenerateDevPki(options);
    ASSERT_TRUE(pki.ok()) << pki.status().ToString();
    ASSERT_TRUE(crypto::WriteDevPki(fs_, dir_.path(), *pki, /*overwrite=*/false).ok());
  }

  std::string Path(const char* name) const { return dir_.Join(name); }

  ServerTlsOptions ServerOptions(bool mutual) const {
    return {.cert_file = Path("server.crt"),
            .key_file = Path("server.key"),
            .client_ca_file = mutual ? Path("ca.crt") : ""};
  }
  ClientTlsOptions ClientOptions(bool with_cert) const {
    return {.ca_file = Path("ca.crt"),
            .cert_file = with_cert ? Path("client.crt") : "",
            .key_file = with_cert ? Path("client.key") : ""};
  }

  // One Unary call; the response tells the peer identity the handler saw. `expect_ok` calls
  // wait for the channel to be ready (a loaded machine may need more than one connection
  // attempt); the others fail fast with the handshake error.
  grpc::Status Call(const EchoServer& server, const ClientTlsOptions& client,
                    EchoResponse* response, bool expect_ok = true) {
    auto creds = MakeChannelCredentials(fs_, client);
    EXPECT_TRUE(creds.ok()) << creds.status().ToString();
    if (!creds.ok()) return grpc::Status(grpc::StatusCode::INTERNAL, "no credentials");
    auto stub = Echo::NewStub(MakeInstrumentedChannel(server.target(), *creds));
    grpc::ClientContext context;
    SetTestDeadline(&context);
    context.set_wait_for_ready(expect_ok);
    return stub->Unary(&context, EchoRequest(), response);
  }

  env::FileSystem& fs_ = env::DefaultFileSystem();
  klio::testing::TempDir dir_{"klio-rpc-tls"};
};

TEST_F(CredentialsTest, MutualTlsPeerIdentityIsTheClientCertificateName) {
  auto creds = MakeServerCredentials(fs_, ServerOptions(/*mutual=*/true));
  ASSERT_TRUE(creds.ok()) << creds.status().ToString();
  EchoServer server(*creds);
  ASSERT_TRUE(server.ok());
  EchoResponse response;
  const grpc::Status status = Call(server, ClientOptions(/*with_cert=*/true), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.peer_identity(), "pg-main");
}

TEST_F(CredentialsTest, MutualTlsServerRefusesAClientWithoutCertificate) {
  auto creds = MakeServerCredentials(fs_, ServerOptions(/*mutual=*/true));
  ASSERT_TRUE(creds.ok());
  EchoServer server(*creds);
  ASSERT_TRUE(server.ok());
  EchoResponse response;
  EXPECT_EQ(Call(server, ClientOptions(/*with_cert=*/false), &response, false).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(CredentialsTest, NoClientCertificateMeansNoIdentity) {
  auto creds = MakeServerCredentials(fs_, ServerOptions(/*mutual=*/false));
  ASSERT_TRUE(creds.ok());
  EchoServer tls_server(*creds);
  ASSERT_TRUE(tls_server.ok());
  EchoResponse response;
  ASSERT_TRUE(Call(tls_server, ClientOptions(/*with_cert=*/false), &response).ok());
  EXPECT_EQ(response.peer_identity(), "");

  EchoServer insecure_server;
  ASSERT_TRUE(insecure_server.ok());
  auto stub = Echo::NewStub(
      MakeInstrumentedChannel(insecure_server.target(), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  SetTestDeadline(&context);
  ASSERT_TRUE(stub->Unary(&context, EchoRequest(), &response).ok());
  EXPECT_EQ(response.peer_identity(), "");
}

TEST_F(CredentialsTest, ServerCertificateIsVerifiedAgainstTheConfiguredCa) {
  auto creds = MakeServerCredentials(fs_, ServerOptions(/*mutual=*/false));
  ASSERT_TRUE(creds.ok());
  EchoServer server(*creds);
  ASSERT_TRUE(server.ok());
  EchoResponse response;
  // The system roots do not know the development CA.
  EXPECT_EQ(Call(server, ClientTlsOptions{}, &response, false).error_code(),
            grpc::StatusCode::UNAVAILABLE);
}

TEST_F(CredentialsTest, MissingFileIsNotFoundNamingIt) {
  ClientTlsOptions options = ClientOptions(true);
  options.ca_file = Path("nope.crt");
  auto creds = MakeChannelCredentials(fs_, options);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(creds.status().message(), StartsWith("tls: "));
  EXPECT_THAT(creds.status().message(), HasSubstr(Path("nope.crt")));
}

TEST_F(CredentialsTest, GarbageIsInvalidArgumentNamingTheFile) {
  const std::string garbage = Path("garbage.pem");
  ASSERT_TRUE(env::WriteFileAtomically(fs_, garbage, "not a certificate\n").ok());
  for (int which = 0; which < 3; ++which) {
    ServerTlsOptions options = ServerOptions(true);
    (which == 0   ? options.cert_file
     : which == 1 ? options.key_file
                  : options.client_ca_file) = garbage;
    auto creds = MakeServerCredentials(fs_, options);
    ASSERT_FALSE(creds.ok()) << which;
    EXPECT_EQ(creds.status().code(), StatusCode::kInvalidArgument) << which;
    EXPECT_THAT(creds.status().message(), StartsWith("tls: " + garbage + ": ")) << which;
  }
}

TEST_F(CredentialsTest, KeyOfAnotherCertificateIsRefused) {
  ClientTlsOptions options = ClientOptions(true);
  options.key_file = Path("server.key");
  auto creds = MakeChannelCredentials(fs_, options);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(creds.status().message(), HasSubstr("does not match"));
  EXPECT_THAT(creds.status().message(), HasSubstr(Path("server.key")));
}

TEST_F(CredentialsTest, HalfAClientKeyPairIsRefused) {
  ClientTlsOptions options = ClientOptions(true);
  options.key_file.clear();
  auto creds = MakeChannelCredentials(fs_, options);
  ASSERT_FALSE(creds.ok());
  EXPECT_EQ(creds.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(creds.status().message(), HasSubstr("only the certificate file"));

  EXPECT_FALSE(MakeServerCredentials(fs_, ServerTlsOptions{.cert_file = Path("server.crt")}).ok());
}

}  // namespace
}  // namespace klio::rpc
