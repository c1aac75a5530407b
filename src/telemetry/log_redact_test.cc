#include "telemetry/log_redact.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace klio::log {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(IsSecretKeyTest, SecretLookingNames) {
  for (const char* key : {"password",
                          "PASSWORD",
                          "db_password",
                          "PGPASSWORD",
                          "sslpassword",
                          "passwd",
                          "pwd",
                          "db.pwd",
                          "secret",
                          "client_secret",
                          "token",
                          "access_token",
                          "refresh_token",
                          "session_token",
                          "sessionToken",
                          "api_key",
                          "apiKey",
                          "apikey",
                          "x-api-key",
                          "X-API-KEY",
                          "access_key",
                          "AWS_ACCESS_KEY_ID",
                          "secret_access_key",
                          "tier2.s3.secret_access_key",
                          "private_key",
                          "privateKey",
                          "credential",
                          "credentials",
                          "Authorization",
                          "proxy-authorization",
                          "cookie",
                          "Set-Cookie",
                          "encryption_key",
                          "repo.encryption_key",
                          "passphrase",
                          "X-Amz-Security-Token",
                          "--s3-secret-key"}) {
    EXPECT_TRUE(IsSecretKey(key)) << key;
  }
}

TEST(IsSecretKeyTest, OrdinaryNames) {
  for (const char* key : {"key_file",
                          "keepalive",
                          "tls.key_file",
                          "tls.private_key_file",
                          "password_file",
                          "passfile",
                          "secret_name",
                          "secretName",
                          "token_count",
                          "cluster_name",
                          "bytes",
                          "key",
                          "keys",
                          "monkey",
                          "host",
                          "user",
                          "username",
                          "sslkey",
                          "sslmode",
                          "request_id",
                          "segment",
                          "author",
                          "description",
                          "passive",
                          "compass",
                          "bypass_cache",
                          "",
                          "...",
                          "error",
                          "msg"}) {
    EXPECT_FALSE(IsSecretKey(key)) << key;
  }
}

TEST(IsSecretKeyTest, LongKeysAreJudgedByTheirEnd) {
  EXPECT_TRUE(IsSecretKey(std::string(500, 'x') + ".password"));
  EXPECT_FALSE(IsSecretKey(std::string(500, 'x')));
}

struct Case {
  const char* name;
  std::string input;
  std::string expected;
};

