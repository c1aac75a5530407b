#include "base/bytes.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <string>

namespace klio {
namespace {

TEST(BytesTest, StringViewsRoundTrip) {
  const std::string s("a\0\xff", 3);
  const ByteView view = AsBytes(s);
  ASSERT_EQ(view.size(), 3u);
  EXPECT_EQ(view[0], 'a');
  EXPECT_EQ(view[1], 0);
  EXPECT_EQ(view[2], 0xff);
  EXPECT_EQ(view.data(), reinterpret_cast<const uint8_t*>(s.data()));  // no copy
  EXPECT_EQ(AsStringView(view), s);
  EXPECT_EQ(ToBytes(s), (Bytes{'a', 0, 0xff}));
  EXPECT_EQ(BytesToString(ToBytes(s)), s);
  EXPECT_TRUE(AsBytes("").empty());
}

TEST(BytesTest, PutBigEndian) {
  Bytes out;
  PutBE16(&out, 0x0102);
  PutBE32(&out, 0x03040506);
  PutBE64(&out, 0x0708090A0B0C0D0E);
  EXPECT_EQ(out, (Bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14}));
  PutBytes(&out, AsBytes("xy"));
  EXPECT_EQ(out.size(), 16u);
  EXPECT_EQ(out[14], 'x');
}

TEST(BytesTest, LoadBigEndian) {
  const Bytes data = {0xFE, 0xDC, 0xBA, 0x98, 0x76, 0x54, 0x32, 0x10};
  EXPECT_EQ(LoadBE16(data.data()), 0xFEDC);
  EXPECT_EQ(LoadBE32(data.data()), 0xFEDCBA98u);
  EXPECT_EQ(LoadBE64(data.data()), 0xFEDCBA9876543210u);
  static_assert(LoadBE16(std::array<uint8_t, 2>{0x12, 0x34}.data()) == 0x1234);
}

TEST(BytesTest, PutLoadRoundTripsBoundaryValues) {
  for (const uint64_t v :
       {uint64_t{0}, uint64_t{1}, uint64_t{0x80}, uint64_t{0xFF}, uint64_t{0x8000},
        uint64_t{0xFFFF}, uint64_t{0x80000000}, uint64_t{0xFFFFFFFF}, uint64_t{0x8000000000000000},
        uint64_t{0xFFFFFFFFFFFFFFFF}, uint64_t{0x0123456789ABCDEF}}) {
    Bytes out;
    PutBE16(&out, static_cast<uint16_t>(v));
    PutBE32(&out, static_cast<uint32_t>(v));
    PutBE64(&out, v);
    ASSERT_EQ(out.size(), 14u);
    EXPECT_EQ(LoadBE16(out.data()), static_cast<uint16_t>(v));
    EXPECT_EQ(LoadBE32(out.data() + 2), static_cast<uint32_t>(v));
    EXPECT_EQ(LoadBE64(out.data() + 6), v);
  }
}

TEST(ByteReaderTest, ReadsInSequence) {
  Bytes data;
  data.push_back(0x7F);
  PutBE16(&data, 0xBEEF);
  PutBE32(&data, 0xFFFFFFFE);  // -2 as Int32
  PutBE64(&data, 0x8000000000000000);
  PutBytes(&data, AsBytes(std::string_view("slot\0", 5)));
  PutBytes(&data, AsBytes("abc"));
  ByteReader r(data);
  EXPECT_EQ(*r.ReadU8(), 0x7F);
  EXPECT_EQ(*r.ReadBE16(), 0xBEEF);
  EXPECT_EQ(*r.ReadBEI32(), -2);
  EXPECT_EQ(r.offset(), 7u);
  EXPECT_EQ(*r.ReadBEI64(), INT64_MIN);
  EXPECT_EQ(*r.ReadCString(), "slot");
  EXPECT_EQ(r.remaining(), 3u);
  EXPECT_FALSE(r.ExpectEnd().ok());
  EXPECT_EQ(AsStringView(r.ReadRest()), "abc");
  EXPECT_TRUE(r.empty());
  EXPECT_TRUE(r.ExpectEnd().ok());
  EXPECT_TRUE(r.ReadRest().empty());
}

TEST(ByteReaderTest, UnsignedReads) {
  const Bytes data = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0xAA, 0xBB, 0xCC, 0xDD};
  ByteReader r(data);
  EXPECT_EQ(*r.ReadBE64(), 0x0102030405060708u);
  EXPECT_EQ(*r.ReadBE32(), 0xAABBCCDDu);
  EXPECT_TRUE(r.empty());
}

