// Randomized round-trip and differential tests for the text forms in src/base.
//
// Each test draws from a seeded generator (KLIO_TEST_SEED overrides the fixed default, and the
// seed is printed on failure), so a failure reproduces exactly. Parsers are checked against a
// separate regular-expression reference: on any input, the parser accepts exactly what the
// reference accepts, with the same value, and what it accepts round-trips.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "base/escape.h"
#include "base/lsn.h"
#include "base/timeline.h"
#include "base/wal_name.h"

namespace klio {
namespace {

using ::testing::StartsWith;

constexpr uint64_t kDefaultSeed = 0x6B6C696F;  // "klio"
constexpr int kIterations = 10000;

uint64_t TestSeed() {
  const char* env = std::getenv("KLIO_TEST_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 0) : kDefaultSeed;
}

class Rng {
 public:
  explicit Rng(uint64_t seed) : gen_(seed) {}
  // Uniform in [lo, hi].
  uint64_t Between(uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(gen_);
  }
  bool OneIn(uint64_t n) { return Between(0, n - 1) == 0; }
  // A value in [0, max] that lands on or next to an edge of the range half of the time,
  // where off-by-one bugs live.
  uint64_t Interesting(uint64_t max) {
    switch (Between(0, 5)) {
      case 0:
        return Between(0, std::min<uint64_t>(max, 3));
      case 1:
        return max - Between(0, std::min<uint64_t>(max, 3));
      case 2:
        return Between(0, max) & ~uint64_t{0xFF};
      default:
        return Between(0, max);
    }
  }

 private:
  std::mt19937_64 gen_;
};

// Characters the grammars use, their neighbours, and the dangerous ones; now and then any byte.
char RandomChar(Rng& rng) {
  static const std::string kAlphabet = std::string("0123456789ABCDEFabcdefG/.+-x \n\t") + '\0';
  if (rng.OneIn(8)) return static_cast<char>(rng.Between(0, 255));
  return kAlphabet[rng.Between(0, kAlphabet.size() - 1)];
}

// Replaces, inserts or deletes one to three characters.
std::string Mutate(std::string s, Rng& rng) {
  const uint64_t edits = rng.Between(1, 3);
  for (uint64_t i = 0; i < edits; ++i) {
    const uint64_t op = rng.Between(0, 2);
    if (op == 0 && !s.empty()) {
      s[rng.Between(0, s.size() - 1)] = RandomChar(rng);
    } else if (op == 1 || s.empty()) {
      s.insert(rng.Between(0, s.size()), 1, RandomChar(rng));
    } else {
      s.erase(rng.Between(0, s.size() - 1), 1);
    }
  }
  return s;
}

std::string RandomString(Rng& rng, size_t max_len) {
  std::string s(rng.Between(0, max_len), '\0');
  for (char& c : s) c = RandomChar(rng);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Lsn

// Reference: a regex for the grammar, stoull for the value.
bool ReferenceLsn(const std::string& text, uint64_t* value) {
  static const std::regex kLsn("([0-9A-Fa-f]{1,8})/([0-9A-Fa-f]{1,8})");
  std::smatch m;
  if (!std::regex_match(text, m, kLsn)) return false;
  *value = (std::stoull(m[1].str(), nullptr, 16) << 32) | std::stoull(m[2].str(), nullptr, 16);
  return true;
}

// Returns whether the parser accepted `text` (after checking it against the reference).
bool CheckLsnAgainstReference(const std::string& text) {
  SCOPED_TRACE(EscapeForMessage(text));
  uint64_t want = 0;
  const bool ref_ok = ReferenceLsn(text, &want);
  const Result<Lsn> got = Lsn::Parse(text);
  EXPECT_EQ(got.ok(), ref_ok) << got.status().ToString();
  if (got.ok() != ref_ok) return got.ok();
  if (ref_ok) {
    EXPECT_EQ(got->value(), want);
    EXPECT_EQ(*Lsn::Parse(got->ToString()), *got);
  } else {
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(got.status().message(), StartsWith("invalid lsn \""));
  }
  return got.ok();
}

// A text form of `v` that Parse must accept: PostgreSQL's, or padded, or in lowercase.
std::string LsnTextVariant(uint64_t v, Rng& rng) {
  const auto hi = static_cast<unsigned>(v >> 32);
  const auto lo = static_cast<unsigned>(v);
  char buf[32];
  switch (rng.Between(0, 3)) {
    case 0:
      std::snprintf(buf, sizeof(buf), "%08X/%08X", hi, lo);
      break;
    case 1:
      std::snprintf(buf, sizeof(buf), "%x/%x", hi, lo);
      break;
    case 2:
      std::snprintf(buf, sizeof(buf), "%0*X/%0*x", static_cast<int>(rng.Between(1, 8)), hi,
                    static_cast<int>(rng.Between(1, 8)), lo);
      break;
    default:
      std::snprintf(buf, sizeof(buf), "%X/%X", hi, lo);
      break;
  }
  return buf;
}

uint64_t RandomLsnValue(Rng& rng) {
  return rng.OneIn(2) ? rng.Interesting(UINT64_MAX)
                      : rng.Interesting((uint64_t{1} << rng.Between(0, 63)) - 1);
}

TEST(LsnPropertyTest, RoundTripsRandomValues) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(testing::Message() << "KLIO_TEST_SEED=" << seed);
  Rng rng(seed);
  for (int i = 0; i < kIterations; ++i) {
    const Lsn lsn(RandomLsnValue(rng));
    const std::string text = lsn.ToString();
    char want[32];
    std::snprintf(want, sizeof(want), "%X/%X", lsn.hi(), lsn.lo());
    ASSERT_EQ(text, want);
    const Result<Lsn> back = Lsn::Parse(text);
    ASSERT_TRUE(back.ok()) << text;
    ASSERT_EQ(*back, lsn) << text;

    const std::string variant = LsnTextVariant(lsn.value(), rng);
    const Result<Lsn> parsed = Lsn::Parse(variant);
    ASSERT_TRUE(parsed.ok()) << variant;
    ASSERT_EQ(*parsed, lsn) << variant;
  }
}

TEST(LsnPropertyTest, AgreesWithReferenceOnMutatedAndRandomText) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(testing::Message() << "KLIO_TEST_SEED=" << seed);
  Rng rng(seed + 1);
  int accepted = 0;
  for (int i = 0; i < kIterations && !HasFailure(); ++i) {
    const std::string text = rng.OneIn(4) ? RandomString(rng, 20)
                                          : Mutate(LsnTextVariant(RandomLsnValue(rng), rng), rng);
    accepted += CheckLsnAgainstReference(text) ? 1 : 0;
  }
  // Both outcomes must be common, or the comparison proves little.
  EXPECT_GT(accepted, kIterations / 20);
  EXPECT_LT(accepted, kIterations - kIterations / 20);
}

TEST(LsnPropertyTest, OrderMatchesValueOrder) {
  Rng rng(TestSeed() + 2);
  for (int i = 0; i < kIterations; ++i) {
    const uint64_t a = RandomLsnValue(rng);
    const uint64_t b = RandomLsnValue(rng);
    ASSERT_EQ(Lsn(a) < Lsn(b), a < b);
    ASSERT_EQ(Lsn(a) - Lsn(b), a > b ? a - b : 0);
    ASSERT_EQ((Lsn(a) + b).value(), b > UINT64_MAX - a ? UINT64_MAX : a + b);
  }
}

// ---------------------------------------------------------------------------------------------
// TimelineId

TEST(TimelinePropertyTest, RoundTripsRandomValues) {
  Rng rng(TestSeed() + 3);
  for (int i = 0; i < kIterations; ++i) {
    const TimelineId tli(static_cast<uint32_t>(rng.Interesting(UINT32_MAX - 1) + 1));
    ASSERT_EQ(*TimelineId::ParseHex(tli.ToHex()), tli);
    ASSERT_EQ(*TimelineId::ParseDecimal(tli.ToString()), tli);
    // Mutated hex text parses only if it is still 8 uppercase hex digits, not all zero.
    const std::string mutated = Mutate(tli.ToHex(), rng);
    static const std::regex kHex("[0-9A-F]{8}");
    const bool ref_ok = std::regex_match(mutated, kHex) && mutated != "00000000";
    const Result<TimelineId> r = TimelineId::ParseHex(mutated);
    ASSERT_EQ(r.ok(), ref_ok) << EscapeForMessage(mutated);
    if (ref_ok) {
      ASSERT_EQ(r->ToHex(), mutated);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// WalFileName

std::vector<uint64_t> AllSegmentSizes() {
  std::vector<uint64_t> sizes;
  for (uint64_t s = kMinWalSegmentSize; s <= kMaxWalSegmentSize; s *= 2) sizes.push_back(s);
  return sizes;
}

WalFileName RandomName(Rng& rng, uint64_t seg_size) {
  const TimelineId tli(static_cast<uint32_t>(rng.OneIn(2) ? rng.Between(1, 20)
                                                          : rng.Interesting(UINT32_MAX - 1) + 1));
  const SegmentNumber segno(rng.Interesting(MaxSegmentNumber(seg_size).value()));
  switch (rng.Between(0, 3)) {
    case 0:
      return WalFileName::Segment(tli, segno);
    case 1:
      return WalFileName::Partial(tli, segno);
    case 2:
      return WalFileName::History(tli);
    default:
      return WalFileName::Backup(tli, segno, static_cast<uint32_t>(rng.Interesting(seg_size - 1)));
  }
}

// Reference: a regex for the grammar, then the numeric rules, written independently of
// wal_name.cc.
bool ReferenceWalName(const std::string& name, uint64_t seg_size, WalFileName* out) {
  static const std::regex kName(
      "([0-9A-F]{8})(?:\\.history|([0-9A-F]{8})([0-9A-F]{8})(\\.partial|\\.([0-9A-F]{8})\\.backup)?"
      ")");
  std::smatch m;
  if (!std::regex_match(name, m, kName)) return false;
  const auto hex = [&](int group) { return std::stoull(m[group].str(), nullptr, 16); };
  const uint64_t tli = hex(1);
  if (tli == 0) return false;
  out->timeline = TimelineId(static_cast<uint32_t>(tli));
  out->segno = SegmentNumber(0);
  out->backup_offset = 0;
  if (!m[2].matched) {
    out->kind = WalFileKind::kHistory;
    return true;
  }
  const uint64_t per_log = (uint64_t{1} << 32) / seg_size;
  if (hex(3) >= per_log) return false;
  out->segno = SegmentNumber(hex(2) * per_log + hex(3));
  if (!m[4].matched) {
    out->kind = WalFileKind::kSegment;
  } else if (m[4].str() == ".partial") {
    out->kind = WalFileKind::kPartial;
  } else {
    if (hex(5) >= seg_size) return false;
    out->kind = WalFileKind::kBackup;
    out->backup_offset = static_cast<uint32_t>(hex(5));
  }
  return true;
}

// Returns whether the parser accepted `name` (after checking it against the reference).
bool CheckWalNameAgainstReference(const std::string& name, uint64_t seg_size) {
  SCOPED_TRACE(testing::Message() << EscapeForMessage(name) << " seg_size=" << seg_size);
  WalFileName want;
  const bool ref_ok = ReferenceWalName(name, seg_size, &want);
  const Result<WalFileName> got = WalFileName::Parse(name, seg_size);
  EXPECT_EQ(got.ok(), ref_ok) << got.status().ToString();
  if (got.ok() != ref_ok) return got.ok();
  if (ref_ok) {
    EXPECT_EQ(*got, want);
    EXPECT_TRUE(got->Validate(seg_size).ok());
    EXPECT_EQ(got->ToString(seg_size), name);  // whatever parses is canonical
  } else {
    EXPECT_EQ(got.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(got.status().message(), StartsWith("invalid wal file name \""));
  }
  return got.ok();
}

TEST(WalFileNamePropertyTest, RoundTripsRandomNames) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(testing::Message() << "KLIO_TEST_SEED=" << seed);
  Rng rng(seed + 4);
  const std::vector<uint64_t> sizes = AllSegmentSizes();
  for (int i = 0; i < kIterations; ++i) {
    const uint64_t seg_size = sizes[rng.Between(0, sizes.size() - 1)];
    const WalFileName name = RandomName(rng, seg_size);
    ASSERT_TRUE(name.Validate(seg_size).ok());
    const std::string text = name.ToString(seg_size);
    const Result<WalFileName> back = WalFileName::Parse(text, seg_size);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    ASSERT_EQ(*back, name) << text;
    if (name.kind != WalFileKind::kHistory) {
      const Lsn start = *SegmentStart(name.segno, seg_size);
      ASSERT_EQ(SegmentOf(start, seg_size), name.segno);
      ASSERT_EQ(SegmentOffset(start, seg_size), 0u);
    }
  }
}

TEST(WalFileNamePropertyTest, AgreesWithReferenceOnMutatedAndRandomNames) {
  const uint64_t seed = TestSeed();
  SCOPED_TRACE(testing::Message() << "KLIO_TEST_SEED=" << seed);
  Rng rng(seed + 5);
  const std::vector<uint64_t> sizes = AllSegmentSizes();
  int accepted = 0;
  for (int i = 0; i < kIterations && !HasFailure(); ++i) {
    const uint64_t seg_size = sizes[rng.Between(0, sizes.size() - 1)];
    std::string text;
    switch (rng.Between(0, 5)) {
      case 0:
        text = RandomString(rng, 48);
        break;
      // A valid name for another segment size: accepted only if it fits this one.
      case 1: {
        const uint64_t other = sizes[rng.Between(0, sizes.size() - 1)];
        text = RandomName(rng, other).ToString(other);
        break;
      }
      default:
        text = Mutate(RandomName(rng, seg_size).ToString(seg_size), rng);
        break;
    }
    accepted += CheckWalNameAgainstReference(text, seg_size) ? 1 : 0;
  }
  EXPECT_GT(accepted, kIterations / 20);
  EXPECT_LT(accepted, kIterations - kIterations / 20);
  RecordProperty("accepted", accepted);
}

}  // namespace
}  // namespace klio
