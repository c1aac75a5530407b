#include "pg/replication_protocol.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "env/random.h"

namespace klio::pg {
namespace {

using ::testing::HasSubstr;

Bytes Hex(std::string_view hex) {
  Bytes out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    while (hex[i] == ' ') ++i;
    out.push_back(static_cast<uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

// The worked example of docs/design/pg-replication.md §2.
TEST(ReplicationProtocolTest, ParsesXLogDataWorkedExample) {
  const Bytes msg =
      Hex("77 0000000001000028 0000000001000100 0002b6f3b1c2d3e4 "
          "deadbeef");
  auto parsed = ParseServerMessage(msg);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const auto& w = std::get<XLogData>(*parsed);
  EXPECT_EQ(w.data_start, Lsn::FromParts(0, 0x1000028));
  EXPECT_EQ(w.wal_end, Lsn::FromParts(0, 0x1000100));
  EXPECT_EQ(w.send_time, 0x0002b6f3b1c2d3e4);
  ASSERT_EQ(w.payload.size(), 4u);
  EXPECT_EQ(w.payload[0], 0xde);
  EXPECT_EQ(w.payload.data(), msg.data() + kXLogDataHeaderSize);  // a view, no copy
  EXPECT_EQ(w.data_end(), Lsn::FromParts(0, 0x100002C));
  EXPECT_EQ(BuildXLogData(w.data_start, w.wal_end, w.send_time, w.payload), msg);
}

TEST(ReplicationProtocolTest, XLogDataMayBeEmpty) {
  const Bytes msg = BuildXLogData(Lsn(5), Lsn(9), -3, {});
  auto w = ParseXLogData(msg);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  EXPECT_TRUE(w->payload.empty());
  EXPECT_EQ(w->send_time, -3);
  EXPECT_EQ(w->data_end(), Lsn(5));
}

TEST(ReplicationProtocolTest, ParsesKeepalive) {
  const Bytes msg = Hex("6b 00000001000000a0 0000000000000010 01");
  auto parsed = ParseServerMessage(msg);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  const auto& k = std::get<PrimaryKeepalive>(*parsed);
  EXPECT_EQ(k.wal_end, Lsn::FromParts(1, 0xA0));
  EXPECT_EQ(k.send_time, 16);
  EXPECT_TRUE(k.reply_requested);
  EXPECT_EQ(BuildKeepalive(k), msg);
  const PrimaryKeepalive no_reply{Lsn(7), 8, false};
  EXPECT_EQ(ParseKeepalive(BuildKeepalive(no_reply)).value(), no_reply);
}

// The worked example of docs/design/pg-replication.md §2.
TEST(ReplicationProtocolTest, BuildsStandbyStatusUpdate) {
  const StandbyStatusUpdate u{Lsn::FromParts(0, 0x3000000), Lsn::FromParts(0, 0x2000000),
                              Lsn::FromParts(0, 0x2000000), 764107729500000, true};
  const Bytes msg = BuildStandbyStatusUpdate(u);
  EXPECT_EQ(msg, Hex("72 0000000003000000 0000000002000000 0000000002000000 "
                     "0002b6f3b1c97760 01"));
  ASSERT_EQ(msg.size(), kStandbyStatusSize);
  EXPECT_EQ(ParseStandbyStatusUpdate(msg).value(), u);
}

TEST(ReplicationProtocolTest, PostgresEpoch) {
  using std::chrono::seconds;
  using std::chrono::system_clock;
  const auto y2k = system_clock::time_point(seconds(946684800));
  EXPECT_EQ(ToPostgresTimestamp(y2k), 0);
  EXPECT_EQ(ToPostgresTimestamp(y2k + std::chrono::microseconds(1500)), 1500);
  EXPECT_EQ(ToPostgresTimestamp(y2k - seconds(1)), -1000000);
  EXPECT_EQ(FromPostgresTimestamp(1500), y2k + std::chrono::microseconds(1500));
  // 2024-01-01T00:00:00Z is 757382400 s after 2000-01-01.
  EXPECT_EQ(ToPostgresTimestamp(system_clock::time_point(seconds(1704067200))),
            int64_t{757382400} * 1000000);
  // Extreme values clamp instead of overflowing (UBSan would catch a wrap).
  EXPECT_GT(FromPostgresTimestamp(INT64_MAX),
            system_clock::time_point::max() - std::chrono::microseconds(1));
  EXPECT_LE(FromPostgresTimestamp(INT64_MIN), system_clock::time_point(seconds(0)));
}

TEST(ReplicationProtocolTest, RejectsMalformedMessages) {
  struct Case {
    Bytes msg;
    std::string error;
  };
  const std::vector<Case> cases = {
      {{}, "empty CopyData"},
      {Hex("77"), "XLogData message: truncated: need 8 bytes at offset 1, have 0"},
      {Hex("77 0000000000000001 00000000000000"), "XLogData message: truncated"},
      {Hex("77 fffffffffffffffe 0000000000000000 0000000000000000 0102 03"),
       "3 bytes at FFFFFFFF/FFFFFFFE run past the largest LSN"},
      {Hex("6b 0000000000000001 0000000000000002"), "keepalive message: truncated"},
      {Hex("6b 0000000000000001 0000000000000002 02"), "replyRequested byte is 2"},
      {Hex("6b 0000000000000001 0000000000000002 00 00"),
       "keepalive message: 1 unexpected trailing bytes at offset 18"},
      {Hex("64 00"), "unknown tag 'd' in a 2-byte CopyData"},
      {Hex("00"), "unknown tag 0x00"},
  };
  for (const auto& c : cases) {
    auto r = ParseServerMessage(c.msg);
    ASSERT_FALSE(r.ok()) << c.error;
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
    EXPECT_THAT(r.status().message(), HasSubstr(c.error));
  }
  EXPECT_THAT(ParseXLogData(Hex("6b")).status().message(), HasSubstr("tag 'k', expected 'w'"));
  EXPECT_THAT(ParseKeepalive(Hex("77")).status().message(), HasSubstr("tag 'w', expected 'k'"));
  EXPECT_THAT(ParseStandbyStatusUpdate(Hex("72 00")).status().message(),
              HasSubstr("standby status update: truncated"));
}

// Decoder robustness: random and mutated inputs must never crash or read out of bounds
// (ASan/UBSan build), and whatever decodes must re-encode to the same bytes.
TEST(ReplicationProtocolTest, DecodersSurviveGarbage) {
  env::SeededRandom rng(20240601);
  const Bytes seeds[] = {
      BuildXLogData(Lsn(0x1000000), Lsn(0x2000000), 123, AsBytes("some wal bytes")),
      BuildKeepalive({Lsn(42), 7, true}),
      BuildStandbyStatusUpdate({Lsn(1), Lsn(2), Lsn(3), 4, false}),
  };
  int decoded = 0;
  for (int i = 0; i < 50000; ++i) {
    Bytes msg;
    if (rng.Uniform(3) == 0) {
      msg.resize(rng.Uniform(48));
      rng.Fill(msg);
      if (!msg.empty() && rng.Uniform(2) == 0) msg[0] = "wkr"[rng.Uniform(3)];
    } else {
      msg = seeds[rng.Uniform(3)];
      const uint64_t edits = 1 + rng.Uniform(4);
      for (uint64_t e = 0; e < edits; ++e) {
        switch (rng.Uniform(3)) {
          case 0:  // flip a byte
            if (!msg.empty()) msg[rng.Uniform(msg.size())] = static_cast<uint8_t>(rng.Next64());
            break;
          case 1:  // truncate
            msg.resize(rng.Uniform(msg.size() + 1));
            break;
          default:  // append
            msg.push_back(static_cast<uint8_t>(rng.Next64()));
        }
      }
    }
    // Decode from an exactly-sized heap copy so ASan sees any overread.
    const Bytes exact(msg.begin(), msg.end());
    auto server = ParseServerMessage(exact);
    if (server.ok()) {
      ++decoded;
      if (const auto* w = std::get_if<XLogData>(&*server)) {
        EXPECT_EQ(BuildXLogData(w->data_start, w->wal_end, w->send_time, w->payload), exact);
      } else {
        EXPECT_EQ(BuildKeepalive(std::get<PrimaryKeepalive>(*server)), exact);
      }
    } else {
      EXPECT_EQ(server.status().code(), StatusCode::kCorruption);
    }
    auto status = ParseStandbyStatusUpdate(exact);
    if (status.ok()) {
      EXPECT_EQ(BuildStandbyStatusUpdate(*status), exact);
    }
  }
  EXPECT_GT(decoded, 500);  // the mutations still exercise the success paths
}

}  // namespace
}  // namespace klio::pg
