#include "base/lsn.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace klio {
namespace {

using ::testing::HasSubstr;

TEST(LsnTest, FormatsLikePostgres) {
  EXPECT_EQ(Lsn::kInvalid.ToString(), "0/0");
  EXPECT_EQ(Lsn().ToString(), "0/0");
  EXPECT_EQ(Lsn(0x16B3748).ToString(), "0/16B3748");
  EXPECT_EQ(Lsn::FromParts(0x1A, 0xFF000000).ToString(), "1A/FF000000");
  EXPECT_EQ(Lsn(0x100000000).ToString(), "1/0");
  EXPECT_EQ(Lsn::kMax.ToString(), "FFFFFFFF/FFFFFFFF");
}

TEST(LsnTest, ParsesValidText) {
  struct Case {
    const char* text;
    uint64_t value;
  };
  const Case cases[] = {
      {"0/0", 0},
      {"0/1", 1},
      {"0/16B3748", 0x16B3748},
      {"1A/FF000000", 0x1AFF000000},
      {"1/0", 0x100000000},
      {"FFFFFFFF/FFFFFFFF", UINT64_MAX},
      {"00000000/00000001", 1},       // padding is accepted
      {"1a/ff000000", 0x1AFF000000},  // PostgreSQL's pg_lsn input accepts lowercase too
      {"aBc/DeF", 0xABC00000DEF},
  };
  for (const Case& c : cases) {
    const Result<Lsn> lsn = Lsn::Parse(c.text);
    ASSERT_TRUE(lsn.ok()) << c.text << ": " << lsn.status().ToString();
    EXPECT_EQ(lsn->value(), c.value) << c.text;
  }
}

TEST(LsnTest, RoundTripsBoundaryValues) {
  for (const uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{0xF}, uint64_t{0x10},
                           uint64_t{0xFFFFFFFF}, uint64_t{0x100000000}, uint64_t{0x1FFFFFFFF},
                           uint64_t{0x8000000000000000}, UINT64_MAX - 1, UINT64_MAX}) {
    const Lsn lsn(v);
    const Result<Lsn> back = Lsn::Parse(lsn.ToString());
    ASSERT_TRUE(back.ok()) << lsn.ToString();
    EXPECT_EQ(*back, lsn);
  }
}

TEST(LsnTest, RejectsMalformedText) {
  struct Case {
    std::string text;
    std::string reason;
  };
  const Case cases[] = {
      {"", "empty"},
      {"0", "missing '/'"},
      {"16B3748", "missing '/'"},
      {"0:16B3748", "missing '/'"},
      {"/0", "high half is empty"},
      {"0/", "low half is empty"},
      {"/", "high half is empty"},
      {"123456789/0", "high half has more than 8 hex digits"},
      {"0/123456789", "low half has more than 8 hex digits"},
      {"000000000/0", "high half has more than 8 hex digits"},
      {"G/0", "high half starts with non-hex character \"G\""},
      {"0/G", "low half starts with non-hex character \"G\""},
      {"0/1G", "trailing characters \"G\""},
      {"1G/0", "unexpected character \"G\" after the high half"},
      {"-1/0", "sign not allowed"},
      {"+1/0", "sign not allowed"},
      {"0/-1", "sign not allowed"},
      {"0/+1", "sign not allowed"},
      {" 0/0", "non-hex character \" \""},
      {"0/0 ", "trailing characters \" \""},
      {"0 /0", "unexpected character \" \" after the high half"},
      {"0/ 0", "low half starts with non-hex character \" \""},
      {"0/0\n", "trailing characters \"\\x0A\""},
      {"0/0/0", "trailing characters \"/0\""},
      {"0//0", "low half is empty"},
      {"0x0/1", "unexpected character \"x\" after the high half"},
      {"0/0x1", "trailing characters \"x1\""},
      {std::string("0/0\0", 4), "trailing characters \"\\x00\""},
      {std::string("0\0/0", 4), "unexpected character \"\\x00\" after the high half"},
      {"\xef\xbc\x91/0", "non-hex character \"\\xEF\""},  // fullwidth digit one
  };
  for (const Case& c : cases) {
    const Result<Lsn> lsn = Lsn::Parse(c.text);
    ASSERT_FALSE(lsn.ok()) << c.text;
    EXPECT_EQ(lsn.status().code(), StatusCode::kInvalidArgument) << c.text;
    EXPECT_THAT(lsn.status().message(), HasSubstr(c.reason)) << c.text;
    EXPECT_THAT(lsn.status().message(), HasSubstr("invalid lsn \"")) << c.text;
  }
}

