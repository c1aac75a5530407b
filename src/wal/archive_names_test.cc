// Archive names: cluster-name validation, path building and listing parsers (design doc §1).
#include "wal/archive_names.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace klio::wal {
namespace {

constexpr std::uint64_t k16MiB = 16u << 20;
constexpr std::uint64_t k1MiB = 1u << 20;

TEST(ClusterNameTest, AcceptsTheDocumentedForm) {
  for (const std::string& name :
       std::vector<std::string>{"a", "0", "main", "db-1", "db_2", "9lives", std::string(63, 'x')}) {
    auto parsed = ClusterName::Parse(name);
    ASSERT_TRUE(parsed.ok()) << name << ": " << parsed.status().ToString();
    EXPECT_EQ(parsed->str(), name);
  }
}

TEST(ClusterNameTest, RefusesEverythingElse) {
  const std::string bad[] = {
      "",    ".",         "..",          "../a", "a/b", "/a", "A",   "Main", "-a",
      "_a",  "a b",       "a.b",         "a\\b", " a",  "a ", "a\n", "é",    std::string(64, 'x'),
      "%2e", "a/../../x", "cluster\x01",
  };
  for (const std::string& name : bad) {
    auto parsed = ClusterName::Parse(name);
    ASSERT_FALSE(parsed.ok()) << name;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(parsed.status().message().find("invalid cluster name"), std::string::npos);
  }
  EXPECT_FALSE(ClusterName::Parse(std::string("a\0b", 3)).ok());
}

TEST(ArchivePathsTest, BuildsTheDocumentedLayout) {
  const ArchivePaths paths("/srv/klio/wal");
  const ClusterName c = ClusterName::Parse("main").value();
  EXPECT_EQ(paths.ClusterDir(c), "/srv/klio/wal/main");
  EXPECT_EQ(paths.MetadataPath(c), "/srv/klio/wal/main/cluster.json");
  EXPECT_EQ(paths.WalDir(c), "/srv/klio/wal/main/wal");

  const auto seg = WalFileName::Parse("00000001000000A2000000FF", k16MiB).value();
  EXPECT_EQ(paths.FilePath(c, seg, k16MiB).value(),
            "/srv/klio/wal/main/wal/00000001000000A2/00000001000000A2000000FF");
  const auto partial = WalFileName::Partial(seg.timeline, seg.segno);
  EXPECT_EQ(paths.FilePath(c, partial, k16MiB).value(),
            "/srv/klio/wal/main/wal/00000001000000A2/00000001000000A2000000FF.partial");
  EXPECT_EQ(paths.SegmentDir(c, seg.timeline, seg.segno, k16MiB).value(),
            "/srv/klio/wal/main/wal/00000001000000A2");
  const auto history = WalFileName::Parse("0000000A.history", k16MiB).value();
  EXPECT_EQ(paths.FilePath(c, history, k16MiB).value(), "/srv/klio/wal/main/wal/0000000A.history");
  const auto backup = WalFileName::Parse("000000010000000000000002.00000028.backup", k16MiB);
  EXPECT_EQ(paths.FilePath(c, *backup, k16MiB).value(),
            "/srv/klio/wal/main/wal/000000010000000000000002.00000028.backup");

  // Fields computed from untrusted input are validated, not formatted blindly.
  EXPECT_EQ(paths.FilePath(c, WalFileName::Segment(TimelineId(0), SegmentNumber(1)), k16MiB)
                .status()
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(paths.SegmentDir(c, TimelineId(1), SegmentNumber(UINT64_MAX), k16MiB).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ArchivePathsTest, FileIdentityIgnoresThePartialSuffix) {
  const auto seg = WalFileName::Parse("000000010000000000000003", k1MiB).value();
  EXPECT_EQ(FileIdentity(seg, k1MiB).value(), "000000010000000000000003");
  EXPECT_EQ(FileIdentity(WalFileName::Partial(seg.timeline, seg.segno), k1MiB).value(),
            "000000010000000000000003");
  EXPECT_EQ(FileIdentity(WalFileName::History(TimelineId(2)), k1MiB).value(), "00000002.history");
}

TEST(ArchiveNamesTest, ParsesListingsAndRefusesMisplacedOrForeignNames) {
  EXPECT_TRUE(IsSegmentDirName("0000000100000000"));
  EXPECT_FALSE(IsSegmentDirName("0000000000000000"));  // timeline 0
  EXPECT_FALSE(IsSegmentDirName("000000010000000a"));
  EXPECT_FALSE(IsSegmentDirName("000000010000000"));
  EXPECT_FALSE(IsSegmentDirName(".."));
  EXPECT_EQ(SegmentDirTimeline("0000002A00000000"), TimelineId(42));

  auto ok = ParseSegmentDirEntry("0000000100000000", "000000010000000000000005.partial", k16MiB);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->kind, WalFileKind::kPartial);
  EXPECT_FALSE(ParseSegmentDirEntry("0000000100000001", "000000010000000000000005", k16MiB).ok());
  EXPECT_FALSE(ParseSegmentDirEntry("0000000100000000", "00000001.history", k16MiB).ok());
  EXPECT_FALSE(ParseSegmentDirEntry("0000000100000000", "cluster.json", k16MiB).ok());
  EXPECT_TRUE(ParseWalDirEntry("00000002.history", k16MiB).ok());
  EXPECT_FALSE(ParseWalDirEntry("000000010000000000000005", k16MiB).ok());
  for (const char* evil : {"../000000010000000000000001", "00000001.history/..", "..",
                           "000000010000000000000001/../../etc/passwd", "00000002.HISTORY"}) {
    EXPECT_FALSE(ParseWalDirEntry(evil, k16MiB).ok()) << evil;
    EXPECT_FALSE(ParseSegmentDirEntry("0000000100000000", evil, k16MiB).ok()) << evil;
  }
}

}  // namespace
}  // namespace klio::wal
