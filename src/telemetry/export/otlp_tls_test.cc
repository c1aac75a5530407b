// TLS and mTLS of both OTLP transports against in-process servers: a gRPC server with
// SslServerCredentials and a generic service for the trace Export method, and an HTTPS
// server (cpp-httplib over OpenSSL) for /v1/traces. Certificates are made per test run with
// the openssl command line: a CA, a server certificate for localhost and a client
// certificate.
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "telemetry/export/otlp_exporter.h"
#include "testing/process.h"

namespace klio::telemetry::exporter {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// gRPC's c-ares resolver (used for "localhost") leaks 40 bytes in libcares that
// LeakSanitizer reports at exit; the native getaddrinfo resolver does not. Set before gRPC
// initialises.
const bool kNativeResolver = [] { return setenv("GRPC_DNS_RESOLVER", "native", 1) == 0; }();

constexpr std::string_view kTraceExport =
    "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A throwaway PKI: ca.pem, server.{pem,key} (localhost, 127.0.0.1), client.{pem,key}.
class Pki {
 public:
  Status Make() {
    const std::string d = dir_.path();
    const std::string script =
        "set -e; cd '" + d +
        "'\n"
        "K='-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes'\n"
        "openssl req -x509 $K -keyout ca.key -out ca.pem -subj /CN=klio-test-ca -days 2\n"
        "openssl req $K -keyout server.key -out server.csr -subj /CN=localhost\n"
        "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\nextendedKeyUsage=serverAuth\\n'"
        " > server.ext\n"
        "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -out server.pem -days 2 -extfile server.ext\n"
        "openssl req $K -keyout client.key -out client.csr -subj /CN=otlp-client\n"
        "printf 'extendedKeyUsage=clientAuth\\n' > client.ext\n"
        "openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
        " -out client.pem -days 2 -extfile client.ext\n";
    std::string output;
    Result<int> rc = klio::testing::RunCommand({.argv = {"sh", "-c", script}}, &output);
    if (!rc.ok()) return rc.status();
    if (*rc != 0) return Status::Internal("openssl failed: " + output);
    return Status::Ok();
  }
  std::string Path(std::string_view name) const { return dir_.Join(name); }

 private:
  klio::testing::TempDir dir_{"klio-otlp-tls"};
};

// Answers every unary call with an empty message and counts the calls to the trace Export.
class CountingService final : public grpc::CallbackGenericService {
 public:
  std::atomic<int> exports{0};

 private:
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* ctx) override {
    if (ctx->method() == kTraceExport) exports.fetch_add(1);
    class Reactor : public grpc::ServerGenericBidiReactor {
     public:
      Reactor() { StartRead(&request_); }
      void OnReadDone(bool ok) override {
        if (!ok) {
          Finish(grpc::Status::OK);
          return;
        }
        grpc::Slice empty;  // an empty Export*ServiceResponse
        response_ = grpc::ByteBuffer(&empty, 1);
        StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
      }
      void OnWriteDone(bool) override {}
      void OnDone() override { delete this; }

     private:
      grpc::ByteBuffer request_;
      grpc::ByteBuffer response_;
    };
    return new Reactor();
  }
};

class OtlpTlsTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(pki_.Make().ok()); }

  OtlpOptions Options(OtlpProtocol protocol, std::string endpoint, bool with_ca, bool with_client) {
    OtlpOptions o;
    o.signal = Signal::kTraces;
    o.protocol = protocol;
    o.endpoint = std::move(endpoint);
    o.use_tls = true;
    o.timeout = milliseconds(1500);
    o.retry.initial_backoff = milliseconds(20);
    o.retry.max_backoff = milliseconds(50);
    if (with_ca) o.certificate_file = pki_.Path("ca.pem");
    if (with_client) {
      o.client_certificate_file = pki_.Path("client.pem");
      o.client_key_file = pki_.Path("client.key");
    }
    return o;
  }

  static Status ExportOne(const OtlpOptions& options) {
    auto exporter = MakeOtlpSpanExporter(options, [](std::string_view) {});
    if (!exporter.ok()) return exporter.status();
    sdk::SpanData span;
    span.context.trace_id.bytes[0] = 1;
    span.context.span_id.bytes[0] = 1;
    span.name = "tls";
    const auto start = steady_clock::now();
    Status s = (*exporter)->Export(std::span(&span, 1), Resource{}, start + seconds(30));
    EXPECT_LT(steady_clock::now() - start, seconds(5)) << "export overran its 1.5 s timeout";
    EXPECT_TRUE((*exporter)->Shutdown(steady_clock::now() + seconds(2)).ok());
    return s;
  }

  Pki pki_;
};

