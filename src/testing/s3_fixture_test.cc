// Smoke tests of the S3 peer (s3_fixture.h) with an independent client: libcurl's own SigV4
// signer (CURLOPT_AWS_SIGV4). They pin what the front promises: signed requests reach s3rver
// and round-trip bytes; a wrong secret, payload hash or Content-MD5 is refused like S3 does;
// injected faults are seen by the client and do not outlive their count.
#include "testing/s3_fixture.h"

#include <curl/curl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <stdlib.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <string>

namespace klio::testing {
namespace {

using ::testing::HasSubstr;

std::string Digest(const EVP_MD* md, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string Hex(const std::string& bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string Base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::string Sha256Hex(const std::string& data) { return Hex(Digest(EVP_sha256(), data)); }

std::string RandomBytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}

struct S3Response {
  CURLcode rc = CURLE_OK;
  long status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lowercase names
};

struct S3Request {
  std::string method = "GET";
  // Path and query after the endpoint: "/bucket/key?a=b". curl 7.88 signs the query string
  // as written, so it must already be in canonical form (sorted, RFC 3986-encoded).
  std::string target;
  std::string body;
  std::vector<std::string> headers;
  std::string access_key;    // empty = the server's access key
  std::string secret;        // empty = the server's secret
  std::string payload_hash;  // empty = SHA-256 of body; "omit" = no x-amz-content-sha256
  long timeout_ms = 30000;
};

size_t CollectBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t CollectHeader(char* data, size_t size, size_t n, void* user) {
  std::string line(data, size * n);
  auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(' '));
    value.erase(value.find_last_not_of("\r\n ") + 1);
    (*static_cast<std::map<std::string, std::string>*>(user))[name] = value;
  }
  return size * n;
}

struct UploadState {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadUpload(char* out, size_t size, size_t n, void* user) {
  auto* st = static_cast<UploadState*>(user);
  size_t k = std::min(size * n, st->data->size() - st->offset);
  std::memcpy(out, st->data->data() + st->offset, k);
  st->offset += k;
  return k;
}

// Sends one request signed by libcurl (SigV4, service s3) to the S3 front.
S3Response Send(const S3Server& s3, const S3Request& r) {
  S3Response out;
  CURL* c = curl_easy_init();
  std::string url = s3.endpoint() + r.target;
  std::string sigv4 = "aws:amz:" + s3.region() + ":s3";
  std::string userpwd = (r.access_key.empty() ? s3.access_key() : r.access_key) + ":" +
                        (r.secret.empty() ? s3.secret_key() : r.secret);
  curl_slist* headers = nullptr;
  // curl does not add x-amz-content-sha256 itself; it signs the value given here.
  std::string hash =
      "x-amz-content-sha256: " + (r.payload_hash.empty() ? Sha256Hex(r.body) : r.payload_hash);
  if (r.payload_hash != "omit") headers = curl_slist_append(headers, hash.c_str());
  for (const auto& h : r.headers) headers = curl_slist_append(headers, h.c_str());
  UploadState upload{&r.body};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(c, CURLOPT_USERPWD, userpwd.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, r.timeout_ms);
  if (r.method == "PUT") {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, &ReadUpload);
    curl_easy_setopt(c, CURLOPT_READDATA, &upload);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  } else if (r.method == "HEAD") {
    curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  } else if (r.method != "GET") {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  }
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &CollectBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &out.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &CollectHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &out.headers);
  out.rc = curl_easy_perform(c);
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(c);
  return out;
}

class S3FixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = S3Server::Start();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    s3_ = std::move(s).value();
  }

  S3Response Put(const std::string& key, const std::string& body) {
    return Send(*s3_, {.method = "PUT", .target = "/" + s3_->bucket() + "/" + key, .body = body});
  }
  S3Response Get(const std::string& key) {
    return Send(*s3_, {.method = "GET", .target = "/" + s3_->bucket() + "/" + key});
  }

  std::unique_ptr<S3Server> s3_;
};

TEST_F(S3FixtureTest, PutThenGetRoundTripsBytes) {
  std::string data = RandomBytes(300 * 1024 + 7, 42);
  S3Response put = Put("dir/obj%201.bin", data);
  ASSERT_EQ(put.rc, CURLE_OK);
  EXPECT_EQ(put.status, 200) << put.body;
  S3Response got = Get("dir/obj%201.bin");
  ASSERT_EQ(got.rc, CURLE_OK);
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_TRUE(got.body == data) << "got " << got.body.size() << " bytes, want " << data.size();
  S3Response head =
      Send(*s3_, {.method = "HEAD", .target = "/" + s3_->bucket() + "/dir/obj%201.bin"});
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers["content-length"], std::to_string(data.size()));
  EXPECT_EQ(Get("dir/missing").status, 404);
  S3Response del =
      Send(*s3_, {.method = "DELETE", .target = "/" + s3_->bucket() + "/dir/obj%201.bin"});
  EXPECT_EQ(del.status, 204);
  EXPECT_EQ(Get("dir/obj%201.bin").status, 404);
}

