#include "base/hex.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "base/escape.h"

namespace klio {
namespace {

using ::testing::HasSubstr;

TEST(HexTest, EncodeIsLowercaseTwoDigitsPerByte) {
  EXPECT_EQ(HexEncode({}), "");
  const Bytes data = {0x00, 0x01, 0x0a, 0x7f, 0x80, 0xab, 0xff};
  EXPECT_EQ(HexEncode(data), "00010a7f80abff");
  EXPECT_EQ(HexEncode(AsBytes("klio")), "6b6c696f");
}

TEST(HexTest, DecodeAcceptsBothCases) {
  EXPECT_EQ(*HexDecode(""), Bytes{});
  EXPECT_EQ(*HexDecode("00010a7f80abff"), (Bytes{0x00, 0x01, 0x0a, 0x7f, 0x80, 0xab, 0xff}));
  EXPECT_EQ(*HexDecode("0A7F80ABFF"), (Bytes{0x0a, 0x7f, 0x80, 0xab, 0xff}));
  EXPECT_EQ(*HexDecode("aBcD"), (Bytes{0xab, 0xcd}));
}

TEST(HexTest, RoundTripsEveryByteValue) {
  Bytes all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<uint8_t>(i));
  const std::string text = HexEncode(all);
  EXPECT_EQ(text.size(), 512u);
  EXPECT_EQ(*HexDecode(text), all);
}

TEST(HexTest, DecodeRejectsOddLength) {
  for (const char* text : {"0", "abc", "00112"}) {
    const Result<Bytes> r = HexDecode(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr("odd length"));
  }
}

TEST(HexTest, DecodeRejectsBadDigitWithOffset) {
  struct Case {
    std::string text;
    std::string want;
  };
  const Case cases[] = {
      {"zz", "invalid digit \"z\" at offset 0"},
      {"0g", "invalid digit \"g\" at offset 1"},
      {"00 1", "invalid digit \" \" at offset 2"},
      {"0x12", "invalid digit \"x\" at offset 1"},
      {"-1", "invalid digit \"-\" at offset 0"},
      {std::string("00\0a", 4), "invalid digit \"\\x00\" at offset 2"},
      {"\xc3\xa9", "invalid digit \"\\xC3\" at offset 0"},
  };
  for (const Case& c : cases) {
    const Result<Bytes> r = HexDecode(c.text);
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.want));
  }
}

TEST(HexTest, DigitHelpers) {
  EXPECT_EQ(HexDigitValue('0'), 0);
  EXPECT_EQ(HexDigitValue('9'), 9);
  EXPECT_EQ(HexDigitValue('a'), 10);
  EXPECT_EQ(HexDigitValue('F'), 15);
  EXPECT_EQ(HexDigitValue('g'), -1);
  EXPECT_EQ(HexDigitValue('/'), -1);
  EXPECT_EQ(HexDigitValue('\0'), -1);
  EXPECT_EQ(UpperHexDigitValue('A'), 10);
  EXPECT_EQ(UpperHexDigitValue('a'), -1);
  EXPECT_EQ(UpperHexDigitValue(':'), -1);
  EXPECT_EQ(UpperHexDigitValue('@'), -1);

  std::string out = "x";
  AppendUpperHex(0x1A, 8, &out);
  AppendUpperHex(0xFFFFFFFFFFFFFFFF, 16, &out);
  AppendUpperHex(0xABC, 1, &out);  // only the low nibble
  EXPECT_EQ(out, "x0000001AFFFFFFFFFFFFFFFFC");
}

TEST(EscapeTest, KeepsPrintableAndEscapesTheRest) {
  EXPECT_EQ(EscapeForMessage(""), "\"\"");
  EXPECT_EQ(EscapeForMessage("0/16B3748"), "\"0/16B3748\"");
  EXPECT_EQ(EscapeForMessage("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(EscapeForMessage(std::string("a\0b", 3)), "\"a\\x00b\"");
  EXPECT_EQ(EscapeForMessage("\t\n\r\x1b[31m"), "\"\\x09\\x0A\\x0D\\x1B[31m\"");
  EXPECT_EQ(EscapeForMessage("\x7f\x80\xff"), "\"\\x7F\\x80\\xFF\"");
}

TEST(EscapeTest, TruncatesLongInput) {
  EXPECT_EQ(EscapeForMessage(std::string(kEscapeMaxShownBytes, 'a')),
            "\"" + std::string(kEscapeMaxShownBytes, 'a') + "\"");
  const std::string escaped = EscapeForMessage(std::string(1 << 20, 'a'));
  EXPECT_EQ(escaped, "\"" + std::string(kEscapeMaxShownBytes, 'a') + "\"... (1048576 bytes)");
}

}  // namespace
}  // namespace klio
