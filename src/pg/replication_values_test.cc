#include "pg/replication_values.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace klio::pg {
namespace {

using ::testing::HasSubstr;

TEST(SlotNameTest, AcceptsPostgresSlotNames) {
  for (std::string_view ok : {"klio", "a", "slot_1", "0", "a_b_c_9"}) {
    EXPECT_TRUE(ValidateSlotName(ok).ok()) << ok;
  }
  EXPECT_TRUE(ValidateSlotName(std::string(63, 'x')).ok());
}

TEST(SlotNameTest, RejectsAnythingElse) {
  const std::string_view kBad[] = {"",          "Klio",      "klio-1",
                                   "klio slot", "klio;DROP", "kl\"io",
                                   "klio\n",    "\xC3\x9F",  std::string_view("kl\0io", 5)};
  for (std::string_view bad : kBad) {
    Status s = ValidateSlotName(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(s.message(), HasSubstr("replication slot name"));
  }
  EXPECT_THAT(ValidateSlotName(std::string(64, 'x')).message(), HasSubstr("longer than 63"));
  EXPECT_THAT(ValidateSlotName("").message(), HasSubstr("empty"));
}

TEST(WalSegmentSizeTest, ParsesPostgresDisplay) {
  EXPECT_EQ(ParseWalSegmentSize("16MB").value(), 16u << 20);
  EXPECT_EQ(ParseWalSegmentSize("1MB").value(), 1u << 20);
  EXPECT_EQ(ParseWalSegmentSize("1GB").value(), 1u << 30);
  EXPECT_EQ(ParseWalSegmentSize("1024kB").value(), 1u << 20);
  EXPECT_EQ(ParseWalSegmentSize("2048KB").value(), 2u << 20);
  EXPECT_EQ(ParseWalSegmentSize("16777216").value(), 16u << 20);
  EXPECT_EQ(ParseWalSegmentSize("67108864B").value(), 64u << 20);
}

TEST(WalSegmentSizeTest, RejectsInvalidSizes) {
  for (std::string_view bad :
       {"", "MB", "16", "16 MB", "16mb", "-16MB", "16MiB", "3MB", "2GB", "512kB", "1TB",
        "99999999999999999999999MB", "18446744073709551615TB", " 16MB", "16MB "}) {
    auto r = ParseWalSegmentSize(bad);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
    if (!r.ok()) {
      EXPECT_THAT(r.status().message(), HasSubstr("wal_segment_size")) << bad;
    }
  }
  EXPECT_THAT(ParseWalSegmentSize("3MB").status().message(),
              HasSubstr("3145728 bytes is not a valid segment size"));
}

TEST(SystemIdTest, ParsesUnsigned64) {
  EXPECT_EQ(ParseSystemId("7391234567890123456").value(), 7391234567890123456u);
  EXPECT_EQ(ParseSystemId("18446744073709551615").value(), UINT64_MAX);
  EXPECT_EQ(ParseSystemId("0").value(), 0u);
  for (std::string_view bad : {"", "18446744073709551616", "-1", "12a", " 1", "0x10"}) {
    EXPECT_EQ(ParseSystemId(bad).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace klio::pg
