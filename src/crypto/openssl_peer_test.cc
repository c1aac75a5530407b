// The development PKI against the real OpenSSL command-line tools: `openssl verify`, and an
// mTLS handshake between `openssl s_server -Verify 1` and `openssl s_client`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "crypto/pki.h"
#include "env/file_system.h"
#include "testing/process.h"

namespace klio::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::chrono::seconds kCommandTimeout(30);

// Generates a PKI into `dir` (server name localhost, cluster "pg-main").
void MakePki(const std::string& dir) {
  Result<DevPki> pki = GenerateDevPki({.server_name = "localhost",
                                       .client_name = "pg-main",
                                       .days = 2,
                                       .now = std::chrono::system_clock::now()});
  ASSERT_TRUE(pki.ok()) << pki.status().ToString();
  ASSERT_TRUE(WriteDevPki(env::DefaultFileSystem(), dir, *pki, false).ok());
}

int RunTool(const std::vector<std::string>& argv, std::string* output) {
  Result<int> rc = testing::RunCommand({.argv = argv}, output, kCommandTimeout);
  EXPECT_TRUE(rc.ok()) << rc.status().ToString();
  return rc.ok() ? *rc : -1;
}

class OpenSslPeerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MakePki(a_);
    MakePki(b_);
  }
  std::string A(const char* name) const { return a_ + "/" + name; }
  std::string B(const char* name) const { return b_ + "/" + name; }

  // Starts `openssl s_server` on a free port with A's server certificate, requiring a client
  // certificate signed by A's CA, answering each connection with a status page.
  void StartServer() {
    port_ = testing::FreePort();
    Result<testing::Subprocess> server = testing::Subprocess::Start(
        {.argv = {"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port_), "-cert",
                  A("server.crt"), "-key", A("server.key"), "-CAfile", A("ca.crt"), "-Verify", "1",
                  "-verify_return_error", "-www"},
         .log_path = dir_.Join("s_server.log")});
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    ASSERT_TRUE(testing::WaitFor([&] { return testing::PortOpen(port_); }, std::chrono::seconds(20),
                                 "openssl s_server to listen")
                    .ok())
        << testing::ReadFileOrEmpty(dir_.Join("s_server.log"));
  }

  // Connects with `openssl s_client`, sends an HTTP request, and returns its exit code.
  int Connect(const std::string& cert, const std::string& key, const std::string& ca,
              std::string* output) {
    const std::string script =
        "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | openssl s_client -connect 127.0.0.1:" +
        std::to_string(port_) + " -servername localhost -verify_hostname localhost" +
        " -verify_return_error -ign_eof -cert '" + cert + "' -key '" + key + "' -CAfile '" + ca +
        "'";
    return RunTool({"/bin/sh", "-c", script}, output);
  }

  testing::TempDir dir_{"klio-openssl-peer"};
  std::string a_ = dir_.Join("a");
  std::string b_ = dir_.Join("b");
  int port_ = 0;
  testing::Subprocess server_;
};

TEST_F(OpenSslPeerTest, OpensslVerifyAcceptsTheChain) {
  std::string out;
  EXPECT_EQ(RunTool({"openssl", "verify", "-CAfile", A("ca.crt"), A("server.crt"), A("client.crt")},
                    &out),
            0)
      << out;
  EXPECT_THAT(out, HasSubstr(A("server.crt") + ": OK"));
  EXPECT_THAT(out, HasSubstr(A("client.crt") + ": OK"));
  EXPECT_EQ(RunTool({"openssl", "verify", "-CAfile", A("ca.crt"), "-purpose", "sslserver",
                     "-verify_hostname", "localhost", A("server.crt")},
                    &out),
            0)
      << out;
  EXPECT_EQ(RunTool({"openssl", "verify", "-CAfile", A("ca.crt"), "-purpose", "sslclient",
                     A("client.crt")},
                    &out),
            0)
      << out;
}

TEST_F(OpenSslPeerTest, OpensslVerifyRejectsAnotherCaAndWrongPurpose) {
  std::string out;
  EXPECT_NE(RunTool({"openssl", "verify", "-CAfile", A("ca.crt"), B("client.crt")}, &out), 0)
      << out;
  EXPECT_NE(RunTool({"openssl", "verify", "-CAfile", A("ca.crt"), "-purpose", "sslserver",
                     A("client.crt")},
                    &out),
            0)
      << out;
}

TEST_F(OpenSslPeerTest, MutualTlsHandshakeSucceeds) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string out;
  EXPECT_EQ(Connect(A("client.crt"), A("client.key"), A("ca.crt"), &out), 0) << out;
  EXPECT_THAT(out, HasSubstr("Verify return code: 0 (ok)"));
  EXPECT_THAT(out, HasSubstr("HTTP/1.0 200 ok"));
  // The server saw and accepted the client certificate (its page names the peer).
  EXPECT_THAT(out, HasSubstr("pg-main")) << out;
}

TEST_F(OpenSslPeerTest, ServerRejectsAClientCertificateFromAnotherCa) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string out;
  EXPECT_NE(Connect(B("client.crt"), B("client.key"), A("ca.crt"), &out), 0) << out;
  EXPECT_THAT(out, Not(HasSubstr("HTTP/1.0 200 ok"))) << out;
  // TLS alert 48: the server does not know the CA that signed the client certificate.
  EXPECT_THAT(out, HasSubstr("alert unknown ca")) << out;
  EXPECT_THAT(testing::ReadFileOrEmpty(dir_.Join("s_server.log")),
              HasSubstr("unable to get local issuer certificate"));
}

TEST_F(OpenSslPeerTest, ServerRejectsAMissingClientCertificate) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string out;
  const std::string script =
      "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | openssl s_client -connect "
      "127.0.0.1:" +
      std::to_string(port_) + " -ign_eof -CAfile '" + A("ca.crt") + "'";
  RunTool({"/bin/sh", "-c", script}, &out);
  EXPECT_THAT(out, Not(HasSubstr("HTTP/1.0 200 ok"))) << out;
}

TEST_F(OpenSslPeerTest, ClientRejectsAServerFromAnotherCa) {
  ASSERT_NO_FATAL_FAILURE(StartServer());
  std::string out;
  EXPECT_NE(Connect(B("client.crt"), B("client.key"), B("ca.crt"), &out), 0) << out;
  EXPECT_THAT(out, Not(HasSubstr("Verify return code: 0 (ok)")));
  EXPECT_THAT(out, Not(HasSubstr("HTTP/1.0 200 ok")));
}

}  // namespace
}  // namespace klio::crypto
