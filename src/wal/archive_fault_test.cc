// Crash consistency of the archive (design doc §4) under FaultFileSystem: for every N, the
// N-th file system operation of an append/sync/complete workload fails (once, or from then on,
// with or without a power cut). Afterwards Recover() must leave an archive whose content is a
// prefix of what was written and holds at least every byte a Sync() or CompleteSegment()
// reported durable; and streaming must be able to resume from Newest() to the end.
#include <gtest/gtest.h>

#include <string>

#include "env/fault_file_system.h"
#include "env/mem_file_system.h"
#include "env/random.h"
#include "wal/archive.h"
#include "wal/synthetic_wal.h"
#include "wal/test_util.h"

namespace klio::wal {
namespace {

constexpr std::uint64_t kSegSize = 1u << 20;
constexpr int kSegments = 2;
const TimelineId kTli(1);

WalArchiveOptions Options(env::FileSystem& fs) {
  WalArchiveOptions o;
  o.fs = &fs;
  o.root = "/tier1";
  o.codec.key = test::TestKey(1);
  o.codec.max_frame_bytes = 96 * 1024;
  return o;
}

std::string SegmentName(std::uint64_t segno) {
  return WalFileName::Segment(kTli, SegmentNumber(segno)).ToString(kSegSize);
}

// Streams `data` into segments 1..kSegments; returns the first error. `*durable` is the number
// of leading bytes of `data` acknowledged as durable so far.
Status Workload(env::FileSystem& fs, const Bytes& data, std::uint64_t* durable) {
  WalArchive archive(Options(fs));
  KLIO_ASSIGN_OR_RETURN(auto cluster, archive.OpenCluster("main"));
  env::SeededRandom rng(42);
  for (int i = 0; i < kSegments; ++i) {
    const std::uint64_t base = i * kSegSize;
    KLIO_ASSIGN_OR_RETURN(auto seg, cluster->OpenSegmentForAppend(kTli, SegmentNumber(i + 1)));
    for (std::uint64_t pos = 0; pos < kSegSize;) {
      const std::size_t n = std::min<std::uint64_t>(1 + rng.Uniform(200 * 1024), kSegSize - pos);
      KLIO_RETURN_IF_ERROR(seg->writer().Append(ByteView(data).subspan(base + pos, n)));
      pos += n;
      if (rng.Uniform(3) == 0) {
        KLIO_ASSIGN_OR_RETURN(const std::uint64_t d, seg->writer().Sync());
        *durable = base + d;
      }
    }
    KLIO_RETURN_IF_ERROR(cluster->CompleteSegment(*seg));
    *durable = base + kSegSize;
  }
  return Status::Ok();
}

// Recovers, checks the archive against `data` and `durable`, then resumes streaming from
// Newest() and checks the whole result.
void RecoverAndCheck(env::FileSystem& fs, const Bytes& data, std::uint64_t durable) {
  WalArchive archive(Options(fs));
  auto cluster = archive.OpenCluster("main").value();
  auto report = cluster->Recover();
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->failed.empty()) << report->failed[0].status.ToString();

  Bytes content;
  for (int i = 1; i <= kSegments; ++i) {
    auto got = cluster->Get(SegmentName(i), true);
    if (got.status().IsNotFound()) break;
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(got->partial, got->data.size() < kSegSize);
    PutBytes(&content, got->data);
    if (got->partial) break;
  }
  ASSERT_GE(content.size(), durable) << "acknowledged bytes lost";
  ASSERT_LE(content.size(), data.size());
  ASSERT_TRUE(std::equal(content.begin(), content.end(), data.begin())) << "not a prefix";

  // Resume where the archive says it ends (the server's answer to Negotiate).
  auto newest = cluster->Newest().value();
  std::uint64_t pos = newest.has_value() ? newest->end.value() - kSegSize : 0;
  ASSERT_EQ(pos, content.size());
  while (pos < data.size()) {
    auto seg = cluster->OpenSegmentForAppend(kTli, SegmentNumber(1 + pos / kSegSize));
    ASSERT_TRUE(seg.ok()) << seg.status().ToString();
    const std::uint64_t end = (pos / kSegSize + 1) * kSegSize;
    ASSERT_EQ((*seg)->end_lsn().value(), kSegSize + pos);
    ASSERT_TRUE((*seg)->writer().Append(ByteView(data).subspan(pos, end - pos)).ok());
    ASSERT_TRUE(cluster->CompleteSegment(**seg).ok());
    pos = end;
  }
  for (int i = 1; i <= kSegments; ++i) {
    auto got = cluster->Get(SegmentName(i), false);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    ASSERT_TRUE(std::equal(got->data.begin(), got->data.end(),
                           data.begin() + static_cast<long>((i - 1) * kSegSize)));
  }
}

enum class Fault { kOnce, kOnceThenPowerCut, kDiskDiesThenPowerCut };

class ArchiveFaultTest : public ::testing::TestWithParam<Fault> {};

TEST_P(ArchiveFaultTest, EveryFailedOperationRecoversToADurablePrefix) {
  const Bytes data = SyntheticWal(kSegments * kSegSize, 77);
  std::uint64_t n = 1;
  for (; n < 5000; ++n) {
    SCOPED_TRACE("failing operation " + std::to_string(n));
    env::MemFileSystem base;
    env::FaultFileSystem fs(base);
    ASSERT_TRUE(fs.CreateDirs("/tier1").ok());
    {
      WalArchive archive(Options(fs));
      auto cluster = archive.OpenCluster("main").value();
      ASSERT_TRUE(
          cluster->CreateMetadata({"main", 1234, kSegSize, "2024-05-01T00:00:00Z", {}}).ok());
    }
    if (GetParam() == Fault::kDiskDiesThenPowerCut) {
      fs.FailFromNthOp(n);
    } else {
      fs.FailNthOp(n);
    }
    std::uint64_t durable = 0;
    const Status st = Workload(fs, data, &durable);
    const bool injected = fs.injected_count() > 0;
    fs.ClearFaults();
    if (!injected) {
      ASSERT_TRUE(st.ok()) << st.ToString();
      break;  // the workload has fewer than n operations: every one has been failed
    }
    if (GetParam() != Fault::kOnce) {
      ASSERT_TRUE(fs.SimulatePowerCut().ok());
    }
    RecoverAndCheck(fs, data, durable);
    if (::testing::Test::HasFatalFailure()) return;
  }
  RecordProperty("operations", static_cast<int>(n - 1));
  EXPECT_GT(n, 50u);  // the workload really went through many operations
  EXPECT_LT(n, 5000u);
}

INSTANTIATE_TEST_SUITE_P(Faults, ArchiveFaultTest,
                         ::testing::Values(Fault::kOnce, Fault::kOnceThenPowerCut,
                                           Fault::kDiskDiesThenPowerCut),
                         [](const auto& info) {
                           switch (info.param) {
                             case Fault::kOnce:
                               return "Once";
                             case Fault::kOnceThenPowerCut:
                               return "OnceThenPowerCut";
                             case Fault::kDiskDiesThenPowerCut:
                               return "DiskDiesThenPowerCut";
                           }
                           return "";
                         });

}  // namespace
}  // namespace klio::wal
