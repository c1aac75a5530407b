#include "telemetry/log_format.h"

#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace klio::log {
namespace {

using std::chrono::microseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;
using std::chrono::system_clock;

constexpr std::int64_t k20261122T101530 = 1795342530;

std::string Json(std::string_view text) {
  std::string out;
  AppendJsonString(text, &out);
  return out;
}

std::string Timestamp(system_clock::time_point tp, int digits) {
  std::string out;
  AppendTimestamp(tp, digits, &out);
  return out;
}

TEST(LogFormatTest, TimestampsAreRfc3339Utc) {
  const system_clock::time_point t{seconds(k20261122T101530) + microseconds(123456)};
  EXPECT_EQ(Timestamp(t, 6), "2026-11-22T10:15:30.123456Z");
  EXPECT_EQ(Timestamp(t, 3), "2026-11-22T10:15:30.123Z");
  EXPECT_EQ(Timestamp(system_clock::time_point{}, 6), "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(Timestamp(system_clock::time_point{nanoseconds(999)}, 6),
            "1970-01-01T00:00:00.000000Z");
  EXPECT_EQ(Timestamp(system_clock::time_point{-microseconds(1)}, 6),
            "1969-12-31T23:59:59.999999Z");
  // The per-thread cache must notice the second changing.
  EXPECT_EQ(Timestamp(t + seconds(1), 6), "2026-11-22T10:15:31.123456Z");
  EXPECT_EQ(Timestamp(t + seconds(86400 * 40), 6), "2027-01-01T10:15:30.123456Z");
}

TEST(LogFormatTest, JsonStringsEscapeWhatJsonRequires) {
  EXPECT_EQ(Json("plain"), "\"plain\"");
  EXPECT_EQ(Json("a\"b\\c"), R"("a\"b\\c")");
  EXPECT_EQ(Json("l1\nl2\r\t\b\f"), R"("l1\nl2\r\t\b\f")");
  EXPECT_EQ(Json(std::string("\0\x01\x1f\x7f", 4)), R"("\u0000\u0001\u001f\u007f")");
  EXPECT_EQ(Json("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9D\x84\x9E"),
            "\"h\xC3\xA9llo \xE2\x82\xAC \xF0\x9D\x84\x9E\"");
}

TEST(LogFormatTest, InvalidUtf8BecomesReplacementCharacters) {
  const std::string kFffd = "\xEF\xBF\xBD";
  EXPECT_EQ(Json("a\xFF"
                 "b"),
            "\"a" + kFffd + "b\"");
  EXPECT_EQ(Json("\xC3\x28"), "\"" + kFffd + "(\"");                     // bad continuation
  EXPECT_EQ(Json("\xC0\xAF"), "\"" + kFffd + kFffd + "\"");              // overlong
  EXPECT_EQ(Json("\xED\xA0\x80"), "\"" + kFffd + kFffd + kFffd + "\"");  // surrogate
  EXPECT_EQ(Json("\xF4\x90\x80\x80"), "\"" + kFffd + kFffd + kFffd + kFffd + "\"");  // >10FFFF
  EXPECT_EQ(Json("\xE2\x82"), "\"" + kFffd + kFffd + "\"");                          // truncated
}

TEST(LogFormatTest, EveryByteStringParsesAsJson) {
  std::vector<std::string> inputs;
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  inputs.push_back(all);
  for (int i = 0; i < 256; ++i) {
    inputs.push_back(std::string(1, static_cast<char>(i)));
    inputs.push_back(std::string("x") + static_cast<char>(i) + "\xE2\x82");
  }
  inputs.push_back("</script>\xE2\x80\xA8\xE2\x80\xA9");
  for (const std::string& in : inputs) {
    const std::string out = Json(in);
    EXPECT_EQ(out.find('\n'), std::string::npos);
    nlohmann::json parsed;
    ASSERT_NO_THROW(parsed = nlohmann::json::parse(out)) << out;
    ASSERT_TRUE(parsed.is_string());
  }
}

TEST(LogFormatTest, ValidUtf8RoundTrips) {
  for (const std::string& in :
       {std::string("qu\"ote \\ back"), std::string("\x01\x02 \n\t"),
        std::string("h\xC3\xA9llo \xF0\x9F\x98\x80"), std::string("nul\0inside", 10)}) {
    EXPECT_EQ(nlohmann::json::parse(Json(in)).get<std::string>(), in);
  }
}

TEST(LogFormatTest, LongValuesAreCutAtACharacterBoundary) {
  std::string in(kMaxValueBytes - 1, 'a');
  in += "\xE2\x82\xAC";  // straddles the limit
  in += std::string(100, 'b');
  const std::string parsed = nlohmann::json::parse(Json(in)).get<std::string>();
  EXPECT_EQ(parsed, std::string(kMaxValueBytes - 1, 'a') + "...[truncated 103 bytes]");
}

TEST(LogFormatTest, JsonLineHasStableKeyOrderAndRenamesReservedKeys) {
  const system_clock::time_point t{seconds(k20261122T101530) + microseconds(5)};
  const Field fields[] = {Field("request_id", "r-1"), Field("msg", "shadow"), Field("bytes", 3)};
  LogRecord record;
  record.timestamp = t;
  record.level = Level::kWarn;
  record.logger = "klio.wal";
  record.message = "m";
  record.fields = fields;
  record.trace.valid = true;
  record.trace.trace_id.fill(0xab);
  record.trace.span_id.fill(0x01);
  record.trace.flags = 1;
  std::string line;
  AppendJsonLine(record, &line);
  EXPECT_EQ(line,
            "{\"ts\":\"2026-11-22T10:15:30.000005Z\",\"level\":\"warn\",\"msg\":\"m\","
            "\"logger\":\"klio.wal\",\"request_id\":\"r-1\","
            "\"trace_id\":\"abababababababababababababababab\",\"span_id\":\"0101010101010101\","
            "\"trace_flags\":\"01\",\"fields.msg\":\"shadow\",\"bytes\":3}\n");
}

TEST(LogFormatTest, NumbersAndBooleans) {
  const Field fields[] = {
      Field("i", std::int64_t{-9223372036854775807LL - 1}),
      Field("u", std::uint64_t{18446744073709551615ULL}),
      Field("d", 0.1),
      Field("big", 1e300),
      Field("nan", std::numeric_limits<double>::quiet_NaN()),
      Field("inf", -std::numeric_limits<double>::infinity()),
      Field("t", true),
      Field("f", false),
  };
  LogRecord record;
  record.fields = fields;
  std::string line;
  AppendJsonLine(record, &line);
  const nlohmann::json j = nlohmann::json::parse(line);
  EXPECT_EQ(j["i"].get<std::int64_t>(), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(j["u"].get<std::uint64_t>(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(j["d"].get<double>(), 0.1);
  EXPECT_EQ(j["big"].get<double>(), 1e300);
  EXPECT_EQ(j["nan"], "NaN");
  EXPECT_EQ(j["inf"], "-Infinity");
  EXPECT_EQ(j["t"], true);
  EXPECT_EQ(j["f"], false);
}

TEST(LogFormatTest, ConsoleLine) {
  const system_clock::time_point t{seconds(k20261122T101530) + microseconds(123456)};
  const Field fields[] = {Field("cluster_name", "a"), Field("bytes", 3),
                          Field("path", "/with space"), Field("empty", ""), Field("ok", true)};
  LogRecord record;
  record.timestamp = t;
  record.level = Level::kInfo;
  record.logger = "klio.wal";
  record.message = "wal segment archived\nsecond line";
  record.fields = fields;
  std::string line;
  AppendConsoleLine(record, &line);
  EXPECT_EQ(line,
            "2026-11-22T10:15:30.123Z INFO  klio.wal  wal segment archived\\nsecond line "
            "cluster_name=a bytes=3 path=\"/with space\" empty=\"\" ok=true\n");
}

}  // namespace
}  // namespace klio::log
