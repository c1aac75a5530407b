#include "base/wal_name.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace klio {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t k16MiB = 16 * kMiB;

std::vector<uint64_t> AllSegmentSizes() {
  std::vector<uint64_t> sizes;
  for (uint64_t s = kMinWalSegmentSize; s <= kMaxWalSegmentSize; s *= 2) sizes.push_back(s);
  return sizes;
}

// An independent formatter for the expected names, the way xlog_internal.h's XLogFileName
// writes them.
std::string ExpectedSegmentName(uint32_t tli, uint64_t segno, uint64_t seg_size) {
  const uint64_t per_log = 0x100000000 / seg_size;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%08X%08X%08X", tli, static_cast<unsigned>(segno / per_log),
                static_cast<unsigned>(segno % per_log));
  return buf;
}

WalFileName MustParse(std::string_view name, uint64_t seg_size) {
  const Result<WalFileName> r = WalFileName::Parse(name, seg_size);
  EXPECT_TRUE(r.ok()) << name << ": " << r.status().ToString();
  return r.ok() ? *r : WalFileName{};
}

TEST(WalSegmentSizeTest, Validation) {
  EXPECT_EQ(AllSegmentSizes().size(), 11u);
  for (const uint64_t s : AllSegmentSizes()) {
    EXPECT_TRUE(IsValidWalSegmentSize(s)) << s;
    EXPECT_TRUE(ValidateWalSegmentSize(s).ok()) << s;
  }
  for (const uint64_t s :
       {uint64_t{0}, uint64_t{1}, kMiB / 2, kMiB - 1, kMiB + 1, 3 * kMiB, k16MiB + 8192,
        2 * kMaxWalSegmentSize, uint64_t{1} << 40, UINT64_MAX, uint64_t{1} << 63}) {
    EXPECT_FALSE(IsValidWalSegmentSize(s)) << s;
    const Status st = ValidateWalSegmentSize(s);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << s;
    EXPECT_THAT(st.message(), HasSubstr("power of two from 1 MiB to 1 GiB"));
  }
  EXPECT_EQ(ValidateWalSegmentSize(3 * kMiB).message(),
            "invalid wal segment size 3145728 bytes: must be a power of two from 1 MiB to 1 GiB");
  static_assert(IsValidWalSegmentSize(kDefaultWalSegmentSize));
}

TEST(WalSegmentArithmeticTest, PerSizeConstants) {
  EXPECT_EQ(WalSegmentsPerXLogId(kMiB), 4096u);
  EXPECT_EQ(WalSegmentsPerXLogId(k16MiB), 256u);
  EXPECT_EQ(WalSegmentsPerXLogId(kMaxWalSegmentSize), 4u);
  EXPECT_EQ(MaxSegmentNumber(k16MiB).value(), 0xFFFFFFFFFFu);
  EXPECT_EQ(MaxSegmentNumber(kMiB).value(), 0xFFFFFFFFFFFu);
  EXPECT_EQ(MaxSegmentNumber(kMaxWalSegmentSize).value(), 0x3FFFFFFFFu);
}

