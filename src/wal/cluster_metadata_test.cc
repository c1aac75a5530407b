// cluster.json encoding (design doc §1).
#include "wal/cluster_metadata.h"

#include <gtest/gtest.h>

namespace klio::wal {
namespace {

ClusterMetadata Sample() {
  ClusterMetadata m;
  m.cluster = "main";
  m.system_id = 7391234567890123456ULL;
  m.segment_size = 16u << 20;
  m.created = "2024-05-01T12:00:00Z";
  m.gaps.push_back({Lsn(0x3000000), Lsn(0x9000000), "2024-05-02T00:00:00Z"});
  return m;
}

TEST(ClusterMetadataTest, RoundTripsAndMatchesTheDocumentedShape) {
  const ClusterMetadata m = Sample();
  const std::string json = EncodeClusterMetadata(m);
  EXPECT_EQ(json,
            "{\"format\":1,\"cluster\":\"main\",\"system_id\":\"7391234567890123456\","
            "\"segment_size\":16777216,\"created\":\"2024-05-01T12:00:00Z\",\"gaps\":[{\"start\":"
            "\"0/3000000\",\"end\":\"0/9000000\",\"time\":\"2024-05-02T00:00:00Z\"}]}\n");
  auto back = DecodeClusterMetadata(json, "cluster.json");
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, m);
}

TEST(ClusterMetadataTest, MalformedInputIsCorruption) {
  const std::string bad[] = {
      "",
      "[]",
      "{\"format\":2,\"cluster\":\"main\",\"system_id\":\"1\",\"segment_size\":16777216,"
      "\"created\":\"\",\"gaps\":[]}",
      "{\"format\":1,\"cluster\":\"Main\",\"system_id\":\"1\",\"segment_size\":16777216,"
      "\"created\":\"\",\"gaps\":[]}",
      "{\"format\":1,\"cluster\":\"main\",\"system_id\":1,\"segment_size\":16777216,"
      "\"created\":\"\",\"gaps\":[]}",
      "{\"format\":1,\"cluster\":\"main\",\"system_id\":\"0\",\"segment_size\":16777216,"
      "\"created\":\"\",\"gaps\":[]}",
      "{\"format\":1,\"cluster\":\"main\",\"system_id\":\"12x\",\"segment_size\":16777216,"
      "\"created\":\"\",\"gaps\":[]}",
      "{\"format\":1,\"cluster\":\"main\",\"system_id\":\"1\",\"segment_size\":1000,"
      "\"created\":\"\",\"gaps\":[]}",
      "{\"format\":1,\"cluster\":\"main\",\"system_id\":\"1\",\"segment_size\":16777216,"
      "\"created\":\"\"}",
      "{\"format\":1,\"cluster\":\"main\",\"system_id\":\"1\",\"segment_size\":16777216,"
      "\"created\":\"\",\"gaps\":[{\"start\":\"0/9\",\"end\":\"0/3\",\"time\":\"\"}]}",
      "{\"format\":1,\"cluster\":\"main\",\"system_id\":\"1\",\"segment_size\":16777216,"
      "\"created\":\"\",\"gaps\":[{\"start\":\"zz\",\"end\":\"0/3\",\"time\":\"\"}]}",
  };
  for (const std::string& json : bad) {
    auto m = DecodeClusterMetadata(json, "/a/cluster.json");
    ASSERT_FALSE(m.ok()) << json;
    EXPECT_EQ(m.status().code(), StatusCode::kCorruption) << json;
    EXPECT_NE(m.status().message().find("/a/cluster.json"), std::string::npos);
  }
}

TEST(ClusterMetadataTest, Validation) {
  EXPECT_TRUE(ValidateClusterMetadata(Sample()).ok());
  ClusterMetadata m = Sample();
  m.system_id = 0;
  EXPECT_EQ(ValidateClusterMetadata(m).code(), StatusCode::kInvalidArgument);
  m = Sample();
  m.segment_size = 3u << 20;
  EXPECT_FALSE(ValidateClusterMetadata(m).ok());
  m = Sample();
  m.cluster = "../x";
  EXPECT_FALSE(ValidateClusterMetadata(m).ok());
}

}  // namespace
}  // namespace klio::wal
