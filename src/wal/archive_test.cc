// WalArchive / ClusterArchive: layout, completion, small files, Get, Newest, Recover
// (docs/design/wal-archive.md; resume point per wal-protocol.md §4).
#include "wal/archive.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "env/mem_file_system.h"
#include "env/posix_file_system.h"
#include "testing/process.h"
#include "wal/synthetic_wal.h"
#include "wal/test_util.h"

namespace klio::wal {
namespace {

using test::ReadAllBytes;
using test::TestKey;
using test::WriteAllBytes;

constexpr std::uint64_t k1MiB = 1u << 20;
constexpr std::uint64_t k16MiB = 16u << 20;
const TimelineId kTli1(1);
const TimelineId kTli2(2);

ClusterMetadata Metadata(std::uint64_t seg_size, std::string cluster = "main") {
  return {std::move(cluster), 7391234567890123456ULL, seg_size, "2024-05-01T12:00:00Z", {}};
}

WalArchiveOptions Options(env::FileSystem& fs, std::string root, bool encrypted = true) {
  WalArchiveOptions o;
  o.fs = &fs;
  o.root = std::move(root);
  if (encrypted) o.codec.key = TestKey(1);
  o.codec.max_frame_bytes = 64 * 1024;
  return o;
}

class ArchiveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs_.CreateDirs("/tier1").ok());
    archive_ = std::make_unique<WalArchive>(Options(fs_, "/tier1"));
    cluster_ = archive_->OpenCluster("main").value();
    ASSERT_TRUE(cluster_->CreateMetadata(Metadata(k1MiB)).ok());
  }

  // Writes `data` as segment (tli, segno), completing it when full.
  void WriteSegment(TimelineId tli, std::uint64_t segno, ByteView data) {
    auto seg = cluster_->OpenSegmentForAppend(tli, SegmentNumber(segno));
    ASSERT_TRUE(seg.ok()) << seg.status().ToString();
    ASSERT_TRUE((*seg)->writer().Append(data).ok());
    ASSERT_TRUE((*seg)->writer().Sync().ok());
    if ((*seg)->writer().full()) {
      ASSERT_TRUE(cluster_->CompleteSegment(**seg).ok());
    }
  }

  env::MemFileSystem fs_;
  std::unique_ptr<WalArchive> archive_;
  std::unique_ptr<ClusterArchive> cluster_;
};

TEST_F(ArchiveTest, SegmentLifecycleAndGet) {
  const Bytes data = SyntheticWal(k1MiB, 1);
  auto seg = cluster_->OpenSegmentForAppend(kTli1, SegmentNumber(3)).value();
  EXPECT_EQ(seg->start_lsn(), Lsn(3 * k1MiB));
  const std::string partial = "/tier1/main/wal/0000000100000000/000000010000000000000003.partial";
  EXPECT_TRUE(fs_.Exists(partial).ok());

  // Another writer for the same segment is refused while this one is open.
  EXPECT_EQ(cluster_->OpenSegmentForAppend(kTli1, SegmentNumber(3)).status().code(),
            StatusCode::kFailedPrecondition);

  ASSERT_TRUE(seg->writer().Append(ByteView(data).first(1000)).ok());
  EXPECT_EQ(seg->end_lsn(), Lsn(3 * k1MiB + 1000));
  EXPECT_EQ(seg->durable_end_lsn(), Lsn(3 * k1MiB));
  EXPECT_EQ(seg->writer().Sync().value(), 1000u);
  EXPECT_EQ(seg->durable_end_lsn(), Lsn(3 * k1MiB + 1000));
  EXPECT_EQ(cluster_->CompleteSegment(*seg).code(), StatusCode::kFailedPrecondition);

  // While being written: readable as a partial, invisible as a segment.
  EXPECT_EQ(cluster_->Get("000000010000000000000003", false).status().code(),
            StatusCode::kNotFound);
  auto got = cluster_->Get("000000010000000000000003", true).value();
  EXPECT_TRUE(got.partial);
  EXPECT_EQ(got.name, "000000010000000000000003.partial");
  EXPECT_TRUE(got.data == Bytes(data.begin(), data.begin() + 1000));

  ASSERT_TRUE(seg->writer().Append(ByteView(data).subspan(1000)).ok());
  ASSERT_TRUE(cluster_->CompleteSegment(*seg).ok());
  EXPECT_TRUE(seg->completed());
  ASSERT_TRUE(cluster_->CompleteSegment(*seg).ok());  // idempotent
  EXPECT_TRUE(fs_.Exists(partial).IsNotFound());
  got = cluster_->Get("000000010000000000000003", false).value();
  EXPECT_FALSE(got.partial);
  EXPECT_TRUE(got.data == data);
  seg.reset();

  EXPECT_EQ(cluster_->OpenSegmentForAppend(kTli1, SegmentNumber(3)).status().code(),
            StatusCode::kAlreadyExists);
  // Released on destruction: another segment, and the same one later, can be opened.
  EXPECT_TRUE(cluster_->OpenSegmentForAppend(kTli1, SegmentNumber(4)).ok());
  EXPECT_TRUE(cluster_->OpenSegmentForAppend(kTli1, SegmentNumber(4)).ok());
}