TEST(WalSegmentArithmeticTest, SegmentOfAndStart) {
  // pg_walfile_name_offset('0/16B3748') on a 16 MiB cluster: segment 1, offset 0x6B3748.
  EXPECT_EQ(SegmentOf(Lsn(0x16B3748), k16MiB), SegmentNumber(1));
  EXPECT_EQ(SegmentOffset(Lsn(0x16B3748), k16MiB), 0x6B3748u);
  // A boundary belongs to the segment it starts.
  EXPECT_EQ(SegmentOf(Lsn(0xFFFFFF), k16MiB), SegmentNumber(0));
  EXPECT_EQ(SegmentOf(Lsn(0x1000000), k16MiB), SegmentNumber(1));
  EXPECT_EQ(SegmentOffset(Lsn(0x1000000), k16MiB), 0u);
  EXPECT_EQ(SegmentOf(Lsn::kMax, k16MiB), MaxSegmentNumber(k16MiB));
  EXPECT_EQ(SegmentOffset(Lsn::kMax, k16MiB), k16MiB - 1);

  EXPECT_EQ(*SegmentStart(SegmentNumber(0), k16MiB), Lsn::kInvalid);
  EXPECT_EQ(*SegmentStart(SegmentNumber(0x1AFF), k16MiB), Lsn::FromParts(0x1A, 0xFF000000));
  for (const uint64_t s : AllSegmentSizes()) {
    const SegmentNumber last = MaxSegmentNumber(s);
    EXPECT_EQ(*SegmentStart(last, s), Lsn(UINT64_MAX - s + 1)) << s;
    EXPECT_EQ(SegmentOf(*SegmentStart(last, s), s), last) << s;
    const Result<Lsn> past = SegmentStart(last.Next(), s);
    ASSERT_FALSE(past.ok()) << s;
    EXPECT_EQ(past.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(past.status().message(), HasSubstr("past the last segment"));
  }
  EXPECT_EQ(SegmentStart(SegmentNumber(UINT64_MAX), k16MiB).status().message(),
            "segment number 18446744073709551615 is past the last segment (1099511627775) for "
            "16 MiB segments");
}

TEST(WalSegmentArithmeticDeathTest, InvalidSizeIsAProgrammingError) {
  EXPECT_DEATH((void)WalSegmentsPerXLogId(0), "invalid wal segment size 0");
  EXPECT_DEATH((void)SegmentOf(Lsn(1), 3 * kMiB), "SegmentOf called with invalid");
  EXPECT_DEATH((void)WalFileName::Segment(TimelineId(1), SegmentNumber(0)).ToString(0),
               "invalid name");
  EXPECT_DEATH((void)WalFileName::Segment(TimelineId(0), SegmentNumber(0)).ToString(k16MiB),
               "timeline 0 is invalid");
}

// Real PostgreSQL names, as pg_walfile_name() and the archiver produce them.
TEST(WalFileNameTest, MatchesPostgres) {
  struct Case {
    uint64_t lsn;
    uint64_t seg_size;
    const char* name;
  };
  const Case cases[] = {
      {0x1000000, k16MiB, "000000010000000000000001"},     // 0/1000000
      {0x100000000, k16MiB, "000000010000000100000000"},   // 1/0
      {0x16B3748, k16MiB, "000000010000000000000001"},     // 0/16B3748
      {0x1AFF000000, k16MiB, "000000010000001A000000FF"},  // 1A/FF000000
      {0xFFFFFFFF, k16MiB, "0000000100000000000000FF"},    // 0/FFFFFFFF
      {UINT64_MAX, k16MiB, "00000001FFFFFFFF000000FF"},
      {0xFFF00000, kMiB, "000000010000000000000FFF"},  // 1 MiB: 4096 segments per xlogid
      {0x100000000, kMiB, "000000010000000100000000"},
      {0xFC000000, 64 * kMiB, "00000001000000000000003F"},            // 64 MiB: 64 per xlogid
      {0x1C0000000, kMaxWalSegmentSize, "000000010000000100000003"},  // 1 GiB: 4 per xlogid
  };
  for (const Case& c : cases) {
    const WalFileName name = WalFileName::Segment(TimelineId(1), SegmentOf(Lsn(c.lsn), c.seg_size));
    EXPECT_EQ(name.ToString(c.seg_size), c.name) << Lsn(c.lsn).ToString();
    EXPECT_EQ(MustParse(c.name, c.seg_size), name) << c.name;
  }
  // The backup history file of a base backup that started at 0/2000028 (16 MiB).
  const WalFileName backup = WalFileName::BackupAt(TimelineId(1), Lsn(0x2000028), k16MiB);
  EXPECT_EQ(backup.ToString(k16MiB), "000000010000000000000002.00000028.backup");
  EXPECT_EQ(backup.segno, SegmentNumber(2));
  EXPECT_EQ(backup.backup_offset, 0x28u);
  EXPECT_EQ(WalFileName::History(TimelineId(2)).ToString(k16MiB), "00000002.history");
  EXPECT_EQ(WalFileName::Partial(TimelineId(0x1A), SegmentNumber(3)).ToString(k16MiB),
            "0000001A0000000000000003.partial");
}

TEST(WalFileNameTest, ParsesEachKind) {
  WalFileName n = MustParse("0000000A000000020000003F", k16MiB);
  EXPECT_EQ(n.kind, WalFileKind::kSegment);
  EXPECT_EQ(n.timeline, TimelineId(10));
  EXPECT_EQ(n.segno, SegmentNumber(2 * 256 + 0x3F));
  EXPECT_EQ(n.backup_offset, 0u);

  n = MustParse("0000000A000000020000003F.partial", k16MiB);
  EXPECT_EQ(n.kind, WalFileKind::kPartial);
  EXPECT_EQ(n.segno, SegmentNumber(2 * 256 + 0x3F));

  n = MustParse("FFFFFFFF.history", k16MiB);
  EXPECT_EQ(n.kind, WalFileKind::kHistory);
  EXPECT_EQ(n.timeline, TimelineId(0xFFFFFFFF));
  EXPECT_EQ(n.segno, SegmentNumber(0));

  n = MustParse("000000010000000000000002.00FFFFFF.backup", k16MiB);
  EXPECT_EQ(n.kind, WalFileKind::kBackup);
  EXPECT_EQ(n.segno, SegmentNumber(2));
  EXPECT_EQ(n.backup_offset, 0xFFFFFFu);
}

TEST(WalFileNameTest, RoundTripsEverySizeAtBoundaries) {
  const TimelineId tlis[] = {TimelineId(1), TimelineId(0x1A), TimelineId(0xFFFFFFFF)};
  for (const uint64_t seg_size : AllSegmentSizes()) {
    const uint64_t per_log = WalSegmentsPerXLogId(seg_size);
    const uint64_t max = MaxSegmentNumber(seg_size).value();
    const uint64_t segnos[] = {0,           1,          per_log - 1, per_log,       per_log + 1,
                               2 * per_log, 0x12345678, max / 2,     max - per_log, max - 1,
                               max};
    for (const TimelineId tli : tlis) {
      for (const uint64_t raw : segnos) {
        SCOPED_TRACE(testing::Message()
                     << "seg_size=" << seg_size << " segno=" << raw << " tli=" << tli.value());
        const SegmentNumber segno(raw);
        const std::string expected = ExpectedSegmentName(tli.value(), raw, seg_size);
        // Segment.
        const WalFileName seg = WalFileName::Segment(tli, segno);
        ASSERT_EQ(seg.ToString(seg_size), expected);
        EXPECT_EQ(MustParse(expected, seg_size), seg);
        // Partial.
        const WalFileName partial = WalFileName::Partial(tli, segno);
        ASSERT_EQ(partial.ToString(seg_size), expected + ".partial");
        EXPECT_EQ(MustParse(expected + ".partial", seg_size), partial);
        // Backup at the first, a middle and the last offset of the segment.
        for (const uint64_t off : {uint64_t{0}, uint64_t{0x28}, seg_size / 2, seg_size - 1}) {
          const WalFileName backup = WalFileName::Backup(tli, segno, static_cast<uint32_t>(off));
          char suffix[32];
          std::snprintf(suffix, sizeof(suffix), ".%08X.backup", static_cast<unsigned>(off));
          ASSERT_EQ(backup.ToString(seg_size), expected + suffix);
          EXPECT_EQ(MustParse(expected + suffix, seg_size), backup);
        }
        // Lsn <-> segment.
        const Lsn start = *SegmentStart(segno, seg_size);
        EXPECT_EQ(SegmentOf(start, seg_size), segno);
        EXPECT_EQ(SegmentOf(start + (seg_size - 1), seg_size), segno);
        EXPECT_EQ(WalFileName::BackupAt(tli, start + 0x28, seg_size),
                  WalFileName::Backup(tli, segno, 0x28));
      }
      const WalFileName history = WalFileName::History(tli);
      EXPECT_EQ(MustParse(history.ToString(seg_size), seg_size), history);
    }
  }
}

TEST(WalFileNameTest, SegmentPartDependsOnSize) {
  // YYYYYYYY = FFF is the last segment of an xlogid at 1 MiB, and out of range above it.
  EXPECT_TRUE(WalFileName::Parse("000000010000000000000FFF", kMiB).ok());
  EXPECT_EQ(WalFileName::Parse("000000010000000000000FFF", 2 * kMiB).status().message(),
            "invalid wal file name \"000000010000000000000FFF\": segment part 00000FFF is out of "
            "range for 2 MiB segments (must be below 00000800)");
  EXPECT_TRUE(WalFileName::Parse("000000010000000000000003", kMaxWalSegmentSize).ok());
  EXPECT_EQ(WalFileName::Parse("000000010000000000000004", kMaxWalSegmentSize).status().message(),
            "invalid wal file name \"000000010000000000000004\": segment part 00000004 is out of "
            "range for 1 GiB segments (must be below 00000004)");
  // The same name is a different segment number at a different size.
  EXPECT_EQ(MustParse("000000010000000100000000", kMiB).segno, SegmentNumber(4096));
  EXPECT_EQ(MustParse("000000010000000100000000", k16MiB).segno, SegmentNumber(256));
}

struct BadName {
  std::string name;
  uint64_t seg_size;
  std::string reason;
};

std::string WithByte(std::string s, size_t pos, char c) {
  s[pos] = c;
  return s;
}

const std::vector<BadName>& MalformedNames() {
  static const auto* names = new std::vector<BadName>{
      // Wrong lengths.
      {"", k16MiB, "length 0 matches no wal"},
      {"00000001000000000000000", k16MiB, "length 23"},
      {"0000000100000000000000001", k16MiB, "length 25"},
      {"000000010000000000000001 ", k16MiB, "length 25"},
      {"000000010000000000000001\n", k16MiB, "length 25"},
      {"000000010000000000000001/", k16MiB, "length 25"},
      {"/000000010000000000000001", k16MiB, "length 25"},
      {"0000000100000000000000010", k16MiB, "length 25"},
      {"000000010000000000000001.partial.partial", k16MiB, "unknown suffix"},  // also 40 long
      {"000000010000000000000001.partial ", k16MiB, "length 33"},
      {"00000001.histor", k16MiB, "length 15"},
      {"00000001.history.backup", k16MiB, "length 23"},
      {"000000010000000000000002.0000028.backup", k16MiB, "length 39"},
      {"000000010000000000000002.000000028.backup", k16MiB, "length 41"},
      {"1", k16MiB, "length 1"},
      {std::string(100000, '0'), k16MiB, "length 100000"},
      // Lowercase and other non-hex characters.
      {"00000001000000000000000a", k16MiB, "character \"a\" at offset 23 is not an uppercase"},
      {"0000000a000000000000000A", k16MiB, "character \"a\" at offset 7"},
      {"00000001000000ff00000001", k16MiB, "character \"f\" at offset 14"},
      {"0000000G0000000000000001", k16MiB, "character \"G\" at offset 7"},
      {" 00000010000000000000001", k16MiB, "character \" \" at offset 0"},
      {"00000001\t000000000000001", k16MiB, "character \"\\x09\" at offset 8"},
      {"000000010000000000000001\r", k16MiB, "length 25"},
      {"0x000001000000000000000001", k16MiB, "length 26"},
      {"0x0000010000000000000001", k16MiB, "character \"x\" at offset 1"},
      {"+00000010000000000000001", k16MiB, "character \"+\" at offset 0"},
      {"-00000010000000000000001", k16MiB, "character \"-\" at offset 0"},
      {WithByte("000000010000000000000001", 12, '\0'), k16MiB, "character \"\\x00\" at offset 12"},
      {WithByte("000000010000000000000001", 23, '\0'), k16MiB, "\"00000001000000000000000\\x00\""},
      {"00000001000000000000000\xc3\xa9", k16MiB, "length 25"},  // UTF-8 e-acute
      {"000000010000000000000\xef\xbc\x91", k16MiB, "character \"\\xEF\" at offset 21"},
      // Path tricks.
      {"0000000100000000/../0001", k16MiB, "character \"/\" at offset 16"},
      {"../../../../../etc/passw", k16MiB, "character \".\" at offset 0"},
      {"00000001/..", k16MiB, "length 11"},
      {"..", k16MiB, "length 2"},
      {"0000000000000000/.history", k16MiB, "length 25"},
      {"00000001/history", k16MiB, "unknown suffix"},
      {"../00001.history", k16MiB, "character \".\" at offset 0"},
      {"0000000100000000000/0001.partial", k16MiB, "character \"/\" at offset 19"},
      // Suffixes.
      {"000000010000000000000001.PARTIAL", k16MiB, "unknown suffix"},
      {"000000010000000000000001_partial", k16MiB, "unknown suffix"},
      {"000000010000000000000001.partia1", k16MiB, "unknown suffix"},
      {"00000001.History", k16MiB, "unknown suffix"},
      {"00000001_history", k16MiB, "unknown suffix"},
      {"000000010000000000000002.00000028.BACKUP", k16MiB, "unknown suffix"},
      {"000000010000000000000002_00000028.backup", k16MiB, "unknown suffix"},
      {"000000010000000000000002.00000028_backup", k16MiB, "unknown suffix"},
      {std::string("000000010000000000000002.00000028.backup\0", 41), k16MiB, "length 41"},
      {std::string("000000010000000000000002.00000028.backu\0", 40), k16MiB, "unknown suffix"},
      // Timeline 0.
      {"000000000000000000000001", k16MiB, "timeline 0 is invalid"},
      {"000000000000000000000001.partial", k16MiB, "timeline 0 is invalid"},
      {"00000000.history", k16MiB, "timeline 0 is invalid"},
      {"000000000000000000000002.00000028.backup", k16MiB, "timeline 0 is invalid"},
      // Segment part out of range for the size.
      {"000000010000000000000100", k16MiB, "segment part 00000100 is out of range"},
      {"0000000100000000FFFFFFFF", k16MiB, "segment part FFFFFFFF is out of range"},
      {"000000010000000000001000", kMiB, "segment part 00001000 is out of range"},
      {"000000010000000000000004", kMaxWalSegmentSize, "segment part 00000004 is out of range"},
      {"000000010000000000000100.partial", k16MiB, "segment part 00000100"},
      {"000000010000000000000100.00000028.backup", k16MiB, "segment part 00000100"},
      // Backup offsets.
      {"000000010000000000000002.01000000.backup", k16MiB,
       "backup offset 01000000 is beyond a 16 MiB segment"},
      {"000000010000000000000002.FFFFFFFF.backup", k16MiB, "backup offset FFFFFFFF"},
      {"000000010000000000000002.00100000.backup", kMiB, "backup offset 00100000"},
      {"000000010000000000000002.40000000.backup", kMaxWalSegmentSize, "backup offset 40000000"},
      {"000000010000000000000002.0000002g.backup", k16MiB, "character \"g\" at offset 32"},
      {"000000010000000000000002. 0000028.backup", k16MiB, "character \" \" at offset 25"},
      // Invalid segment sizes.
      {"000000010000000000000001", 0, "invalid wal segment size 0 bytes"},
      {"000000010000000000000001", 3 * kMiB, "invalid wal segment size 3145728 bytes"},
      {"000000010000000000000001", kMiB / 2, "invalid wal segment size 524288 bytes"},
      {"00000001.history", 2 * kMaxWalSegmentSize, "invalid wal segment size 2147483648 bytes"},
  };
  return *names;
}

TEST(WalFileNameTest, RejectsMalformedNames) {
  for (const BadName& c : MalformedNames()) {
    SCOPED_TRACE(testing::Message()
                 << "name=" << c.name.substr(0, 64) << " seg_size=" << c.seg_size);
    const Result<WalFileName> r = WalFileName::Parse(c.name, c.seg_size);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), StartsWith("invalid wal file name \""));
    EXPECT_THAT(r.status().message(), HasSubstr(c.reason));
    // Messages stay short and printable whatever the input.
    EXPECT_LT(r.status().message().size(), 300u);
    const Status status = r.status();  // status() returns a copy: keep it alive for the loop
    for (const char ch : status.message()) {
      EXPECT_TRUE(ch >= 0x20 && ch < 0x7F) << "unprintable byte in message";
    }
  }
}