TEST_F(S3FixtureTest, WrongSecretIsSignatureDoesNotMatch) {
  S3Response r = Send(*s3_, {.method = "PUT",
                             .target = "/" + s3_->bucket() + "/k",
                             .body = "x",
                             .secret = "not-the-secret"});
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("<Code>SignatureDoesNotMatch</Code>"));
  // Like S3, the error shows the canonical request the server computed.
  EXPECT_THAT(r.body, HasSubstr("<CanonicalRequest>PUT\n/" + s3_->bucket() + "/k\n"));
  EXPECT_EQ(Get("k").status, 404) << "a refused PUT must not reach the store";
}

TEST_F(S3FixtureTest, UnknownAccessKeyIsRefused) {
  S3Response r = Send(*s3_, {.target = "/" + s3_->bucket() + "/k", .access_key = "OTHERKEY"});
  EXPECT_EQ(r.status, 403);
  EXPECT_THAT(r.body, HasSubstr("<Code>InvalidAccessKeyId</Code>"));
}

TEST_F(S3FixtureTest, WrongPayloadHashIsRefused) {
  S3Response r = Send(*s3_, {.method = "PUT",
                             .target = "/" + s3_->bucket() + "/k",
                             .body = "the body",
                             .payload_hash = Sha256Hex("another body")});
  EXPECT_EQ(r.status, 400);
  EXPECT_THAT(r.body, HasSubstr("<Code>XAmzContentSHA256Mismatch</Code>"));
  EXPECT_EQ(Get("k").status, 404);
}

TEST_F(S3FixtureTest, MissingPayloadHashIsRefused) {
  S3Response r = Send(*s3_, {.target = "/" + s3_->bucket() + "/k", .payload_hash = "omit"});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_THAT(r.body, HasSubstr("x-amz-content-sha256"));
}

