#include "base/timeline.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace klio {
namespace {

using ::testing::HasSubstr;

TEST(TimelineTest, Formats) {
  EXPECT_EQ(TimelineId(1).ToHex(), "00000001");
  EXPECT_EQ(TimelineId(26).ToHex(), "0000001A");
  EXPECT_EQ(TimelineId(0xFFFFFFFF).ToHex(), "FFFFFFFF");
  EXPECT_EQ(TimelineId(26).ToString(), "26");
  EXPECT_EQ(TimelineId(0xFFFFFFFF).ToString(), "4294967295");
  EXPECT_EQ(TimelineId::kInvalid.ToHex(), "00000000");
  EXPECT_FALSE(TimelineId().valid());
  EXPECT_TRUE(TimelineId(1).valid());
}

TEST(TimelineTest, RoundTripsBoundaryValues) {
  for (const uint32_t v : {1u, 2u, 9u, 10u, 15u, 16u, 255u, 256u, 0x7FFFFFFFu, 0x80000000u,
                           0xFFFFFFFEu, 0xFFFFFFFFu}) {
    const TimelineId tli(v);
    EXPECT_EQ(*TimelineId::ParseHex(tli.ToHex()), tli) << v;
    EXPECT_EQ(*TimelineId::ParseDecimal(tli.ToString()), tli) << v;
  }
}

TEST(TimelineTest, ParsesHex) {
  EXPECT_EQ(TimelineId::ParseHex("00000001")->value(), 1u);
  EXPECT_EQ(TimelineId::ParseHex("0000001A")->value(), 26u);
  EXPECT_EQ(TimelineId::ParseHex("FFFFFFFF")->value(), 0xFFFFFFFFu);
}

TEST(TimelineTest, RejectsMalformedHex) {
  struct Case {
    std::string text;
    std::string reason;
  };
  const Case cases[] = {
      {"", "got 0 characters"},
      {"1", "got 1 characters"},
      {"0000001", "got 7 characters"},
      {"000000001", "got 9 characters"},
      {"00000000", "timeline 0 is invalid"},
      {"0000001a", "uppercase hex"},
      {"0000001G", "uppercase hex"},
      {" 0000001", "uppercase hex"},
      {"+0000001", "uppercase hex"},
      {"0x000001", "uppercase hex"},
      {std::string("0000000\0", 8), "uppercase hex"},
  };
  for (const Case& c : cases) {
    const Result<TimelineId> r = TimelineId::ParseHex(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.reason)) << c.text;
    EXPECT_THAT(r.status().message(), HasSubstr("invalid timeline \"")) << c.text;
  }
  EXPECT_EQ(TimelineId::ParseHex(std::string("0000000\0", 8)).status().message(),
            "invalid timeline \"0000000\\x00\": want 8 uppercase hex digits");
}

TEST(TimelineTest, ParsesDecimal) {
  EXPECT_EQ(TimelineId::ParseDecimal("1")->value(), 1u);
  EXPECT_EQ(TimelineId::ParseDecimal("26")->value(), 26u);
  EXPECT_EQ(TimelineId::ParseDecimal("007")->value(), 7u);
  EXPECT_EQ(TimelineId::ParseDecimal("4294967295")->value(), 0xFFFFFFFFu);
  EXPECT_EQ(TimelineId::ParseDecimal("000000000000000000004294967295")->value(), 0xFFFFFFFFu);
}

TEST(TimelineTest, RejectsMalformedDecimal) {
  struct Case {
    std::string text;
    std::string reason;
  };
  const Case cases[] = {
      {"", "empty"},
      {"0", "timeline 0 is invalid"},
      {"0000", "timeline 0 is invalid"},
      {"4294967296", "larger than 4294967295"},
      {"99999999999999999999999999", "larger than 4294967295"},
      {"-1", "want a decimal number"},
      {"+1", "want a decimal number"},
      {" 1", "want a decimal number"},
      {"1 ", "want a decimal number"},
      {"1a", "want a decimal number"},
      {"0x1", "want a decimal number"},
      {"1.0", "want a decimal number"},
      {std::string("1\0", 2), "want a decimal number"},
  };
  for (const Case& c : cases) {
    const Result<TimelineId> r = TimelineId::ParseDecimal(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.reason)) << c.text;
  }
}

TEST(TimelineTest, Comparisons) {
  EXPECT_LT(TimelineId(1), TimelineId(2));
  EXPECT_EQ(TimelineId(26), *TimelineId::ParseHex("0000001A"));
  EXPECT_NE(TimelineId(1), TimelineId::kInvalid);
}

}  // namespace
}  // namespace klio