// Realistic text that reaches logs: libpq errors, S3 and NATS URLs, HTTP headers, config
// dumps. Each input either comes out exactly as expected or, where the rules over-redact,
// is listed in LeakCorpus below with only the secret checked.
std::vector<Case> Corpus() {
  return {
      {"libpq auth failure has no secret",
       "connection to server at \"db.internal\" (10.0.0.5), port 5432 failed: FATAL:  password "
       "authentication failed for user \"replicator\"",
       "connection to server at \"db.internal\" (10.0.0.5), port 5432 failed: FATAL:  password "
       "authentication failed for user \"replicator\""},
      {"libpq conninfo bare password",
       "could not connect with \"host=db.internal port=5432 user=replicator password=s3cr3t-Pa55 "
       "dbname=postgres sslmode=verify-full\"",
       "could not connect with \"host=db.internal port=5432 user=replicator password=[REDACTED] "
       "dbname=postgres sslmode=verify-full\""},
      {"libpq conninfo quoted password with spaces and escaped quotes",
       R"(host=db user=klio password='pa ss \'quoted\' wo\\rd' dbname=app)",
       "host=db user=klio password=[REDACTED] dbname=app"},
      {"libpq conninfo blanks around =", "password = hunter2 host=db",
       "password = [REDACTED] host=db"},
      {"libpq conninfo unterminated quote", "host=db password='abc def",
       "host=db password=[REDACTED]"},
      {"libpq missing = has no secret",
       "missing \"=\" after \"password\" in connection info string",
       "missing \"=\" after \"password\" in connection info string"},
      {"postgresql URI with password",
       "streaming from postgresql://replicator:Tr0ub4dor&3@db.example.com:5432/postgres"
       "?sslmode=require&application_name=klio",
       "streaming from postgresql://replicator:[REDACTED]@db.example.com:5432/postgres"
       "?sslmode=require&application_name=klio"},
      {"postgres URI without password", "postgres://klio@db/app?sslmode=disable",
       "postgres://klio@db/app?sslmode=disable"},
      {"postgres URI password query parameter", "postgres://db/app?user=klio&password=hunter2",
       "postgres://db/app?user=klio&password=REDACTED"},
      {"nats URL with user and password", "connect nats://svc:n4tsP4ss@nats-0.nats:4222 failed",
       "connect nats://svc:[REDACTED]@nats-0.nats:4222 failed"},
      {"nats URL with a token", "nats://s3cr3tT0k3n@nats:4222", "nats://[REDACTED]@nats:4222"},
      {"https URL with basic auth", "PUT https://admin:hunter2@minio.local:9000/bucket/x: 503",
       "PUT https://admin:[REDACTED]@minio.local:9000/bucket/x: 503"},
      {"S3 presigned URL (SigV4)",
       "GET https://klio-backups.s3.eu-west-1.amazonaws.com/wal/000000010000000000000003"
       "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20261122%2F"
       "eu-west-1%2Fs3%2Faws4_request&X-Amz-Date=20261122T101530Z&X-Amz-Expires=900"
       "&X-Amz-SignedHeaders=host&X-Amz-Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855"
       "ddc963176630326f1024 failed: 403",
       "GET https://klio-backups.s3.eu-west-1.amazonaws.com/wal/000000010000000000000003"
       "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=REDACTED&X-Amz-Date=20261122T101530Z"
       "&X-Amz-Expires=900&X-Amz-SignedHeaders=host&X-Amz-Signature=REDACTED failed: 403"},
      {"S3 presigned URL with a session token",
       "https://b.s3.amazonaws.com/k?X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr%2F%2F%2Fwait"
       "&X-Amz-Signature=abcd#frag",
       "https://b.s3.amazonaws.com/k?X-Amz-Security-Token=REDACTED&X-Amz-Signature=REDACTED"
       "#frag"},
      {"S3 presigned URL (SigV2)",
       "\"https://b.s3.amazonaws.com/k?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Expires=1700000000"
       "&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D\"",
       "\"https://b.s3.amazonaws.com/k?AWSAccessKeyId=REDACTED&Expires=1700000000"
       "&Signature=REDACTED\""},
      {"SAS-style sig parameter", "https://acct.blob.example/c/b?sv=2022-11-02&sig=abc%2Fdef&se=x",
       "https://acct.blob.example/c/b?sv=2022-11-02&sig=REDACTED&se=x"},
      {"webhook token parameter", "POST https://hooks.example.com/v1/notify?token=abc123&user=me",
       "POST https://hooks.example.com/v1/notify?token=REDACTED&user=me"},
      {"YAML config dump",
       "tier2:\n  s3:\n    bucket: klio\n    access_key_id: AKIAIOSFODNN7EXAMPLE\n"
       "    secret_access_key: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n    region: eu-west-1\n",
       "tier2:\n  s3:\n    bucket: klio\n    access_key_id: [REDACTED]\n"
       "    secret_access_key: [REDACTED]\n    region: eu-west-1\n"},
      {"YAML quoted secret", "encryption_key: \"base64:AAAA BBBB\"",
       "encryption_key: \"[REDACTED]\""},
      {"JSON document", R"({"user":"klio","password":"p@ss\"word","host":"db"})",
       R"({"user":"klio","password":"[REDACTED]","host":"db"})"},
      {"bearer header",
       "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
       "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
       "Authorization: Bearer [REDACTED]"},
      {"basic header",
       "authorization: Basic dXNlcjpwYXNzd29yZA==", "authorization: Basic [REDACTED]"},
      {"curl command line", "curl -H 'Authorization: Bearer abc.def.ghi' https://x/y",
       "curl -H 'Authorization: Bearer [REDACTED]' https://x/y"},
      {"SigV4 authorization header",
       "Authorization: AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20261122/eu-west-1/s3/"
       "aws4_request, SignedHeaders=host;range;x-amz-date, Signature=fe5f80f77d5fa3beca038a248"
       "ff027d0445342fe2855ddc963176630326f1024",
       "Authorization: AWS4-HMAC-SHA256 [REDACTED], SignedHeaders=host;range;x-amz-date, "
       "Signature=[REDACTED]"},
      {"bare bearer token", "upstream rejected bearer abc-123_def.ghi~/+= (expired)",
       "upstream rejected bearer [REDACTED] (expired)"},
      {"PEM private key",
       "tls: loading key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcw"
       "ggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n",
       "tls: loading key: -----BEGIN PRIVATE KEY-----[REDACTED]-----END PRIVATE KEY-----\n"},
      {"PEM RSA key in escaped JSON",
       R"(pem="-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----")",
       R"(pem="-----BEGIN RSA PRIVATE KEY-----[REDACTED]-----END RSA PRIVATE KEY-----")"},
      {"PEM without END", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEI",
       "-----BEGIN EC PRIVATE KEY-----[REDACTED]"},
      {"PEM certificate is public",
       "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----",
       "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----"},
      {"environment assignment", "PGPASSWORD=hunter2 pg_receivewal -D /wal",
       "PGPASSWORD=[REDACTED] pg_receivewal -D /wal"},
      {"command line flag", "exec: klio send-wal --s3-secret-key=abc123 --bucket=b",
       "exec: klio send-wal --s3-secret-key=[REDACTED] --bucket=b"},
      {"api key pair", "api_key=sk_live_1234567890 region=eu", "api_key=[REDACTED] region=eu"},
      {"x-api-key header", "x-api-key: 0123456789abcdef", "x-api-key: [REDACTED]"},
      {"OTLP headers variable", "OTEL_EXPORTER_OTLP_HEADERS=api-key=abc123,x-tenant=t1",
       "OTEL_EXPORTER_OTLP_HEADERS=api-key=[REDACTED]"},
      {"cookie header", "Set-Cookie: session=abc123; Path=/; HttpOnly",
       "Set-Cookie: [REDACTED] Path=/; HttpOnly"},
      {"JWT in free text",
       "refresh with eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrbGlvIn0.c2lnbmF0dXJl done",
       "refresh with [REDACTED] done"},
      {"AWS access key id in an S3 error",
       "s3: 403 InvalidAccessKeyId (AKIAIOSFODNN7EXAMPLE) bucket=klio",
       "s3: 403 InvalidAccessKeyId ([REDACTED]) bucket=klio"},
      {"JWT right after a redacted value", "token=eyJ eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln",
       "token=[REDACTED] [REDACTED]"},
      {"JWT at the start", "eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln", "[REDACTED]"},
      {"already redacted text is stable",
       "password=[REDACTED] postgres://u:[REDACTED]@h Authorization: Bearer [REDACTED]",
       "password=[REDACTED] postgres://u:[REDACTED]@h Authorization: Bearer [REDACTED]"},
  };
}