TEST_F(S3FixtureTest, ContentMd5IsChecked) {
  std::string body = "checked body";
  S3Response bad = Send(*s3_, {.method = "PUT",
                               .target = "/" + s3_->bucket() + "/md5",
                               .body = body,
                               .headers = {"Content-MD5: " + Base64(Digest(EVP_md5(), "x"))}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, HasSubstr("<Code>BadDigest</Code>"));
  S3Response good = Send(*s3_, {.method = "PUT",
                                .target = "/" + s3_->bucket() + "/md5",
                                .body = body,
                                .headers = {"Content-MD5: " + Base64(Digest(EVP_md5(), body))}});
  EXPECT_EQ(good.status, 200) << good.body;
  EXPECT_EQ(Get("md5").body, body);
}

TEST_F(S3FixtureTest, UnsignedPayloadIsAccepted) {
  S3Response r = Send(*s3_, {.method = "PUT",
                             .target = "/" + s3_->bucket() + "/unsigned",
                             .body = "abc",
                             .payload_hash = "UNSIGNED-PAYLOAD"});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST_F(S3FixtureTest, InjectedStatusAndThrottleAreSeenOnceThenRequestsSucceed) {
  ASSERT_EQ(Put("obj", "payload").status, 200);
  ASSERT_TRUE(s3_->InjectFault({{"kind", "status"}, {"status", 503}, {"method", "GET"}}).ok());
  S3Response first = Get("obj");
  EXPECT_EQ(first.status, 503);
  EXPECT_THAT(first.body, HasSubstr("<Code>ServiceUnavailable</Code>"));
  S3Response second = Get("obj");
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(second.body, "payload");

  ASSERT_TRUE(s3_->InjectFault({{"kind", "throttle"}, {"retry_after_s", 2}}).ok());
  S3Response slow = Get("obj");
  EXPECT_EQ(slow.status, 503);
  EXPECT_THAT(slow.body, HasSubstr("<Code>SlowDown</Code>"));
  EXPECT_EQ(slow.headers["retry-after"], "2");
  EXPECT_EQ(Get("obj").status, 200);

  // path_regex limits a fault to matching keys; count -1 keeps it until cleared.
  ASSERT_TRUE(
      s3_->InjectFault(
             {{"kind", "status"}, {"status", 500}, {"path_regex", "/other$"}, {"count", -1}})
          .ok());
  EXPECT_EQ(Get("obj").status, 200);
  EXPECT_EQ(Get("other").status, 500);
  EXPECT_EQ(Get("other").status, 500);
  ASSERT_TRUE(s3_->ClearFaults().ok());
  EXPECT_EQ(Get("other").status, 404);
}

TEST_F(S3FixtureTest, DroppedConnectionsAreSeenThenRequestsSucceed) {
  std::string data = RandomBytes(64 * 1024, 7);
  ASSERT_EQ(Put("obj", data).status, 200);
  ASSERT_TRUE(s3_->InjectFault({{"kind", "drop"}}).ok());
  S3Response before = Get("obj");
  EXPECT_EQ(before.rc, CURLE_GOT_NOTHING) << curl_easy_strerror(before.rc);
  ASSERT_TRUE(s3_->InjectFault({{"kind", "drop"}, {"when", "mid"}}).ok());
  S3Response mid = Get("obj");
  EXPECT_EQ(mid.rc, CURLE_PARTIAL_FILE) << curl_easy_strerror(mid.rc);
  EXPECT_LT(mid.body.size(), data.size());
  S3Response after = Get("obj");
  ASSERT_EQ(after.rc, CURLE_OK);
  EXPECT_TRUE(after.body == data);

  std::vector<nlohmann::json> log = s3_->Requests();
  ASSERT_EQ(log.size(), 4u);
  EXPECT_EQ(log[1]["fault"], "drop");
  EXPECT_EQ(log[1]["status"], 0);
  EXPECT_EQ(log[1]["dropped"], true);
  EXPECT_EQ(log[2]["dropped"], true);
  EXPECT_EQ(log[3]["method"], "GET");
  EXPECT_EQ(log[3]["path"], "/" + s3_->bucket() + "/obj");
  EXPECT_EQ(log[3]["status"], 200);
  ASSERT_TRUE(s3_->ClearRequests().ok());
  EXPECT_TRUE(s3_->Requests().empty());
}

TEST_F(S3FixtureTest, StallDelaysTheAnswer) {
  ASSERT_TRUE(s3_->InjectFault({{"kind", "stall"}, {"stall_ms", 1500}}).ok());
  S3Response r = Send(*s3_, {.target = "/" + s3_->bucket() + "/x", .timeout_ms = 300});
  EXPECT_EQ(r.rc, CURLE_OPERATION_TIMEDOUT);
}

TEST_F(S3FixtureTest, ListObjectsV2WithPrefixAndContinuation) {
  for (const char* key : {"a/1", "a/2", "a/3", "b/1"}) ASSERT_EQ(Put(key, key).status, 200);
  S3Response all = Send(*s3_, {.target = "/" + s3_->bucket() + "?list-type=2&prefix=a%2F"});
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_THAT(all.body, HasSubstr("<KeyCount>3</KeyCount>"));
  EXPECT_THAT(all.body, HasSubstr("<Key>a/1</Key>"));
  EXPECT_THAT(all.body, HasSubstr("<Key>a/3</Key>"));
  EXPECT_THAT(all.body, ::testing::Not(HasSubstr("<Key>b/1</Key>")));

  // Page by two: continuation tokens need s3rver's DES cipher (the legacy OpenSSL provider).
  S3Response page1 =
      Send(*s3_, {.target = "/" + s3_->bucket() + "?list-type=2&max-keys=2&prefix=a%2F"});
  ASSERT_EQ(page1.status, 200) << page1.body;
  EXPECT_THAT(page1.body, HasSubstr("<IsTruncated>true</IsTruncated>"));
  auto start = page1.body.find("<NextContinuationToken>");
  auto end = page1.body.find("</NextContinuationToken>");
  ASSERT_NE(start, std::string::npos) << page1.body;
  std::string token = page1.body.substr(start + 23, end - start - 23);
  char* escaped = curl_easy_escape(nullptr, token.c_str(), static_cast<int>(token.size()));
  std::string token_q = escaped;
  curl_free(escaped);
  S3Response page2 = Send(*s3_, {.target = "/" + s3_->bucket() + "?continuation-token=" + token_q +
                                           "&list-type=2&max-keys=2&prefix=a%2F"});
  ASSERT_EQ(page2.status, 200) << page2.body;
  EXPECT_THAT(page2.body, HasSubstr("<Key>a/3</Key>"));
  EXPECT_THAT(page2.body, HasSubstr("<IsTruncated>false</IsTruncated>"));
}

TEST_F(S3FixtureTest, AnonymousRequestsAreRefused) {
  auto r = HttpCall("GET", s3_->endpoint() + "/" + s3_->bucket() + "/x");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->status, 403);
  EXPECT_THAT(r->body, HasSubstr("<Code>AccessDenied</Code>"));
}

TEST(S3FixtureSetupTest, MissingNodeModulesIsAClearError) {
  const char* old = std::getenv("KLIO_SOURCE_DIR");
  std::string saved = old ? old : "";
  TempDir empty("klio-nosrc");
  ::setenv("KLIO_SOURCE_DIR", empty.path().c_str(), 1);
  auto s = S3Server::Start();
  if (old) {
    ::setenv("KLIO_SOURCE_DIR", saved.c_str(), 1);
  } else {
    ::unsetenv("KLIO_SOURCE_DIR");
  }
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(s.status().message(), HasSubstr("scripts/install-deps.sh"));
}

}  // namespace
}  // namespace klio::testing
