// Format v1 fixtures: the worked examples of docs/design/wal-archive.md §3, computed
// independently (Python `cryptography` + hashlib), must open with the current reader.
#include "wal/segment_format.h"

#include <gtest/gtest.h>

#include "base/hex.h"
#include "env/mem_file_system.h"
#include "wal/segment_file.h"
#include "wal/test_util.h"

namespace klio::wal {
namespace {

constexpr char kFileId[] = "000000010000000000000001";

constexpr char kPlainFile[] =
    "4b4c494f57414c0100010001010000000000000000000000000102030405060708090a0b0c0d0e0f"
    "101112131415161718191a1b1c1d1e1f000000006736989c"
    "0000000400000004000000000000000001020304050607080000000057414c21"
    "8395b33838a8c6658f8e230fb0393d78";

constexpr char kKey[] = "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f";
constexpr char kEncryptedFile[] =
    "4b4c494f57414c0100010003010000008f3d3795949d1770000102030405060708090a0b0c0d0e0f"
    "101112131415161718191a1b1c1d1e1f000000007369442f"
    "00000004000000040000000000000000010203040506070800000000b15f20c1"
    "ea2040ccea996072936814aebb14dd8c";

Result<Bytes> ReadFixture(const char* hex, std::optional<crypto::EncryptionKey> key,
                          std::string id = kFileId) {
  env::MemFileSystem fs;
  test::WriteAllBytes(fs, "/f", HexDecode(hex).value());
  KLIO_ASSIGN_OR_RETURN(auto reader, SegmentReader::Open(fs, "/f", std::move(id), key));
  return reader->ReadAll();
}

TEST(SegmentFormatFixtureTest, UnencryptedV1) {
  auto data = ReadFixture(kPlainFile, std::nullopt);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(BytesToString(*data), "WAL!");
  EXPECT_EQ(ReadFixture(kPlainFile, std::nullopt, "000000010000000000000002").status().code(),
            StatusCode::kCorruption);
}

TEST(SegmentFormatFixtureTest, EncryptedV1) {
  const auto key = crypto::EncryptionKey::FromBytes(HexDecode(kKey).value()).value();
  EXPECT_EQ(key.IdHex(), "8f3d3795949d1770");
  auto data = ReadFixture(kEncryptedFile, key);
  ASSERT_TRUE(data.ok()) << data.status().ToString();
  EXPECT_EQ(BytesToString(*data), "WAL!");
  EXPECT_EQ(ReadFixture(kEncryptedFile, test::TestKey(3)).status().code(),
            StatusCode::kFailedPrecondition);
}

TEST(SegmentFormatTest, FrameHeaderDecodes) {
  const Bytes h = HexDecode("0000000480000010000000000000002a0102030405060708090a0b0c").value();
  const FrameHeader f = FrameHeader::Decode(h.data());
  EXPECT_EQ(f.stored_len, 4u);
  EXPECT_EQ(f.raw_len, 16u);
  EXPECT_TRUE(f.compressed);
  EXPECT_EQ(f.logical_offset, 42u);
  EXPECT_EQ(f.nonce[11], 0x0c);
  EXPECT_EQ(f.frame_size(), 4u + kFrameOverhead);
}

}  // namespace
}  // namespace klio::wal