TEST(LsnTest, ErrorNamesTheInput) {
  EXPECT_EQ(Lsn::Parse("1/2/3").status().message(),
            "invalid lsn \"1/2/3\": trailing characters \"/3\" (want HI/LO, 1 to 8 hex digits "
            "each)");
  // A huge input is cut short in the message.
  const std::string huge = "0/" + std::string(100000, '1');
  EXPECT_LT(Lsn::Parse(huge).status().message().size(), 300u);
}

TEST(LsnTest, PartsAndValidity) {
  const Lsn lsn = Lsn::FromParts(0x1A, 0xFF000000);
  EXPECT_EQ(lsn.hi(), 0x1Au);
  EXPECT_EQ(lsn.lo(), 0xFF000000u);
  EXPECT_EQ(lsn.value(), 0x1AFF000000u);
  EXPECT_TRUE(lsn.valid());
  EXPECT_FALSE(Lsn::kInvalid.valid());
  EXPECT_FALSE(Lsn::Parse("0/0")->valid());
  static_assert(Lsn::FromParts(1, 0) == Lsn(0x100000000));
}

TEST(LsnTest, Comparisons) {
  const Lsn a(0x16B3748);
  const Lsn b = Lsn::FromParts(1, 0);
  EXPECT_LT(a, b);
  EXPECT_LE(a, a);
  EXPECT_GT(b, a);
  EXPECT_NE(a, b);
  EXPECT_EQ(a, *Lsn::Parse("0/16B3748"));
  // Ordering is numeric, not textual: "0/FFFFFFFF" < "1/0" and "9/0" < "A/0" < "10/0".
  EXPECT_LT(*Lsn::Parse("0/FFFFFFFF"), *Lsn::Parse("1/0"));
  EXPECT_LT(*Lsn::Parse("9/0"), *Lsn::Parse("A/0"));
  EXPECT_LT(*Lsn::Parse("A/0"), *Lsn::Parse("10/0"));
}

TEST(LsnTest, ArithmeticNeverWraps) {
  const Lsn a(0xFFFFFFF0);
  EXPECT_EQ((a + 0x10).ToString(), "1/0");
  Lsn b = a;
  b += 0x20;
  EXPECT_EQ(b.ToString(), "1/10");
  EXPECT_EQ(b - a, 0x20u);
  EXPECT_EQ(a - b, 0u);  // a is before b
  EXPECT_EQ(a - a, 0u);
  EXPECT_EQ(Lsn::kMax - Lsn::kInvalid, UINT64_MAX);

  EXPECT_EQ(Lsn::kMax + 1, Lsn::kMax);  // saturates
  EXPECT_EQ(Lsn(UINT64_MAX - 5) + 100, Lsn::kMax);
  EXPECT_EQ(Lsn(UINT64_MAX - 5) + 5, Lsn::kMax);

  EXPECT_EQ(*a.CheckedAdd(0x10), Lsn(0x100000000));
  EXPECT_EQ(*Lsn(UINT64_MAX - 5).CheckedAdd(5), Lsn::kMax);
  const Result<Lsn> over = Lsn(UINT64_MAX - 5).CheckedAdd(6);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(over.status().message(),
            "lsn FFFFFFFF/FFFFFFFA + 6 bytes is past the end of the wal address space");
}

}  // namespace
}  // namespace klio