std::unique_ptr<grpc::Server> StartGrpcServer(const Pki& pki, bool require_client_cert,
                                              grpc::CallbackGenericService* service, int* port) {
  grpc::SslServerCredentialsOptions ssl(
      require_client_cert ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                          : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  ssl.pem_root_certs = ReadFile(pki.Path("ca.pem"));
  ssl.pem_key_cert_pairs.push_back(
      {ReadFile(pki.Path("server.key")), ReadFile(pki.Path("server.pem"))});
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(ssl), port);
  builder.RegisterCallbackGenericService(service);
  return builder.BuildAndStart();
}

TEST_F(OtlpTlsTest, GrpcTlsVerifiesTheServerAgainstTheConfiguredCa) {
  CountingService service;
  int port = 0;
  auto server = StartGrpcServer(pki_, false, &service, &port);
  ASSERT_NE(server, nullptr);
  const std::string endpoint = "localhost:" + std::to_string(port);
  EXPECT_TRUE(ExportOne(Options(OtlpProtocol::kGrpc, endpoint, true, false)).ok());
  EXPECT_EQ(service.exports.load(), 1);
  // System roots do not know our CA: the handshake fails, nothing is delivered.
  EXPECT_FALSE(ExportOne(Options(OtlpProtocol::kGrpc, endpoint, false, false)).ok());
  EXPECT_EQ(service.exports.load(), 1);
  server->Shutdown(std::chrono::system_clock::now() + seconds(2));
}

TEST_F(OtlpTlsTest, GrpcMutualTls) {
  CountingService service;
  int port = 0;
  auto server = StartGrpcServer(pki_, true, &service, &port);
  ASSERT_NE(server, nullptr);
  const std::string endpoint = "localhost:" + std::to_string(port);
  EXPECT_TRUE(ExportOne(Options(OtlpProtocol::kGrpc, endpoint, true, true)).ok());
  EXPECT_EQ(service.exports.load(), 1);
  EXPECT_FALSE(ExportOne(Options(OtlpProtocol::kGrpc, endpoint, true, false)).ok());
  EXPECT_EQ(service.exports.load(), 1);
  server->Shutdown(std::chrono::system_clock::now() + seconds(2));
}

class HttpsServer {
 public:
  HttpsServer(const Pki& pki, bool require_client_cert)
      : server_(pki.Path("server.pem").c_str(), pki.Path("server.key").c_str(),
                require_client_cert ? pki.Path("ca.pem").c_str() : nullptr) {
    server_.Post("/v1/traces", [this](const httplib::Request&, httplib::Response& res) {
      exports.fetch_add(1);
      res.set_content("", "application/x-protobuf");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // cpp-httplib 0.11 has no wait_until_ready().
    (void)klio::testing::WaitFor([this] { return server_.is_running(); }, seconds(10),
                                 "https server running", milliseconds(5));
  }
  ~HttpsServer() {
    server_.stop();
    thread_.join();
  }
  bool valid() const { return server_.is_valid() && port_ > 0; }
  std::string url() const { return "https://localhost:" + std::to_string(port_) + "/v1/traces"; }

  std::atomic<int> exports{0};

 private:
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(OtlpTlsTest, HttpsVerifiesTheServerAgainstTheConfiguredCa) {
  HttpsServer server(pki_, false);
  ASSERT_TRUE(server.valid());
  Status ok = ExportOne(Options(OtlpProtocol::kHttpProtobuf, server.url(), true, false));
  EXPECT_TRUE(ok.ok()) << ok.ToString();
  EXPECT_EQ(server.exports.load(), 1);
  EXPECT_FALSE(ExportOne(Options(OtlpProtocol::kHttpProtobuf, server.url(), false, false)).ok());
  EXPECT_EQ(server.exports.load(), 1);
}

TEST_F(OtlpTlsTest, HttpsMutualTls) {
  HttpsServer server(pki_, true);
  ASSERT_TRUE(server.valid());
  Status ok = ExportOne(Options(OtlpProtocol::kHttpProtobuf, server.url(), true, true));
  EXPECT_TRUE(ok.ok()) << ok.ToString();
  EXPECT_EQ(server.exports.load(), 1);
  EXPECT_FALSE(ExportOne(Options(OtlpProtocol::kHttpProtobuf, server.url(), true, false)).ok());
  EXPECT_EQ(server.exports.load(), 1);
}

}  // namespace
}  // namespace klio::telemetry::exporter
