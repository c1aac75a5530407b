// SegmentWriter / SegmentReader: round trips, tamper detection, key checks, torn-tail repair
// (docs/design/wal-archive.md §2-§4).
#include "wal/segment_file.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "base/hex.h"
#include "env/fault_file_system.h"
#include "env/mem_file_system.h"
#include "env/random.h"
#include "wal/synthetic_wal.h"
#include "wal/test_util.h"

namespace klio::wal {
namespace {

using test::ReadAllBytes;
using test::TestKey;
using test::WriteAllBytes;

constexpr std::uint32_t k1MiB = 1u << 20;
constexpr std::uint32_t k16MiB = 16u << 20;
constexpr char kId[] = "000000010000000000000001";

CodecOptions Options(bool encrypted, bool compress = true, std::size_t frame = kMaxFrameRawBytes) {
  CodecOptions o;
  if (encrypted) o.key = TestKey(1);
  o.compress = compress;
  o.max_frame_bytes = frame;
  return o;
}

// Appends `data` in random chunk sizes up to `max_chunk`, syncing now and then; returns the
// writer's last durable size.
std::uint64_t AppendRandomly(SegmentWriter& w, ByteView data, std::size_t max_chunk,
                             std::uint64_t seed) {
  env::SeededRandom rng(seed);
  std::uint64_t durable = 0;
  for (std::size_t pos = 0; pos < data.size();) {
    const std::size_t n = std::min<std::size_t>(1 + rng.Uniform(max_chunk), data.size() - pos);
    EXPECT_TRUE(w.Append(data.subspan(pos, n)).ok());
    pos += n;
    if (rng.Uniform(4) == 0) durable = w.Sync().value();
  }
  return durable;
}

Result<Bytes> ReadBack(env::FileSystem& fs, const std::string& path, const CodecOptions& o,
                       ReaderOptions ro = {}, std::string id = kId) {
  KLIO_ASSIGN_OR_RETURN(auto reader, SegmentReader::Open(fs, path, std::move(id), o.key, ro));
  return reader->ReadAll();
}

struct Mode {
  bool encrypted;
  bool compress;
};

class SegmentRoundTripTest : public ::testing::TestWithParam<Mode> {};

TEST_P(SegmentRoundTripTest, FullSixteenMiBSegment) {
  env::MemFileSystem fs;
  const CodecOptions o = Options(GetParam().encrypted, GetParam().compress);
  const Bytes data = SyntheticWal(k16MiB, 7);
  auto w = SegmentWriter::Create(fs, "/seg", kId, k16MiB, o).value();
  AppendRandomly(*w, data, 300 * 1024, 1);
  EXPECT_TRUE(w->full());
  ASSERT_TRUE(w->Close().ok());
  EXPECT_EQ(w->durable_size(), k16MiB);
  auto back = ReadBack(fs, "/seg", o, {.require_complete = true, .expected_segment_size = k16MiB});
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_TRUE(*back == data);
  if (GetParam().compress) {
    EXPECT_LT(fs.FileSize("/seg").value(), k16MiB / 2);
  }
}

TEST_P(SegmentRoundTripTest, ManyOneMiBSegmentsWithSmallFrames) {
  env::MemFileSystem fs;
  env::SeededRandom rng(3);
  for (int i = 0; i < 6; ++i) {
    const std::size_t frame = 1 + rng.Uniform(128 * 1024);
    const CodecOptions o = Options(GetParam().encrypted, GetParam().compress, frame);
    const Bytes data = SyntheticWal(k1MiB, 100 + i);
    const std::string path = "/seg" + std::to_string(i);
    auto w = SegmentWriter::Create(fs, path, kId, k1MiB, o).value();
    AppendRandomly(*w, data, 1 + rng.Uniform(64 * 1024), i);
    ASSERT_TRUE(w->Close().ok());
    // Streaming: chunk by chunk, each at most one frame.
    auto reader = SegmentReader::Open(fs, path, kId, o.key, {.require_complete = true}).value();
    Bytes got;
    std::size_t chunks = 0;
    while (true) {
      const std::size_t before = got.size();
      auto more = reader->ReadChunk(&got);
      ASSERT_TRUE(more.ok()) << more.status().ToString();
      if (!*more) break;
      EXPECT_LE(got.size() - before, frame);
      ++chunks;
    }
    EXPECT_TRUE(got == data) << "segment " << i;
    EXPECT_GE(chunks, k1MiB / frame);
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, SegmentRoundTripTest,
                         ::testing::Values(Mode{true, true}, Mode{true, false}, Mode{false, true},
                                           Mode{false, false}),
                         [](const auto& info) {
                           return std::string(info.param.encrypted ? "Encrypted" : "Plain") +
                                  (info.param.compress ? "Zstd" : "Raw");
                         });

TEST(SegmentFileTest, RandomDataIsStoredRawAndSmallFilesRoundTrip) {
  env::MemFileSystem fs;
  const CodecOptions o = Options(true);
  Bytes data(300000);
  env::SeededRandom(9).Fill(data);
  const Bytes file = EncodeWholeFile("00000002.history", data, o).value();
  // Incompressible: one header, one frame, no growth beyond the overhead.
  EXPECT_EQ(file.size(), kFileHeaderSize + kFrameOverhead + data.size());
  WriteAllBytes(fs, "/h", file);
  EXPECT_TRUE(ReadBack(fs, "/h", o, {.expected_segment_size = 0}, "00000002.history").value() ==
              data);
  // An empty small file is a header only.
  WriteAllBytes(fs, "/e", EncodeWholeFile("x", {}, o).value());
  EXPECT_TRUE(ReadBack(fs, "/e", o, {}, "x").value().empty());
}

TEST(SegmentFileTest, AppendPastSegmentSizeIsRefused) {
  env::MemFileSystem fs;
  auto w = SegmentWriter::Create(fs, "/seg", kId, k1MiB, Options(true)).value();
  ASSERT_TRUE(w->Append(Bytes(k1MiB - 10)).ok());
  EXPECT_EQ(w->Append(Bytes(11)).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(w->Append(Bytes(10)).ok());
  EXPECT_TRUE(w->full());
  EXPECT_EQ(SegmentWriter::Create(fs, "/seg", kId, k1MiB, Options(true)).status().code(),
            StatusCode::kAlreadyExists);
}

// Writes `data` as a complete file of segment size data.size() and returns its bytes.
Bytes BuildSegment(env::FileSystem& fs, const CodecOptions& o, const Bytes& data,
                   const std::string& path = "/seg", const std::string& id = kId) {
  auto w = SegmentWriter::Create(fs, path, id, static_cast<std::uint32_t>(data.size()), o).value();
  EXPECT_TRUE(w->Append(data).ok());
  EXPECT_TRUE(w->Close().ok());
  return ReadAllBytes(fs, path);
}

// Frame start offsets of an encoded file.
std::vector<std::size_t> FrameOffsets(const Bytes& file) {
  std::vector<std::size_t> out;
  for (std::size_t pos = kFileHeaderSize; pos < file.size();) {
    out.push_back(pos);
    pos += FrameHeader::Decode(file.data() + pos).frame_size();
  }
  return out;
}

class TamperTest : public ::testing::TestWithParam<bool> {};

TEST_P(TamperTest, AnyChangedByteIsDetected) {
  env::MemFileSystem fs;
  // A small "segment" (256 KiB in 16 frames) keeps the many re-reads quick.
  const CodecOptions o = Options(GetParam(), true, 16 * 1024);
  const Bytes data = SyntheticWal(256 * 1024, 11);
  const Bytes file = BuildSegment(fs, o, data);
  const std::vector<std::size_t> frames = FrameOffsets(file);
  ASSERT_EQ(frames.size(), 16u);

  // Every header byte, every byte of the first frame header, the bytes around some frame
  // boundaries (tag and next header), and a sample through the whole file.
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i < kFileHeaderSize + kFrameHeaderSize; ++i) positions.push_back(i);
  for (std::size_t f : {frames[1], frames[8], frames[15]}) {
    for (std::size_t i = f - 20; i < f + kFrameHeaderSize + 4; ++i) positions.push_back(i);
  }
  env::SeededRandom rng(5);
  for (int i = 0; i < 250; ++i) positions.push_back(rng.Uniform(file.size()));
  positions.push_back(file.size() - 1);

  for (std::size_t pos : positions) {
    Bytes bad = file;
    bad[pos] ^= static_cast<std::uint8_t>(1u << (pos % 8));
    WriteAllBytes(fs, "/bad", bad);
    auto back = ReadBack(fs, "/bad", o, {.require_complete = true});
    ASSERT_FALSE(back.ok()) << "byte " << pos << " changed, not detected";
    EXPECT_EQ(back.status().code(), StatusCode::kCorruption) << back.status().ToString();
    EXPECT_NE(back.status().message().find("/bad"), std::string::npos);
    if (pos >= kFileHeaderSize) {
      EXPECT_NE(back.status().message().find("frame "), std::string::npos)
          << back.status().message();
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, TamperTest, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "Encrypted" : "Plain"; });

TEST(SegmentFileTest, WrongOrMissingKeyIsAClearErrorBeforeDecryption) {
  env::MemFileSystem fs;
  const CodecOptions o = Options(true);
  BuildSegment(fs, o, SyntheticWal(k1MiB, 1));
  const crypto::EncryptionKey other = TestKey(2);
  auto r = SegmentReader::Open(fs, "/seg", kId, other);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  const std::string msg = r.status().message();
  EXPECT_NE(msg.find("wrong encryption key"), std::string::npos) << msg;
  EXPECT_NE(msg.find(o.key->IdHex()), std::string::npos) << msg;
  EXPECT_NE(msg.find(other.IdHex()), std::string::npos) << msg;
  EXPECT_EQ(SegmentWriter::OpenForAppend(fs, "/seg", kId, k1MiB, CodecOptions{.key = other})
                .status()
                .code(),
            StatusCode::kFailedPrecondition);

  r = SegmentReader::Open(fs, "/seg", kId, std::nullopt);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("no encryption key is configured"), std::string::npos);

  // An unencrypted file is refused once a key is configured (no silent downgrade).
  BuildSegment(fs, Options(false), SyntheticWal(k1MiB, 1), "/plain");
  r = SegmentReader::Open(fs, "/plain", kId, o.key);
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
}

TEST(SegmentFileTest, FramesMovedBetweenFilesOrReorderedAreCorruption) {
  for (bool encrypted : {true, false}) {
    SCOPED_TRACE(encrypted);
    env::MemFileSystem fs;
    // Incompressible data and fixed frames, so every frame has the same size and a swap keeps
    // the layout valid: only the cryptographic binding can catch it.
    const CodecOptions o = Options(encrypted, true, 64 * 1024);
    Bytes data(k1MiB);
    env::SeededRandom(4).Fill(data);
    const Bytes a = BuildSegment(fs, o, data, "/a");
    const Bytes b = BuildSegment(fs, o, data, "/b");
    const std::vector<std::size_t> fa = FrameOffsets(a);
    const std::size_t frame_size = fa[1] - fa[0];

    Bytes moved = b;  // frame 3 of a, in b at the same place
    std::memcpy(moved.data() + fa[3], a.data() + fa[3], frame_size);
    WriteAllBytes(fs, "/moved", moved);
    EXPECT_EQ(ReadBack(fs, "/moved", o).status().code(), StatusCode::kCorruption);

    Bytes swapped = a;  // frames 2 and 5 of a exchanged (offsets patched to look right)
    std::memcpy(swapped.data() + fa[2] + 8, a.data() + fa[5] + 8, 8);
    std::memcpy(swapped.data() + fa[5] + 8, a.data() + fa[2] + 8, 8);
    std::vector<std::uint8_t> tmp(swapped.begin() + fa[2], swapped.begin() + fa[2] + frame_size);
    std::memcpy(swapped.data() + fa[2], swapped.data() + fa[5], frame_size);
    std::memcpy(swapped.data() + fa[5], tmp.data(), frame_size);
    WriteAllBytes(fs, "/swapped", swapped);
    auto back = ReadBack(fs, "/swapped", o);
    EXPECT_EQ(back.status().code(), StatusCode::kCorruption);
    EXPECT_NE(back.status().message().find("frame 2"), std::string::npos);

    // The whole file under another segment's name.
    EXPECT_EQ(ReadBack(fs, "/a", o, {}, "000000010000000000000002").status().code(),
              StatusCode::kCorruption);
    EXPECT_TRUE(ReadBack(fs, "/a", o).value() == data);
  }
}

TEST(SegmentFileTest, OpenForAppendCutsTornTailsAtEveryPosition) {
  env::MemFileSystem fs;
  const CodecOptions o = Options(true, true, 16 * 1024);
  const Bytes data = SyntheticWal(k1MiB, 21);
  auto w = SegmentWriter::Create(fs, "/seg", kId, k1MiB, o).value();
  ASSERT_TRUE(w->Append(ByteView(data).first(100000)).ok());
  const std::uint64_t durable = w->Sync().value();
  ASSERT_TRUE(w->Append(ByteView(data).subspan(100000, 100000)).ok());
  ASSERT_TRUE(w->Close().ok());
  const Bytes full = ReadAllBytes(fs, "/seg");
  const std::vector<std::size_t> frames = FrameOffsets(full);

  env::SeededRandom rng(8);
  std::vector<std::size_t> cuts;
  for (int i = 0; i < 60; ++i) cuts.push_back(kFileHeaderSize + rng.Uniform(full.size()));
  for (std::size_t f : frames) cuts.insert(cuts.end(), {f, f + 1, f + kFrameHeaderSize});
  for (std::size_t cut : cuts) {
    cut = std::min(cut, full.size());
    WriteAllBytes(fs, "/t", ByteView(full).first(cut));
    std::optional<TailRepair> repair;
    auto again = SegmentWriter::OpenForAppend(fs, "/t", kId, k1MiB, o, &repair);
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    // Everything up to the last whole frame survives; the cut frame is gone.
    const std::size_t kept = fs.FileSize("/t").value();
    EXPECT_EQ(repair.has_value(), kept != cut) << cut;
    EXPECT_TRUE(std::find(frames.begin(), frames.end(), kept) != frames.end() ||
                kept == full.size());
    const std::uint64_t logical = (*again)->logical_size();
    EXPECT_EQ((*again)->durable_size(), logical);
    if (cut == full.size()) {
      EXPECT_EQ(logical, 200000u);
    }
    // Continue writing from where it stands; the result is the original data.
    ASSERT_TRUE((*again)->Append(ByteView(data).subspan(logical, k1MiB - logical)).ok());
    ASSERT_TRUE((*again)->Close().ok());
    EXPECT_TRUE(ReadBack(fs, "/t", o, {.require_complete = true}).value() == data) << cut;
  }
  EXPECT_EQ(durable, 100000u);
}

TEST(SegmentFileTest, RepairRewritesTornHeaderAndZeroTail) {
  env::MemFileSystem fs;
  const CodecOptions o = Options(true);
  for (std::size_t n : {0, 10, 63, 64, 5000}) {
    WriteAllBytes(fs, "/z", Bytes(n, 0));
    std::optional<TailRepair> repair;
    auto w = SegmentWriter::OpenForAppend(fs, "/z", kId, k1MiB, o, &repair);
    ASSERT_TRUE(w.ok()) << n << ": " << w.status().ToString();
    ASSERT_TRUE(repair.has_value());
    EXPECT_EQ(repair->reason, "torn header");
    EXPECT_EQ((*w)->logical_size(), 0u);
  }
  // A file extended with zeros by a crash (size updated, data never written).
  const Bytes data = SyntheticWal(k1MiB, 2);
  Bytes file = BuildSegment(fs, Options(true, true, 64 * 1024), data);
  file.resize(file.size() + 8192, 0);
  WriteAllBytes(fs, "/seg", file);
  std::optional<TailRepair> repair;
  auto w = SegmentWriter::OpenForAppend(fs, "/seg", kId, k1MiB, o, &repair);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(repair.has_value());
  EXPECT_EQ(repair->size_after, file.size() - 8192);
  EXPECT_EQ((*w)->logical_size(), k1MiB);
}

TEST(SegmentFileTest, BadLastFrameIsTornButBadFrameBeforeGoodOnesIsCorruption) {
  env::MemFileSystem fs;
  const CodecOptions o = Options(true, true, 64 * 1024);
  const Bytes data = SyntheticWal(k1MiB, 3);
  const Bytes file = BuildSegment(fs, o, data);
  const std::vector<std::size_t> frames = FrameOffsets(file);

  // Last frame fails authentication, nothing after it: never acknowledged, cut.
  Bytes bad_last = file;
  bad_last[file.size() - 3] ^= 0x40;
  WriteAllBytes(fs, "/last", bad_last);
  std::optional<TailRepair> repair;
  auto w = SegmentWriter::OpenForAppend(fs, "/last", kId, k1MiB, o, &repair);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  ASSERT_TRUE(repair.has_value());
  EXPECT_EQ(repair->first_frame, frames.size() - 1);
  EXPECT_NE(repair->reason.find("authentication failed"), std::string::npos);

  // A bad frame in the middle: Corruption, and the file is left exactly as it was.
  for (std::size_t victim : {std::size_t{0}, frames.size() / 2, frames.size() - 2}) {
    Bytes bad = file;
    bad[frames[victim] + kFrameHeaderSize + 5] ^= 0x01;
    WriteAllBytes(fs, "/mid", bad);
    auto st = SegmentWriter::OpenForAppend(fs, "/mid", kId, k1MiB, o).status();
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
    EXPECT_NE(st.message().find("frame " + std::to_string(victim)), std::string::npos)
        << st.message();
    EXPECT_TRUE(ReadAllBytes(fs, "/mid") == bad);
  }
  // A garbage frame header in the middle (its extent unknown) is Corruption too.
  Bytes bad = file;
  bad[frames[3]] ^= 0x7f;
  WriteAllBytes(fs, "/hdr", bad);
  EXPECT_EQ(SegmentWriter::OpenForAppend(fs, "/hdr", kId, k1MiB, o).status().code(),
            StatusCode::kCorruption);
}

TEST(SegmentFileTest, ReappendAfterRepairUsesFreshNonces) {
  env::MemFileSystem fs;
  const CodecOptions o = Options(true, true, 64 * 1024);
  const Bytes data = SyntheticWal(k1MiB, 4);
  const Bytes file = BuildSegment(fs, o, data);
  const std::vector<std::size_t> frames = FrameOffsets(file);
  // Cut in the middle of frame 5, reopen and rewrite it.
  WriteAllBytes(fs, "/seg", ByteView(file).first(frames[5] + 100));
  auto w = SegmentWriter::OpenForAppend(fs, "/seg", kId, k1MiB, o).value();
  ASSERT_TRUE(w->Append(ByteView(data).subspan(w->logical_size())).ok());
  ASSERT_TRUE(w->Close().ok());
  const Bytes rewritten = ReadAllBytes(fs, "/seg");
  const FrameHeader before = FrameHeader::Decode(file.data() + frames[5]);
  const FrameHeader after = FrameHeader::Decode(rewritten.data() + frames[5]);
  EXPECT_EQ(before.logical_offset, after.logical_offset);
  // Same file key, same frame index, different nonce: no (key, nonce) reuse.
  EXPECT_NE(before.nonce, after.nonce);
  EXPECT_TRUE(ReadBack(fs, "/seg", o, {.require_complete = true}).value() == data);
}

TEST(SegmentFileTest, ReaderStopsAtIncompleteTailOnlyWhenAllowed) {
  env::MemFileSystem fs;
  const CodecOptions o = Options(true, true, 64 * 1024);
  const Bytes data = SyntheticWal(k1MiB, 5);
  const Bytes file = BuildSegment(fs, o, data);
  const std::vector<std::size_t> frames = FrameOffsets(file);
  WriteAllBytes(fs, "/p", ByteView(file).first(frames[4] + 10));
  EXPECT_EQ(ReadBack(fs, "/p", o).status().code(), StatusCode::kCorruption);
  auto got = ReadBack(fs, "/p", o, {.allow_incomplete_tail = true});
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(*got == Bytes(data.begin(), data.begin() + 4 * 64 * 1024));
  // Cut at a frame boundary: a partial reads fine, a complete segment must be whole.
  WriteAllBytes(fs, "/p", ByteView(file).first(frames[4]));
  EXPECT_TRUE(ReadBack(fs, "/p", o).ok());
  auto st = ReadBack(fs, "/p", o, {.require_complete = true}).status();
  EXPECT_EQ(st.code(), StatusCode::kCorruption);
  EXPECT_NE(st.message().find("a complete segment holds"), std::string::npos);
}

TEST(SegmentFileTest, SyncedBytesSurvivePowerCutAndUnsyncedOnesVanish) {
  env::MemFileSystem base;
  env::FaultFileSystem fs(base);
  const CodecOptions o = Options(true, true, 32 * 1024);
  const Bytes data = SyntheticWal(k1MiB, 6);
  auto w = SegmentWriter::Create(fs, "/seg", kId, k1MiB, o).value();
  ASSERT_TRUE(w->Append(ByteView(data).first(300000)).ok());
  EXPECT_EQ(w->Sync().value(), 300000u);
  ASSERT_TRUE(w->Append(ByteView(data).subspan(300000, 200000)).ok());  // frames written, unsynced
  ASSERT_TRUE(fs.SimulatePowerCut().ok());
  w.reset();

  std::optional<TailRepair> repair;
  auto again = SegmentWriter::OpenForAppend(fs, "/seg", kId, k1MiB, o, &repair);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)->logical_size(), 300000u);
  ASSERT_TRUE((*again)->Close().ok());
  EXPECT_TRUE(ReadBack(fs, "/seg", o).value() == Bytes(data.begin(), data.begin() + 300000));
}

TEST(SegmentFileTest, WriterIsUnusableAfterAnIoError) {
  env::MemFileSystem base;
  env::FaultFileSystem fs(base);
  auto w = SegmentWriter::Create(fs, "/seg", kId, k1MiB, Options(true)).value();
  ASSERT_TRUE(w->Append(Bytes(1000, 1)).ok());
  fs.FailNthOp(1);  // the next op: the frame append inside Sync
  EXPECT_FALSE(w->Sync().ok());
  EXPECT_EQ(w->Append(Bytes(10)).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(w->Sync().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_FALSE(w->Close().ok());
  EXPECT_FALSE(w->Close().ok());  // never looks cleanly closed
}

}  // namespace
}  // namespace klio::wal