TEST(WalFileNameTest, ErrorMessageNamesTheEscapedInput) {
  EXPECT_EQ(
      WalFileName::Parse(WithByte("000000010000000000000001", 8, '\0'), k16MiB).status().message(),
      "invalid wal file name \"00000001\\x00000000000000001\": character \"\\x00\" at "
      "offset 8 is not an uppercase hex digit");
  EXPECT_EQ(WalFileName::Parse("00000000.history", k16MiB).status().message(),
            "invalid wal file name \"00000000.history\": timeline 0 is invalid");
}

TEST(WalFileNameTest, ValidateChecksFields) {
  EXPECT_TRUE(WalFileName::Segment(TimelineId(1), SegmentNumber(5)).Validate(k16MiB).ok());
  EXPECT_TRUE(WalFileName::Segment(TimelineId(1), MaxSegmentNumber(k16MiB)).Validate(k16MiB).ok());

  struct Case {
    WalFileName name;
    uint64_t seg_size;
    std::string reason;
  };
  const Case cases[] = {
      {WalFileName::Segment(TimelineId(0), SegmentNumber(1)), k16MiB, "timeline 0 is invalid"},
      {WalFileName::Segment(TimelineId(1), MaxSegmentNumber(k16MiB).Next()), k16MiB,
       "segment number 1099511627776 is past the last segment (1099511627775) for 16 MiB"},
      {WalFileName::Partial(TimelineId(1), MaxSegmentNumber(kMiB)), k16MiB, "past the last"},
      {WalFileName::Backup(TimelineId(1), SegmentNumber(1), 0x1000000), k16MiB,
       "backup offset 16777216 is beyond a 16 MiB segment"},
      {WalFileName{WalFileKind::kSegment, TimelineId(1), SegmentNumber(1), 4}, k16MiB,
       "wal segment file name: backup offset must be 0"},
      {WalFileName{WalFileKind::kHistory, TimelineId(1), SegmentNumber(1), 0}, k16MiB,
       "segment number and backup offset must be 0"},
      {WalFileName{WalFileKind::kHistory, TimelineId(1), SegmentNumber(0), 1}, k16MiB,
       "segment number and backup offset must be 0"},
      {WalFileName{static_cast<WalFileKind>(9), TimelineId(1), SegmentNumber(0), 0}, k16MiB,
       "unknown kind 9"},
      {WalFileName::Segment(TimelineId(1), SegmentNumber(1)), 0, "invalid wal segment size"},
  };
  for (const Case& c : cases) {
    const Status s = c.name.Validate(c.seg_size);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.reason;
    EXPECT_THAT(s.message(), HasSubstr(c.reason));
  }
}

TEST(WalFileNameTest, KindNames) {
  EXPECT_EQ(WalFileKindName(WalFileKind::kSegment), "segment");
  EXPECT_EQ(WalFileKindName(WalFileKind::kPartial), "partial");
  EXPECT_EQ(WalFileKindName(WalFileKind::kHistory), "history");
  EXPECT_EQ(WalFileKindName(WalFileKind::kBackup), "backup");
}

TEST(SegmentNumberTest, ValueType) {
  EXPECT_EQ(SegmentNumber().value(), 0u);
  EXPECT_EQ(SegmentNumber(41).Next(), SegmentNumber(42));
  EXPECT_LT(SegmentNumber(1), SegmentNumber(2));
  EXPECT_EQ(SegmentNumber(1099511627775).ToString(), "1099511627775");
}

}  // namespace
}  // namespace klio