TEST_F(ArchiveTest, BadNamesAreRefusedAndNothingIsWritten) {
  for (const char* name :
       {"../main/cluster.json", "000000010000000000000001/../../x", "00000001000000000000000g", "",
        "cluster.json", "..", "00000000.history", "000000010000000000000001.partial/x"}) {
    EXPECT_EQ(cluster_->Get(name, true).status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(cluster_->PutSmallFile(name, AsBytes("x")).code(), StatusCode::kInvalidArgument)
        << name;
  }
  EXPECT_EQ(cluster_->PutSmallFile("000000010000000000000001", AsBytes("x")).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(archive_->OpenCluster("../etc").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(archive_->OpenCluster("Main").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(cluster_->OpenSegmentForAppend(TimelineId(0), SegmentNumber(1)).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_.ListDir("/tier1/main/wal").value().size(), 0u);
}

TEST_F(ArchiveTest, SmallFilesAreAtomicImmutableAndEncrypted) {
  const std::string history = "1\t0/3000000\tno recovery target specified\n";
  ASSERT_TRUE(cluster_->PutSmallFile("00000002.history", AsBytes(history)).ok());
  EXPECT_EQ(BytesToString(cluster_->Get("00000002.history", false)->data), history);
  ASSERT_TRUE(cluster_->PutSmallFile("00000002.history", AsBytes(history)).ok());  // resend
  EXPECT_EQ(cluster_->PutSmallFile("00000002.history", AsBytes("other")).code(),
            StatusCode::kAlreadyExists);
  const std::string raw = fs_.ReadFile("/tier1/main/wal/00000002.history").value();
  EXPECT_EQ(raw.find("recovery target"), std::string::npos);  // not in the clear

  const std::string backup = "START WAL LOCATION: 0/2000028\n";
  ASSERT_TRUE(
      cluster_->PutSmallFile("000000010000000000000002.00000028.backup", AsBytes(backup)).ok());
  EXPECT_EQ(BytesToString(cluster_->Get("000000010000000000000002.00000028.backup", false)->data),
            backup);
  EXPECT_EQ(cluster_->Get("00000003.history", false).status().code(), StatusCode::kNotFound);
}

TEST_F(ArchiveTest, MetadataIsCreatedOnceAndReadBack) {
  EXPECT_EQ(cluster_->CreateMetadata(Metadata(k1MiB)).code(), StatusCode::kAlreadyExists);
  auto other = archive_->OpenCluster("other").value();
  EXPECT_FALSE(other->metadata().has_value());
  EXPECT_EQ(other->OpenSegmentForAppend(kTli1, SegmentNumber(1)).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(other->CreateMetadata(Metadata(k1MiB, "main")).code(), StatusCode::kInvalidArgument);

  ClusterMetadata m = Metadata(k1MiB);
  m.gaps.push_back({Lsn(0x300000), Lsn(0x900000), "2024-05-02T00:00:00Z"});
  ASSERT_TRUE(cluster_->UpdateMetadata(m).ok());
  auto reopened = archive_->OpenCluster("main").value();
  EXPECT_EQ(reopened->metadata(), m);
  m.system_id = 1;
  EXPECT_EQ(cluster_->UpdateMetadata(m).code(), StatusCode::kFailedPrecondition);

  ASSERT_TRUE(other->CreateMetadata(Metadata(k16MiB, "other")).ok());
  std::vector<std::string> names;
  const std::vector<ClusterName> clusters = archive_->ListClusters().value();
  for (const ClusterName& c : clusters) names.push_back(c.str());
  EXPECT_EQ(names, (std::vector<std::string>{"main", "other"}));

  WriteAllBytes(fs_, "/tier1/main/cluster.json", AsBytes("{not json"));
  EXPECT_EQ(archive_->OpenCluster("main").status().code(), StatusCode::kCorruption);
}

TEST_F(ArchiveTest, NewestIsTheResumePoint) {
  EXPECT_FALSE(cluster_->Newest().value().has_value());
  const Bytes data = SyntheticWal(k1MiB, 2);
  WriteSegment(kTli1, 1, data);
  WriteSegment(kTli1, 2, data);
  EXPECT_EQ(cluster_->Newest().value(),
            (WalPosition{kTli1, SegmentNumber(2), Lsn(3 * k1MiB), false}));
  WriteSegment(kTli1, 3, ByteView(data).first(12345));
  EXPECT_EQ(cluster_->Newest().value(),
            (WalPosition{kTli1, SegmentNumber(3), Lsn(3 * k1MiB + 12345), true}));
  // A segment in the next log id directory (1 MiB segments: 4096 per log id).
  WriteSegment(kTli1, 4096 + 7, ByteView(data).first(10));
  EXPECT_EQ(cluster_->Newest()->value().end, Lsn((4096 + 7) * k1MiB + 10));

  // A newer timeline wins unless a timeline is asked for.
  WriteSegment(kTli2, 3, ByteView(data).first(777));
  EXPECT_EQ(cluster_->Newest()->value().end, Lsn(3 * k1MiB + 777));
  EXPECT_EQ(cluster_->Newest()->value().timeline, kTli2);
  EXPECT_EQ(cluster_->Newest(kTli1)->value().end, Lsn((4096 + 7) * k1MiB + 10));
  EXPECT_FALSE(cluster_->Newest(TimelineId(3)).value().has_value());
}

TEST_F(ArchiveTest, WrongKeyAndRenamedFilesAreRefused) {
  const Bytes data = SyntheticWal(k1MiB, 3);
  WriteSegment(kTli1, 1, data);
  WalArchiveOptions o = Options(fs_, "/tier1");
  o.codec.key = TestKey(99);
  WalArchive wrong(o);
  auto cluster = wrong.OpenCluster("main").value();
  auto got = cluster->Get("000000010000000000000001", false);
  EXPECT_EQ(got.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(got.status().message().find("wrong encryption key"), std::string::npos);
  EXPECT_EQ(cluster->OpenSegmentForAppend(kTli1, SegmentNumber(1)).status().code(),
            StatusCode::kAlreadyExists);

  // Someone renames segment 1 to segment 2: its frames are bound to the name.
  ASSERT_TRUE(fs_.Rename("/tier1/main/wal/0000000100000000/000000010000000000000001",
                         "/tier1/main/wal/0000000100000000/000000010000000000000002")
                  .ok());
  EXPECT_EQ(cluster_->Get("000000010000000000000002", false).status().code(),
            StatusCode::kCorruption);
}

TEST_F(ArchiveTest, RecoverCompletesRepairsCleansAndReports) {
  const Bytes data = SyntheticWal(k1MiB, 4);
  const std::string dir = "/tier1/main/wal/0000000100000000/";
  // Segment 1: full .partial left by a crash before the rename.
  {
    auto seg = cluster_->OpenSegmentForAppend(kTli1, SegmentNumber(1)).value();
    ASSERT_TRUE(seg->writer().Append(data).ok());
    ASSERT_TRUE(seg->writer().Sync().ok());
  }
  // Segment 2: a torn tail.
  WriteSegment(kTli1, 2, ByteView(data).first(300000));
  Bytes torn = ReadAllBytes(fs_, dir + "000000010000000000000002.partial");
  torn.resize(torn.size() - 10);
  WriteAllBytes(fs_, dir + "000000010000000000000002.partial", torn);
  // Segment 3: a bad frame in the middle.
  WriteSegment(kTli1, 3, ByteView(data).first(300000));
  Bytes bad = ReadAllBytes(fs_, dir + "000000010000000000000003.partial");
  bad[200] ^= 1;
  WriteAllBytes(fs_, dir + "000000010000000000000003.partial", bad);
  // Debris: an interrupted atomic write and a stray file.
  WriteAllBytes(fs_, "/tier1/main/wal/.00000002.history.tmp-0123456789abcdef", AsBytes("x"));
  WriteAllBytes(fs_, dir + "notes.txt", AsBytes("x"));

  {
    auto open = cluster_->OpenSegmentForAppend(kTli1, SegmentNumber(9)).value();
    EXPECT_EQ(cluster_->Recover().status().code(), StatusCode::kFailedPrecondition);
  }
  auto report = cluster_->Recover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->completed, std::vector<std::string>{dir + "000000010000000000000001.partial"});
  ASSERT_EQ(report->repaired.size(), 1u);
  EXPECT_EQ(report->repaired[0].path, dir + "000000010000000000000002.partial");
  ASSERT_EQ(report->failed.size(), 1u);
  EXPECT_EQ(report->failed[0].path, dir + "000000010000000000000003.partial");
  EXPECT_TRUE(report->failed[0].status.IsCorruption());
  EXPECT_EQ(report->removed.size(), 1u);
  EXPECT_EQ(report->ignored, std::vector<std::string>{dir + "notes.txt"});

  EXPECT_TRUE(cluster_->Get("000000010000000000000001", false).value().data == data);
  const Bytes seg2 = cluster_->Get("000000010000000000000002", true).value().data;
  EXPECT_LT(seg2.size(), 300000u);
  EXPECT_TRUE(seg2 == Bytes(data.begin(), data.begin() + static_cast<long>(seg2.size())));
  EXPECT_TRUE(ReadAllBytes(fs_, dir + "000000010000000000000003.partial") == bad);  // untouched
  EXPECT_EQ(cluster_->Get("000000010000000000000003", true).status().code(),
            StatusCode::kCorruption);
  // Recovering again finds nothing new to do.
  report = cluster_->Recover();
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->completed.empty() && report->repaired.empty() && report->removed.empty());
}

TEST(ArchivePosixTest, SixteenMiBRoundTripWithPermissions) {
  klio::testing::TempDir dir;
  env::FileSystem& fs = env::DefaultFileSystem();
  WalArchiveOptions o = Options(fs, dir.path());
  o.codec.max_frame_bytes = kMaxFrameRawBytes;
  WalArchive archive(o);
  auto cluster = archive.OpenCluster("pg-main").value();
  ASSERT_TRUE(cluster->CreateMetadata(Metadata(k16MiB, "pg-main")).ok());
  const Bytes data = SyntheticWal(k16MiB, 5);
  auto seg = cluster->OpenSegmentForAppend(kTli1, SegmentNumber(0x1FF)).value();
  for (std::size_t pos = 0; pos < data.size(); pos += 128 * 1024) {
    ASSERT_TRUE(seg->writer().Append(ByteView(data).subspan(pos, 128 * 1024)).ok());
    if (pos % (2 << 20) == 0) {
      ASSERT_TRUE(seg->writer().Sync().ok());
    }
  }
  ASSERT_TRUE(cluster->CompleteSegment(*seg).ok());
  seg.reset();
  EXPECT_TRUE(cluster->Get("0000000100000001000000FF", false).value().data == data);

  struct stat st {};
  const std::string wal = dir.Join("pg-main/wal");
  ASSERT_EQ(::stat((wal + "/0000000100000001/0000000100000001000000FF").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((wal + "/0000000100000001").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0750u);
  ASSERT_EQ(::stat(dir.Join("pg-main/cluster.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  // A restart: a new archive object recovers and resumes at the same point.
  WalArchive again(o);
  auto reopened = again.OpenCluster("pg-main").value();
  ASSERT_TRUE(reopened->Recover().ok());
  EXPECT_EQ(reopened->Newest()->value().end, Lsn(0x200 * k16MiB));
}

}  // namespace
}  // namespace klio::wal
