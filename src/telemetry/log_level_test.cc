#include "telemetry/log_level.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace klio::log {
namespace {

using ::testing::HasSubstr;

TEST(LogLevelTest, ParsesEveryNameInAnyCase) {
  EXPECT_EQ(*ParseLevel("trace"), Level::kTrace);
  EXPECT_EQ(*ParseLevel("DEBUG"), Level::kDebug);
  EXPECT_EQ(*ParseLevel("Info"), Level::kInfo);
  EXPECT_EQ(*ParseLevel("warn"), Level::kWarn);
  EXPECT_EQ(*ParseLevel("WARNING"), Level::kWarn);
  EXPECT_EQ(*ParseLevel("error"), Level::kError);
  EXPECT_EQ(*ParseLevel("off"), Level::kOff);
}

TEST(LogLevelTest, RejectsOthersNamingTheAcceptedValues) {
  for (const char* bad : {"", "verbose", " info", "info ", "fatal", "3", "err"}) {
    const Result<Level> level = ParseLevel(bad);
    ASSERT_FALSE(level.ok()) << bad;
    EXPECT_EQ(level.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(level.status().message(),
                HasSubstr("expected one of trace, debug, info, warn, error, off"));
  }
}

TEST(LogLevelTest, RejectedInputIsShownSafely) {
  const Result<Level> level = ParseLevel(std::string("in\nfo\x1b[31m", 10));
  ASSERT_FALSE(level.ok());
  EXPECT_THAT(level.status().message(), HasSubstr("\"in?fo?[31m\""));
  const Result<Level> long_level = ParseLevel(std::string(100, 'x'));
  ASSERT_FALSE(long_level.ok());
  EXPECT_THAT(long_level.status().message(), HasSubstr("\"..."));
  EXPECT_LT(long_level.status().message().size(), 120u);
}

TEST(LogLevelTest, NamesRoundTrip) {
  for (Level level :
       {Level::kTrace, Level::kDebug, Level::kInfo, Level::kWarn, Level::kError, Level::kOff}) {
    EXPECT_EQ(*ParseLevel(LevelName(level)), level);
    EXPECT_EQ(LevelConsoleName(level).size(), 5u);
  }
}

TEST(LogLevelTest, SeverityNumbersFollowOpenTelemetry) {
  EXPECT_EQ(SeverityNumber(Level::kTrace), 1);
  EXPECT_EQ(SeverityNumber(Level::kDebug), 5);
  EXPECT_EQ(SeverityNumber(Level::kInfo), 9);
  EXPECT_EQ(SeverityNumber(Level::kWarn), 13);
  EXPECT_EQ(SeverityNumber(Level::kError), 17);
  EXPECT_EQ(SeverityText(Level::kWarn), "WARN");
}

TEST(LogLevelTest, ParsesFormats) {
  EXPECT_EQ(*ParseFormat("json"), Format::kJson);
  EXPECT_EQ(*ParseFormat("Console"), Format::kConsole);
  const Result<Format> bad = ParseFormat("text");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.status().message(), HasSubstr("json, console"));
  EXPECT_EQ(FormatName(Format::kConsole), "console");
  EXPECT_EQ(*ParseFormat(FormatName(Format::kJson)), Format::kJson);
}

}  // namespace
}  // namespace klio::log