TEST(RedactSecretsTest, Corpus) {
  const std::vector<Case> corpus = Corpus();
  ASSERT_GE(corpus.size(), 25u);
  for (const Case& c : corpus) {
    EXPECT_EQ(RedactSecrets(c.input), c.expected) << c.name;
    EXPECT_EQ(RedactSecrets(c.expected), c.expected) << "not idempotent: " << c.name;
    std::string out = "untouched";
    const bool changed = RedactSecretsTo(c.input, &out);
    EXPECT_EQ(changed, c.input != c.expected) << c.name;
    EXPECT_EQ(out, changed ? c.expected : "untouched") << c.name;
  }
}

// Cases where the rules hide more than the secret; only the absence of the secret matters.
TEST(RedactSecretsTest, OverRedactionNeverLeaks) {
  struct Leak {
    std::string input;
    std::string secret;
  };
  const std::vector<Leak> leaks = {
      {"dsn \"host=h password=pw1234\" rejected", "pw1234"},
      {"InvalidAccessKeyId: The AWS Access Key Id AKIAIOSFODNN7EXAMPLE does not exist",
       "AKIAIOSFODNN7EXAMPLE"},
      {"{secret_access_key: abc/def, region: x}", "abc/def"},
      {"password=a,b&c=d e", "a,b&c=d"},
      {"{\\\"password\\\":\\\"nested\\\"}", "nested"},
      {"token:abc", "abc"},
  };
  for (const Leak& l : leaks) {
    const std::string out = RedactSecrets(l.input);
    EXPECT_THAT(out, Not(HasSubstr(l.secret))) << l.input;
    EXPECT_THAT(out, HasSubstr("[REDACTED]")) << l.input;
  }
}

