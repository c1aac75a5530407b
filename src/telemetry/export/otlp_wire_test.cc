// Tests for the protobuf wire primitives: varints, fixed fields, back-patched lengths and the
// bounds-checked reader.
#include "telemetry/export/otlp_wire.h"

#include <gtest/gtest.h>

#include <string>

#include "telemetry/export/otlp_test_util.h"

namespace klio::telemetry::exporter {
namespace {

std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(OtlpWireTest, VarintSizeMatchesEncoding) {
  for (std::uint64_t v : {0ULL, 1ULL, 127ULL, 128ULL, 16383ULL, 16384ULL, (1ULL << 35) - 1,
                          1ULL << 35, (1ULL << 63) - 1, ~0ULL}) {
    ProtoWriter w;
    w.Varint(v);
    EXPECT_EQ(w.size(), VarintSize(v)) << v;
  }
}

TEST(OtlpWireTest, KnownEncodings) {
  ProtoWriter w;
  w.AlwaysVarintField(1, 300);                             // 08 ac 02
  w.AlwaysVarintField(2, static_cast<std::uint64_t>(-1));  // 10 + ten bytes
  w.StringField(3, "hi");                                  // 1a 02 68 69
  w.AlwaysFixed64Field(4, 1);                              // 21 01 00..
  w.Fixed32Field(5, 0x201);                                // 2d 01 02 00 00
  EXPECT_EQ(Hex(w.view()),
            "08ac02"
            "10ffffffffffffffffff01"
            "1a026869"
            "210100000000000000"
            "2d01020000");
}

TEST(OtlpWireTest, DefaultsAreOmitted) {
  ProtoWriter w;
  w.VarintField(1, 0);
  w.Fixed64Field(2, 0);
  w.Fixed32Field(3, 0);
  w.StringField(4, "");
  w.DoubleField(5, 0.0);
  EXPECT_EQ(w.size(), 0u);
  w.AlwaysStringField(4, "");
  w.AlwaysVarintField(1, 0);
  EXPECT_EQ(Hex(w.view()), "22000800");
}

TEST(OtlpWireTest, NestedLengthGrowsPastTheHint) {
  ProtoWriter w;
  w.AlwaysVarintField(1, 7);
  const auto m = w.BeginMessage(2, 1);
  const std::string payload(300, 'x');
  w.StringField(1, payload);
  w.EndMessage(m);
  w.AlwaysVarintField(3, 9);
  // 0807 | 12 <len 303 = af 02> | 0a ac02 xxx... | 1809
  ASSERT_EQ(w.size(), 2 + 1 + 2 + 303 + 2u);
  const auto fields = testing::Fields(w.view());
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1].bytes.size(), 303u);
  EXPECT_EQ(testing::Message(fields[1].bytes, 1), payload);
  EXPECT_EQ(fields[2].value, 9u);
}

TEST(OtlpWireTest, NestedLengthShrinksBelowTheHint) {
  ProtoWriter w;
  const auto m = w.BeginMessage(1, 3);
  w.AlwaysVarintField(1, 5);
  w.EndMessage(m);
  EXPECT_EQ(Hex(w.view()), "0a020805");
}

TEST(OtlpWireTest, DeeplyNestedMessagesRoundTrip) {
  ProtoWriter w;
  std::vector<ProtoWriter::Mark> marks;
  marks.reserve(20);
  for (int i = 0; i < 20; ++i) marks.push_back(w.BeginMessage(1, 1));
  w.StringField(2, std::string(200, 'z'));
  for (auto it = marks.rbegin(); it != marks.rend(); ++it) w.EndMessage(*it);
  std::string_view inner = w.view();
  for (int i = 0; i < 20; ++i) {
    bool ok = false;
    const auto fields = testing::Fields(inner, &ok);
    ASSERT_TRUE(ok);
    ASSERT_EQ(fields.size(), 1u);
    inner = fields[0].bytes;
  }
  EXPECT_EQ(testing::Message(inner, 2), std::string(200, 'z'));
}

TEST(OtlpWireTest, EmptyMessageCanBeDropped) {
  ProtoWriter w;
  w.AlwaysVarintField(1, 1);
  const std::size_t before = w.size();
  const auto m = w.BeginMessage(2);
  w.EndMessageOrDrop(m, before);
  EXPECT_EQ(w.size(), before);
}

TEST(OtlpWireTest, ClearKeepsWorking) {
  ProtoWriter w;
  for (int round = 0; round < 3; ++round) {
    w.Clear();
    for (int i = 0; i < 1000; ++i) w.AlwaysFixed64Field(1, i);
    EXPECT_EQ(w.size(), 9000u);
  }
}

TEST(OtlpWireTest, ReaderRejectsMalformedInput) {
  for (const std::string& bad : {std::string("\x08", 1),          // varint missing
                                 std::string("\x0a\x05xx", 4),    // length past the end
                                 std::string("\x09\x01\x02", 3),  // fixed64 truncated
                                 std::string("\x0b", 1),          // group start
                                 std::string("\x00\x01", 2),      // field 0
                                 std::string(11, '\xff')}) {      // endless varint
    bool ok = true;
    testing::Fields(bad, &ok);
    EXPECT_FALSE(ok) << Hex(bad);
  }
}

TEST(OtlpWireTest, ReaderSkipsNothingAndReadsAllTypes) {
  ProtoWriter w;
  w.AlwaysVarintField(1, 42);
  w.AlwaysDoubleField(2, 2.5);
  w.Fixed32Field(3, 7);
  w.StringField(4, "abc");
  ProtoReader r(w.view());
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.varint(), 42u);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.as_double(), 2.5);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.fixed32(), 7u);
  ASSERT_TRUE(r.Next());
  EXPECT_EQ(r.bytes(), "abc");
  EXPECT_FALSE(r.Next());
  EXPECT_TRUE(r.ok());
}

}  // namespace
}  // namespace klio::telemetry::exporter
