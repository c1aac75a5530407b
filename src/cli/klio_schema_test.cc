#include "cli/klio_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/config.h"
#include "cli/log_config.h"
#include "env/file_system.h"
#include "testing/process.h"

namespace klio::cli {
namespace {

using ::testing::HasSubstr;

TEST(KlioSchemaTest, BuildsAndHasTheLoggingKeys) {
  Result<Schema> schema = KlioSchema();
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const KeySpec* level = schema->Find("log.level");
  ASSERT_NE(level, nullptr);
  EXPECT_EQ(level->default_value, "info");
  EXPECT_EQ(level->allowed, (std::vector<std::string>{"trace", "debug", "info", "warn", "error"}));
  const KeySpec* format = schema->Find("log.format");
  ASSERT_NE(format, nullptr);
  EXPECT_EQ(format->default_value, "json");
  for (const KeySpec& spec : schema->keys()) EXPECT_FALSE(spec.doc.empty()) << spec.key;
}

// docs/configuration.md documents every key with its type, default and environment variable.
TEST(KlioSchemaTest, EveryKeyIsDocumented) {
  const std::string doc = testing::ReadFileOrEmpty(testing::SourceDir() + "/docs/configuration.md");
  ASSERT_FALSE(doc.empty());
  Result<Schema> schema = KlioSchema();
  ASSERT_TRUE(schema.ok());
  for (const KeySpec& spec : schema->keys()) {
    const std::string row_start = "| `" + spec.key + "` |";
    const std::size_t row = doc.find(row_start);
    ASSERT_NE(row, std::string::npos) << spec.key << " has no row in docs/configuration.md";
    const std::string line = doc.substr(row, doc.find('\n', row) - row);
    EXPECT_THAT(line, HasSubstr("`" + Schema::EnvVarName(spec.key) + "`")) << line;
    EXPECT_THAT(line, HasSubstr(std::string(ValueTypeName(spec.type)))) << line;
    if (spec.default_value) {
      EXPECT_THAT(line, HasSubstr("`" + *spec.default_value + "`")) << line;
    }
    for (const std::string& word : spec.allowed) EXPECT_THAT(line, HasSubstr(word)) << line;
  }
}

TEST(LogConfigTest, MapsKeysToLogOptions) {
  Result<Schema> schema = KlioSchema();
  ASSERT_TRUE(schema.ok());
  Result<Config> defaults = LoadConfig(*schema, {}, env::DefaultFileSystem());
  ASSERT_TRUE(defaults.ok());
  Result<log::Options> options = LogOptionsFromConfig(*defaults);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->level, log::Level::kInfo);
  EXPECT_EQ(options->format, log::Format::kJson);
  EXPECT_EQ(options->fd, 2);

  Result<Config> custom =
      LoadConfig(*schema,
                 {.env = {{"LOG_LEVEL", "WARN"}},
                  .flags = {{.key = "log.format", .flag = "--log-format", .text = "console"}}},
                 env::DefaultFileSystem());
  ASSERT_TRUE(custom.ok()) << custom.status().ToString();
  options = LogOptionsFromConfig(*custom);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->level, log::Level::kWarn);
  EXPECT_EQ(options->format, log::Format::kConsole);

  for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
    Result<Config> c =
        LoadConfig(*schema, {.env = {{"LOG_LEVEL", level}}}, env::DefaultFileSystem());
    ASSERT_TRUE(c.ok());
    EXPECT_TRUE(LogOptionsFromConfig(*c).ok()) << level;
  }
}

}  // namespace
}  // namespace klio::cli
