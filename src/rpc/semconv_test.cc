#include "rpc/semconv.h"

#include <gtest/gtest.h>

#include <set>

#include "env/random.h"

namespace klio::rpc {
namespace {

TEST(GrpcStatusNameTest, NamesEveryCode) {
  EXPECT_EQ(GrpcStatusName(0), "OK");
  EXPECT_EQ(GrpcStatusName(1), "CANCELLED");
  EXPECT_EQ(GrpcStatusName(4), "DEADLINE_EXCEEDED");
  EXPECT_EQ(GrpcStatusName(5), "NOT_FOUND");
  EXPECT_EQ(GrpcStatusName(13), "INTERNAL");
  EXPECT_EQ(GrpcStatusName(16), "UNAUTHENTICATED");
  EXPECT_EQ(GrpcStatusName(17), "_OTHER");
  EXPECT_EQ(GrpcStatusName(-1), "_OTHER");
}

TEST(StatusErrorTest, ServerCountsOnlyServerFaults) {
  std::set<int> server_errors;
  for (int code = 0; code <= 16; ++code) {
    if (IsServerError(code)) server_errors.insert(code);
    EXPECT_EQ(IsClientError(code), code != 0) << code;
  }
  // UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS.
  EXPECT_EQ(server_errors, (std::set<int>{2, 4, 12, 13, 14, 15}));
  EXPECT_TRUE(IsServerError(99));
}

TEST(ParseMethodPathTest, AcceptsPackageServiceMethod) {
  EXPECT_EQ(ParseMethodPath("/klio.wal.v1.Wal/Put"), "klio.wal.v1.Wal/Put");
  EXPECT_EQ(ParseMethodPath("/Svc/M"), "Svc/M");
  EXPECT_EQ(ParseMethodPath("/a_b.C/D_1"), "a_b.C/D_1");
}

TEST(ParseMethodPathTest, RejectsEverythingElse) {
  for (const char* bad : {"", "/", "//", "klio.Wal/Put", "/klio.Wal", "/klio.Wal/", "//Put",
                          "/a/b/c", "/a b/c", "/a/b\n", "unknown", "/a/\xc3\xa9"}) {
    EXPECT_FALSE(ParseMethodPath(bad).has_value()) << bad;
  }
}

TEST(ParsePeerTest, Ipv4Ipv6AndUnix) {
  EXPECT_EQ(ParsePeer("ipv4:127.0.0.1:50051"), (HostPort{"127.0.0.1", 50051}));
  EXPECT_EQ(ParsePeer("ipv6:[::1]:443"), (HostPort{"::1", 443}));
  EXPECT_EQ(ParsePeer("ipv6:%5B::1%5D:443"), (HostPort{"::1", 443}));
  EXPECT_EQ(ParsePeer("ipv6:%5bfe80::1%5d:1"), (HostPort{"fe80::1", 1}));
  EXPECT_EQ(ParsePeer("unix:/run/klio.sock"), (HostPort{"/run/klio.sock", 0}));
}

TEST(ParsePeerTest, RejectsMalformed) {
  for (const char* bad :
       {"", "ipv4:", "ipv4:1.2.3.4", "ipv4:1.2.3.4:0", "ipv4:1.2.3.4:65536", "ipv4:1.2.3.4:x",
        "ipv6:::1", "ipv6:[::1", "ipv6:[]:1", "unix:", "tcp:1.2.3.4:5"}) {
    EXPECT_FALSE(ParsePeer(bad).has_value()) << bad;
  }
}

TEST(ParseTargetTest, TheFormsGrpcAccepts) {
  EXPECT_EQ(ParseTarget("wal.example:5432"), (HostPort{"wal.example", 5432}));
  EXPECT_EQ(ParseTarget("wal.example"), (HostPort{"wal.example", 0}));
  EXPECT_EQ(ParseTarget("127.0.0.1:1"), (HostPort{"127.0.0.1", 1}));
  EXPECT_EQ(ParseTarget("[::1]:7"), (HostPort{"::1", 7}));
  EXPECT_EQ(ParseTarget("dns:///wal.example:5432"), (HostPort{"wal.example", 5432}));
  EXPECT_EQ(ParseTarget("dns://8.8.8.8/wal.example:5432"), (HostPort{"wal.example", 5432}));
  EXPECT_EQ(ParseTarget("dns:wal.example:5432"), (HostPort{"wal.example", 5432}));
  EXPECT_EQ(ParseTarget("ipv4:10.0.0.1:80,10.0.0.2:80"), (HostPort{"10.0.0.1", 80}));
  EXPECT_EQ(ParseTarget("ipv6:[::1]:9"), (HostPort{"::1", 9}));
  EXPECT_EQ(ParseTarget("unix:/run/klio.sock"), (HostPort{"/run/klio.sock", 0}));
  EXPECT_EQ(ParseTarget("unix:///run/klio.sock"), (HostPort{"/run/klio.sock", 0}));
  EXPECT_EQ(ParseTarget("unix:relative.sock"), (HostPort{"relative.sock", 0}));
}

TEST(ParseTargetTest, RejectsMalformed) {
  for (const char* bad : {"", "unix:", "dns://nohost", "host:99999", ":80", "[::1"}) {
    EXPECT_FALSE(ParseTarget(bad).has_value()) << bad;
  }
}

TEST(ParseAuthorityTest, HostAndPort) {
  EXPECT_EQ(ParseAuthority("localhost:5000"), (HostPort{"localhost", 5000}));
  EXPECT_EQ(ParseAuthority("[::1]:5000"), (HostPort{"::1", 5000}));
  EXPECT_EQ(ParseAuthority("example.com"), (HostPort{"example.com", 0}));
  EXPECT_FALSE(ParseAuthority("").has_value());
}

TEST(RequestIdTest, ValidIds) {
  EXPECT_TRUE(IsValidRequestId("0123456789abcdef"));
  EXPECT_TRUE(IsValidRequestId("3f2b8c1e-7a4d-4f7e-9b1a-2c3d4e5f6a7b"));
  EXPECT_TRUE(IsValidRequestId("01HZY3V6Q6:job.42_a"));
  EXPECT_TRUE(IsValidRequestId(std::string(kMaxRequestIdSize, 'a')));
}

TEST(RequestIdTest, InvalidIdsAreReplaced) {
  EXPECT_FALSE(IsValidRequestId(""));
  EXPECT_FALSE(IsValidRequestId(std::string(kMaxRequestIdSize + 1, 'a')));
  EXPECT_FALSE(IsValidRequestId("a b"));
  EXPECT_FALSE(IsValidRequestId("id\"},\"level\":\"error"));  // log-line injection
  EXPECT_FALSE(IsValidRequestId("line\nbreak"));
  EXPECT_FALSE(IsValidRequestId("caf\xc3\xa9"));
}

TEST(RequestIdTest, NewIdsAre16HexDigits) {
  env::SeededRandom random(42);
  const std::string a = NewRequestId(random);
  const std::string b = NewRequestId(random);
  EXPECT_EQ(a.size(), 16u);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos) << a;
  EXPECT_NE(a, b);
  EXPECT_TRUE(IsValidRequestId(a));
  env::SeededRandom same(42);
  EXPECT_EQ(NewRequestId(same), a);  // deterministic under a seeded generator
}

}  // namespace
}  // namespace klio::rpc