TEST(RedactSecretsTest, CleanLinesAreLeftAlone) {
  for (const char* text :
       {"wal segment 000000010000000A000000FE archived to tier1 (16777216 bytes)",
        "backup 2026-11-22T10:15:30Z finished: 3 files, 1.2 GiB",
        "token refresh failed: upstream returned 401",
        "keepalive=30s key_file=/etc/klio/tls.key sslkey=/etc/klio/client.key",
        "password authentication failed for user \"replicator\"",
        "listening on https://0.0.0.0:8443/metrics", "-----", "a=b:c=d", "", "=", ":", "://", "e",
        "A", "B"}) {
    std::string out = "untouched";
    EXPECT_FALSE(RedactSecretsTo(text, &out)) << text;
    EXPECT_EQ(out, "untouched");
    EXPECT_EQ(RedactSecrets(text), text);
  }
}

TEST(RedactSecretsTest, SurvivesArbitraryBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  const std::string inputs[] = {
      all,      all + "password=" + all, "password='\\", "password=\"\\", "https://:@",
      "Bearer", "Authorization: Basic",  "eyJ",          "-----BEGIN ",   "-----BEGIN PRIVATE KEY",
      "AKIA"};
  for (const std::string& in : inputs) {
    const std::string out = RedactSecrets(in);
    EXPECT_LE(out.size(), in.size() + 64);
  }
}

// Random texts made of the pieces the rules look for, in every order; the sanitizers and the
// scanner's own assertions do the checking. Seeded, so a failure reproduces.
TEST(RedactSecretsTest, RandomPiecesNeverBreakTheScanner) {
  const std::vector<std::string> pieces = {"password=",
                                           "password = ",
                                           "token: ",
                                           "'",
                                           "\"",
                                           "\\",
                                           "://",
                                           "@",
                                           ":",
                                           "eyJ",
                                           "eyJhbGciOiJ",
                                           ".",
                                           "Bearer ",
                                           "Authorization: ",
                                           "Basic ",
                                           "-----BEGIN PRIVATE KEY-----",
                                           "-----END ",
                                           "AKIA",
                                           "AKIAIOSFODNN7EXAMPLE",
                                           "&token=",
                                           "?sig=",
                                           " ",
                                           "x",
                                           "\n",
                                           "[REDACTED]",
                                           "nats",
                                           "=",
                                           "-",
                                           "J",
                                           "B",
                                           "A",
                                           "e"};
  std::mt19937 rng(20261122);
  std::uniform_int_distribution<size_t> pick(0, pieces.size() - 1);
  std::uniform_int_distribution<int> count(0, 24);
  for (int round = 0; round < 20000; ++round) {
    std::string text;
    for (int n = count(rng); n > 0; --n) text += pieces[pick(rng)];
    const std::string once = RedactSecrets(text);
    EXPECT_LE(once.size(), text.size() * 11 + 16) << text;
    EXPECT_THAT(once, Not(HasSubstr("AKIAIOSFODNN7EXAMPLE"))) << text;
  }
}

}  // namespace
}  // namespace klio::log