TEST(ByteReaderTest, TruncationIsCorruptionAndConsumesNothing) {
  const Bytes data = {1, 2, 3, 4, 5};
  ByteReader r(data);
  ASSERT_TRUE(r.Skip(3).ok());
  const Result<uint64_t> v = r.ReadBE64();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(v.status().message(), "truncated: need 8 bytes at offset 3, have 2");
  EXPECT_EQ(r.offset(), 3u);  // unchanged
  EXPECT_EQ(r.ReadBE32().status().message(), "truncated: need 4 bytes at offset 3, have 2");
  EXPECT_EQ(r.ReadBEI32().status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r.ReadBEI64().status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r.ReadBytes(3).status().message(), "truncated: need 3 bytes at offset 3, have 2");
  EXPECT_EQ(r.Skip(3).message(), "truncated: need 3 bytes at offset 3, have 2");
  EXPECT_EQ(r.offset(), 3u);
  EXPECT_EQ(*r.ReadBE16(), 0x0405);
  EXPECT_EQ(r.ReadU8().status().message(), "truncated: need 1 bytes at offset 5, have 0");
  EXPECT_EQ(r.ReadBE16().status().code(), StatusCode::kCorruption);
}

TEST(ByteReaderTest, EmptyInput) {
  ByteReader r(ByteView{});
  EXPECT_TRUE(r.empty());
  EXPECT_EQ(r.ReadU8().status().message(), "truncated: need 1 bytes at offset 0, have 0");
  EXPECT_TRUE(r.ReadBytes(0).ok());
  EXPECT_TRUE(r.Skip(0).ok());
  EXPECT_EQ(r.ReadCString().status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(r.ExpectEnd().ok());
}

TEST(ByteReaderTest, ContextPrefixesErrors) {
  const Bytes data = {0, 0, 0};
  ByteReader r(data, std::string("XLogData message"));  // a temporary is fine: it is copied
  EXPECT_EQ(r.ReadBE32().status().message(),
            "XLogData message: truncated: need 4 bytes at offset 0, have 3");
  ASSERT_TRUE(r.Skip(1).ok());
  EXPECT_EQ(r.ExpectEnd().message(), "XLogData message: 2 unexpected trailing bytes at offset 1");
}

TEST(ByteReaderTest, ReadBytesIsAViewAtTheRightPlace) {
  const Bytes data = {9, 8, 7, 6};
  ByteReader r(data);
  ASSERT_TRUE(r.Skip(1).ok());
  const Result<ByteView> v = r.ReadBytes(2);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->data(), data.data() + 1);
  EXPECT_EQ(v->size(), 2u);
  EXPECT_EQ(r.offset(), 3u);
  // A huge length must not overflow the bounds check.
  EXPECT_EQ(r.ReadBytes(SIZE_MAX).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(r.Skip(SIZE_MAX).code(), StatusCode::kCorruption);
  EXPECT_EQ(r.offset(), 3u);
}

TEST(ByteReaderTest, CStrings) {
  const std::string wire("\0abc\0x", 6);
  ByteReader r(AsBytes(wire), "RowDescription");
  EXPECT_EQ(*r.ReadCString(), "");
  EXPECT_EQ(*r.ReadCString(), "abc");
  EXPECT_EQ(r.offset(), 5u);
  const Result<std::string_view> missing = r.ReadCString();
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kCorruption);
  EXPECT_EQ(missing.status().message(),
            "RowDescription: truncated: string at offset 5 has no NUL terminator in the 1 bytes "
            "left");
  EXPECT_EQ(r.offset(), 5u);
}

}  // namespace
}  // namespace klio
