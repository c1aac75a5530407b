#include "cli/config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "cli/config_file.h"
#include "cli/config_render.h"
#include "cli/config_schema.h"
#include "env/file_system.h"
#include "testing/process.h"

namespace klio::cli {
namespace {

using ::testing::HasSubstr;

// A schema with every value type, a secret, a required-free validator and nesting depth 3.
std::vector<KeySpec> TestKeys() {
  return {
      {.key = "server.name",
       .type = ValueType::kString,
       .default_value = "klio",
       .doc = "a string"},
      {.key = "server.port",
       .type = ValueType::kInt,
       .default_value = "5432",
       .doc = "an int with a range",
       .min = 1,
       .max = 65535},
      {.key = "server.enabled",
       .type = ValueType::kBool,
       .default_value = "false",
       .doc = "a bool"},
      {.key = "server.timeout",
       .type = ValueType::kDuration,
       .default_value = "10s",
       .doc = "a duration"},
      {.key = "server.buffer-size",
       .type = ValueType::kByteSize,
       .default_value = "2MiB",
       .doc = "a byte size"},
      {.key = "tier1.wal.path", .type = ValueType::kPath, .doc = "a path without default"},
      {.key = "log.level",
       .type = ValueType::kEnum,
       .default_value = "info",
       .doc = "an enum",
       .allowed = {"trace", "debug", "info", "warn", "error"}},
      {.key = "tls.client_ca_cert",
       .type = ValueType::kPath,
       .doc = "a file that must exist",
       .validators = {FileMustExist()}},
      {.key = "s3.secret_access_key",
       .type = ValueType::kString,
       .doc = "a secret",
       .secret = true},
  };
}

Schema TestSchema() {
  Schema schema;
  Status st = schema.Add(TestKeys());
  EXPECT_TRUE(st.ok()) << st.ToString();
  return schema;
}

class ConfigTest : public ::testing::Test {
 protected:
  // Writes `content` to a file in the temp dir and returns its path.
  std::string WriteConfig(const std::string& content, const std::string& name = "klio.yaml") {
    const std::string path = dir_.Join(name);
    std::ofstream(path) << content;
    return path;
  }

  Result<Config> Load(const ConfigSources& sources) {
    return LoadConfig(schema_, sources, env::DefaultFileSystem());
  }

  // The error message of a load that must fail with InvalidArgument.
  std::string LoadError(const ConfigSources& sources) {
    Result<Config> r = Load(sources);
    EXPECT_FALSE(r.ok());
    if (r.ok()) return "";
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << r.status().ToString();
    EXPECT_EQ(r.status().message().find('\n'), std::string::npos) << "one line";
    return r.status().message();
  }

  std::string FileError(const std::string& content) {
    return LoadError({.file = WriteConfig(content)});
  }

  testing::TempDir dir_{"klio-config-test"};
  Schema schema_ = TestSchema();
};

// ---- schema ----

TEST(SchemaTest, EnvVarNameUpperCasesAndReplacesDotsAndDashes) {
  EXPECT_EQ(Schema::EnvVarName("tier1.wal.path"), "TIER1_WAL_PATH");
  EXPECT_EQ(Schema::EnvVarName("log.level"), "LOG_LEVEL");
  EXPECT_EQ(Schema::EnvVarName("custom-cnpg-group"), "CUSTOM_CNPG_GROUP");
  EXPECT_EQ(Schema::EnvVarName("server.buffer-size"), "SERVER_BUFFER_SIZE");
}

TEST(SchemaTest, KeysAreSortedAndSectionsKnown) {
  Schema schema = TestSchema();
  ASSERT_EQ(schema.keys().size(), TestKeys().size());
  EXPECT_EQ(schema.keys().front().key, "log.level");
  EXPECT_TRUE(schema.IsSection("tier1"));
  EXPECT_TRUE(schema.IsSection("tier1.wal"));
  EXPECT_FALSE(schema.IsSection("tier1.wal.path"));
  EXPECT_FALSE(schema.IsSection("tier"));
  ASSERT_NE(schema.Find("server.port"), nullptr);
  EXPECT_EQ(schema.Find("server.port")->type, ValueType::kInt);
  EXPECT_EQ(schema.Find("server"), nullptr);
  EXPECT_EQ(schema.KeysIn("server"),
            (std::vector<std::string>{"server.buffer-size", "server.enabled", "server.name",
                                      "server.port", "server.timeout"}));
}

TEST(SchemaTest, ComposesTablesFromSeveralComponents) {
  Schema schema;
  ASSERT_TRUE(schema.Add({{.key = "a.x", .type = ValueType::kInt, .default_value = "1"}}).ok());
  ASSERT_TRUE(schema.Add({{.key = "b.y", .type = ValueType::kBool}}).ok());
  EXPECT_EQ(schema.keys().size(), 2u);
  EXPECT_TRUE(schema.IsSection("a"));
  EXPECT_TRUE(schema.IsSection("b"));
}

TEST(SchemaTest, RejectsProgrammingErrors) {
  auto add = [](std::vector<KeySpec> first, std::vector<KeySpec> second = {}) {
    Schema schema;
    Status st = schema.Add(first);
    if (st.ok()) st = schema.Add(second);
    return st;
  };
  // Duplicate key, across tables too.
  EXPECT_EQ(add({{.key = "a.b"}, {.key = "a.b"}}).code(), StatusCode::kInternal);
  EXPECT_EQ(add({{.key = "a.b"}}, {{.key = "a.b"}}).code(), StatusCode::kInternal);
  // Two keys with the same environment variable.
  EXPECT_THAT(add({{.key = "a.b-c"}, {.key = "a.b_c"}}).message(), HasSubstr("A_B_C"));
  // A key that is also a section.
  EXPECT_THAT(add({{.key = "log"}, {.key = "log.level"}}).message(), HasSubstr("also a section"));
  // Malformed keys.
  for (const char* bad : {"", "Log.level", "log..level", ".log", "log.", "log level"}) {
    EXPECT_EQ(add({{.key = bad}}).code(), StatusCode::kInternal) << bad;
  }
  // An enum without words, a default that does not parse.
  EXPECT_EQ(add({{.key = "e", .type = ValueType::kEnum}}).code(), StatusCode::kInternal);
  EXPECT_THAT(add({{.key = "d", .type = ValueType::kDuration, .default_value = "10"}}).message(),
              HasSubstr("bad default"));
}

TEST(SchemaTest, SuggestsNearestKeyOrSectionOrSuffix) {
  Schema schema = TestSchema();
  EXPECT_EQ(schema.Suggest("tier1.wal.pth"), "tier1.wal.path");
  EXPECT_EQ(schema.Suggest("log.levle"), "log.level");
  EXPECT_EQ(schema.Suggest("teir1"), "tier1");
  EXPECT_EQ(schema.Suggest("wal.path"), "tier1.wal.path");
  EXPECT_EQ(schema.Suggest("completely.unrelated.thing"), "");
}

// ---- value parsing through the schema ----

TEST(ParseValueTest, EnumIsCaseInsensitiveAndCanonical) {
  const KeySpec spec{.key = "log.level", .type = ValueType::kEnum, .allowed = {"info", "warn"}};
  EXPECT_EQ(ParseValue(spec, "WARN")->text, "warn");
  EXPECT_EQ(ParseValue(spec, "verbose").status().message(), "expected one of info, warn");
}

TEST(ParseValueTest, IntRangeMessages) {
  KeySpec spec{.key = "n", .type = ValueType::kInt, .min = 1, .max = 64};
  EXPECT_EQ(ParseValue(spec, "0").status().message(), "must be between 1 and 64");
  EXPECT_EQ(ParseValue(spec, "64")->int_value, 64);
  spec.max = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(ParseValue(spec, "0").status().message(), "must be at least 1");
  spec.min = std::numeric_limits<std::int64_t>::min();
  spec.max = 3;
  EXPECT_EQ(ParseValue(spec, "4").status().message(), "must be at most 3");
}

TEST(ParseValueTest, PathMustNotBeEmpty) {
  const KeySpec spec{.key = "p", .type = ValueType::kPath};
  EXPECT_EQ(ParseValue(spec, "").status().message(), "expected a path, got an empty value");
  EXPECT_EQ(ParseValue(spec, "relative/dir")->text, "relative/dir");
}

// ---- precedence ----

TEST_F(ConfigTest, DefaultsWhenNothingIsGiven) {
  Result<Config> config = Load({});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->GetString("server.name"), "klio");
  EXPECT_EQ(config->GetInt("server.port"), 5432);
  EXPECT_FALSE(config->GetBool("server.enabled"));
  EXPECT_EQ(config->GetDuration("server.timeout"), std::chrono::seconds(10));
  EXPECT_EQ(config->GetByteSize("server.buffer-size"), 2u << 20);
  EXPECT_EQ(config->GetString("log.level"), "info");
  EXPECT_FALSE(config->IsSet("tier1.wal.path"));
  EXPECT_EQ(config->GetString("tier1.wal.path"), "");
  EXPECT_EQ(config->Find("log.level")->source.kind, SourceKind::kDefault);
  EXPECT_EQ(config->Find("log.level")->source.ToString(), "default");
}

TEST_F(ConfigTest, FileOverridesDefaultsAndRecordsLine) {
  const std::string path = WriteConfig(
      "# comment\n"
      "server:\n"
      "  port: 6000\n"
      "  enabled: yes\n"
      "  timeout: 1m30s\n"
      "  buffer-size: 16MiB\n"
      "tier1:\n"
      "  wal:\n"
      "    path: /data/wal\n"
      "log.level: debug\n");
  Result<Config> config = Load({.file = path});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->GetInt("server.port"), 6000);
  EXPECT_TRUE(config->GetBool("server.enabled"));
  EXPECT_EQ(config->GetDuration("server.timeout"), std::chrono::seconds(90));
  EXPECT_EQ(config->GetByteSize("server.buffer-size"), 16u << 20);
  EXPECT_EQ(config->GetString("tier1.wal.path"), "/data/wal");
  EXPECT_EQ(config->GetString("log.level"), "debug");
  EXPECT_EQ(config->GetString("server.name"), "klio");  // untouched default
  const ConfigEntry* port = config->Find("server.port");
  EXPECT_EQ(port->source.kind, SourceKind::kFile);
  EXPECT_EQ(port->source.ToString(), path + ":3");
  EXPECT_EQ(config->Find("tier1.wal.path")->source.line, 9);
  EXPECT_EQ(config->Find("log.level")->source.line, 10);
}

TEST_F(ConfigTest, EnvOverridesFileAndFlagOverridesEnv) {
  const std::string path = WriteConfig("log:\n  level: warn\nserver:\n  port: 6000\n");
  ConfigSources sources{.file = path,
                        .env = {{"LOG_LEVEL", "error"},
                                {"SERVER_PORT", "7000"},
                                {"TIER1_WAL_PATH", "/env/wal"},
                                {"SERVER_BUFFER_SIZE", "1KiB"}}};
  Result<Config> config = Load(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->GetString("log.level"), "error");
  EXPECT_EQ(config->GetInt("server.port"), 7000);
  EXPECT_EQ(config->GetString("tier1.wal.path"), "/env/wal");
  EXPECT_EQ(config->GetByteSize("server.buffer-size"), 1024u);
  EXPECT_EQ(config->Find("log.level")->source.ToString(), "environment variable LOG_LEVEL");

  sources.flags = {{.key = "log.level", .flag = "--log-level", .text = "trace"}};
  config = Load(sources);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->GetString("log.level"), "trace");
  EXPECT_EQ(config->Find("log.level")->source.ToString(), "flag --log-level");
  EXPECT_EQ(config->GetInt("server.port"), 7000);
}

TEST_F(ConfigTest, EmptyEnvVarAndYamlNullLeaveTheValueUnchanged) {
  const std::string path = WriteConfig("log:\n  level:\nserver:\n  port: ~\n");
  Result<Config> config = Load({.file = path, .env = {{"SERVER_NAME", ""}}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->GetString("log.level"), "info");
  EXPECT_EQ(config->GetInt("server.port"), 5432);
  EXPECT_EQ(config->GetString("server.name"), "klio");
  EXPECT_EQ(config->Find("server.name")->source.kind, SourceKind::kDefault);
}

TEST_F(ConfigTest, UnrelatedEnvironmentVariablesAreIgnored) {
  Result<Config> config =
      Load({.env = {{"PATH", "/bin"}, {"LOG_LEVELS", "x"}, {"log_level", "x"}}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->GetString("log.level"), "info");
}

TEST_F(ConfigTest, EmptyFileAndEmptySectionAreFine) {
  EXPECT_TRUE(Load({.file = WriteConfig("")}).ok());
  EXPECT_TRUE(Load({.file = WriteConfig("# only a comment\n")}).ok());
  EXPECT_TRUE(Load({.file = WriteConfig("log:\n")}).ok());
}

// ---- type errors: key, source and reason, for every type and every source ----

TEST_F(ConfigTest, TypeErrorsInTheFileNameKeyLineAndReason) {
  const std::string path = dir_.Join("klio.yaml");
  EXPECT_EQ(FileError("server:\n  port: abc\n"),
            "invalid value \"abc\" for server.port in " + path + ":2: expected an integer");
  EXPECT_EQ(FileError("server:\n  port: 0\n"),
            "invalid value \"0\" for server.port in " + path + ":2: must be between 1 and 65535");
  EXPECT_EQ(FileError("server:\n  enabled: maybe\n"),
            "invalid value \"maybe\" for server.enabled in " + path + ":2: expected true or false");
  EXPECT_EQ(FileError("server:\n  timeout: 10\n"),
            "invalid value \"10\" for server.timeout in " + path +
                ":2: expected a duration such as 10s, 200ms or 1h30m");
  EXPECT_EQ(FileError("server:\n  buffer-size: 2XB\n"),
            "invalid value \"2XB\" for server.buffer-size in " + path +
                ":2: unknown byte size unit (use B, KiB, MiB, GiB, TiB, kB, MB, GB or TB)");
  EXPECT_EQ(FileError("tier1:\n  wal:\n    path: \"\"\n"),
            "invalid value \"\" for tier1.wal.path in " + path +
                ":3: expected a path, got an empty value");
  EXPECT_EQ(FileError("log:\n  level: verbose\n"),
            "invalid value \"verbose\" for log.level in " + path +
                ":2: expected one of trace, debug, info, warn, error");
}

TEST_F(ConfigTest, TypeErrorsInTheEnvironmentNameTheVariable) {
  EXPECT_EQ(LoadError({.env = {{"SERVER_PORT", "70000"}}}),
            "invalid value \"70000\" for server.port in environment variable SERVER_PORT: "
            "must be between 1 and 65535");
  EXPECT_EQ(LoadError({.env = {{"SERVER_TIMEOUT", "soon"}}}),
            "invalid value \"soon\" for server.timeout in environment variable SERVER_TIMEOUT: "
            "expected a duration such as 10s, 200ms or 1h30m");
  EXPECT_EQ(LoadError({.env = {{"SERVER_ENABLED", "2"}}}),
            "invalid value \"2\" for server.enabled in environment variable SERVER_ENABLED: "
            "expected true or false");
}

TEST_F(ConfigTest, TypeErrorsInFlagsNameTheFlag) {
  EXPECT_EQ(LoadError({.flags = {{.key = "log.level", .flag = "--log-level", .text = "loud"}}}),
            "invalid value \"loud\" for log.level in flag --log-level: "
            "expected one of trace, debug, info, warn, error");
}

TEST_F(ConfigTest, FileErrorsComeBeforeEnvErrors) {
  const std::string path = WriteConfig("server:\n  port: x\n");
  EXPECT_THAT(LoadError({.file = path, .env = {{"SERVER_TIMEOUT", "x"}}}),
              HasSubstr("server.port"));
}

TEST_F(ConfigTest, SecretValuesAreNeverEchoedInErrors) {
  Schema schema;
  ASSERT_TRUE(
      schema.Add({{.key = "s3.secret_port", .type = ValueType::kInt, .secret = true}}).ok());
  Result<Config> r =
      LoadConfig(schema, {.env = {{"S3_SECRET_PORT", "hunter2"}}}, env::DefaultFileSystem());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "invalid value for s3.secret_port in environment variable S3_SECRET_PORT: "
            "expected an integer");
  EXPECT_THAT(r.status().message(), ::testing::Not(HasSubstr("hunter2")));
}

// ---- file structure errors ----

TEST_F(ConfigTest, UnknownKeyHasDidYouMeanHint) {
  const std::string path = dir_.Join("klio.yaml");
  EXPECT_EQ(FileError("tier1:\n  wal:\n    pth: /data\n"),
            "unknown key \"tier1.wal.pth\" in " + path + ":3 (did you mean \"tier1.wal.path\"?)");
  EXPECT_EQ(FileError("log:\n  levle: debug\n"),
            "unknown key \"log.levle\" in " + path + ":2 (did you mean \"log.level\"?)");
  EXPECT_EQ(FileError("tier1.wal.pth: /data\n"),
            "unknown key \"tier1.wal.pth\" in " + path + ":1 (did you mean \"tier1.wal.path\"?)");
  EXPECT_EQ(FileError("teir1:\n  wal:\n    path: /data\n"),
            "unknown key \"teir1\" in " + path + ":1 (did you mean \"tier1\"?)");
}

TEST_F(ConfigTest, UnknownKeyWithoutCloseMatchListsTheSection) {
  const std::string path = dir_.Join("klio.yaml");
  EXPECT_EQ(FileError("server:\n  listen_address_for_grpc: x\n"),
            "unknown key \"server.listen_address_for_grpc\" in " + path +
                ":2 (keys in server: server.buffer-size, server.enabled, server.name, "
                "server.port, server.timeout)");
  EXPECT_EQ(FileError("\n\nnothing_like_it: 1\n"),
            "unknown key \"nothing_like_it\" in " + path + ":3");
}

TEST_F(ConfigTest, StructureMismatchesAreErrors) {
  const std::string path = dir_.Join("klio.yaml");
  EXPECT_EQ(FileError("log: debug\n"),
            "expected a mapping for section \"log\" in " + path + ":1 (keys: log.level)");
  EXPECT_EQ(FileError("log:\n  level:\n    deep: x\n"),
            "invalid value for log.level in " + path + ":2: expected a single enum, got a mapping");
  EXPECT_EQ(FileError("server:\n  port: [1, 2]\n"),
            "invalid value for server.port in " + path + ":2: expected a single int, got a list");
  EXPECT_EQ(FileError("- a\n- b\n"),
            path + ":1: expected a mapping of configuration keys at the top level");
  EXPECT_EQ(FileError("just a scalar\n"),
            path + ":1: expected a mapping of configuration keys at the top level");
}

TEST_F(ConfigTest, KeySetTwiceIsAnError) {
  const std::string path = dir_.Join("klio.yaml");
  EXPECT_EQ(FileError("log:\n  level: info\nlog.level: debug\n"),
            "key \"log.level\" is set twice in " + path + " (lines 2 and 3)");
}

TEST_F(ConfigTest, YamlSyntaxErrorNamesLineAndColumn) {
  const std::string path = dir_.Join("klio.yaml");
  const std::string msg = FileError("log:\n  level: info\n   format: [json\n");
  EXPECT_THAT(msg, ::testing::StartsWith(path + ":3:"));
  EXPECT_THAT(msg, HasSubstr(": invalid YAML: "));
  EXPECT_THAT(FileError("server:\n  port: 1\n bad indent: x\n"),
              ::testing::StartsWith(path + ":3:"));
}

TEST_F(ConfigTest, MissingFileIsAnError) {
  const std::string path = dir_.Join("absent.yaml");
  EXPECT_EQ(LoadError({.file = path}), "config file " + path + " does not exist");
}

TEST_F(ConfigTest, UnreadableFileIsAnError) {
  // A directory cannot be read as a file.
  EXPECT_THAT(LoadError({.file = dir_.path()}), HasSubstr("cannot read config file"));
}

// ---- validators and required keys ----

TEST_F(ConfigTest, FileMustExistValidator) {
  EXPECT_EQ(LoadError({.env = {{"TLS_CLIENT_CA_CERT", "/x"}}}),
            "tls.client_ca_cert: /x: no such file");
  EXPECT_EQ(LoadError({.env = {{"TLS_CLIENT_CA_CERT", dir_.path()}}}),
            "tls.client_ca_cert: " + dir_.path() + ": is a directory");
  const std::string ca = WriteConfig("pem", "ca.crt");
  Result<Config> config = Load({.env = {{"TLS_CLIENT_CA_CERT", ca}}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->GetString("tls.client_ca_cert"), ca);
}

TEST_F(ConfigTest, DirMustExistValidator) {
  Schema schema;
  ASSERT_TRUE(
      schema.Add({{.key = "d", .type = ValueType::kPath, .validators = {DirMustExist()}}}).ok());
  const std::string file = WriteConfig("x", "file");
  auto load = [&](const std::string& value) {
    return LoadConfig(schema, {.env = {{"D", value}}}, env::DefaultFileSystem()).status();
  };
  EXPECT_TRUE(load(dir_.path()).ok());
  EXPECT_EQ(load("/nonexistent/dir").message(), "d: /nonexistent/dir: no such directory");
  EXPECT_EQ(load(file).message(), "d: " + file + ": not a directory");
}

TEST_F(ConfigTest, RequiredKeyMustBeSet) {
  Schema schema;
  ASSERT_TRUE(schema.Add({{.key = "client.cluster_name", .required = true}}).ok());
  Result<Config> r = LoadConfig(schema, {}, env::DefaultFileSystem());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "client.cluster_name is required: set it in the config file or CLIENT_CLUSTER_NAME");
  EXPECT_TRUE(
      LoadConfig(schema, {.env = {{"CLIENT_CLUSTER_NAME", "pg"}}}, env::DefaultFileSystem()).ok());
}

// ---- rendering (`klio config show`) ----

TEST_F(ConfigTest, RenderShowsSourcesAndRedactsSecrets) {
  const std::string path =
      WriteConfig("s3:\n  secret_access_key: hunter2\nserver:\n  port: 6000\n");
  Result<Config> config =
      Load({.file = path,
            .env = {{"LOG_LEVEL", "debug"}},
            .flags = {{.key = "server.name", .flag = "--name", .text = "a b"}}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const std::string out = RenderConfig(*config);
  EXPECT_THAT(out, ::testing::Not(HasSubstr("hunter2")));
  EXPECT_THAT(out, ::testing::ContainsRegex("s3.secret_access_key: \"\\[REDACTED\\]\" +# " + path +
                                            ":2\n"));
  EXPECT_THAT(out,
              ::testing::ContainsRegex("log.level: debug +# environment variable LOG_LEVEL\n"));
  EXPECT_THAT(out, ::testing::ContainsRegex("server.port: 6000 +# " + path + ":4\n"));
  EXPECT_THAT(out, ::testing::ContainsRegex("server.name: \"a b\" +# flag --name\n"));
  EXPECT_THAT(out, ::testing::ContainsRegex("server.timeout: 10s +# default\n"));
  EXPECT_THAT(out, ::testing::ContainsRegex("# tier1.wal.path: +# not set\n"));
}

TEST_F(ConfigTest, RenderedConfigReadsBackToTheSameValues) {
  Result<Config> config = Load({.env = {{"SERVER_NAME", "with: colon # and hash"},
                                        {"SERVER_TIMEOUT", "90s"},
                                        {"SERVER_ENABLED", "on"},
                                        {"TIER1_WAL_PATH", "/data/wal"}}});
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  const std::string rendered = RenderConfig(*config);
  Result<Config> again = Load({.file = WriteConfig(rendered, "rendered.yaml")});
  ASSERT_TRUE(again.ok()) << again.status().ToString() << "\n" << rendered;
  for (const ConfigEntry& entry : config->entries()) {
    const ConfigEntry* other = again->Find(entry.spec.key);
    ASSERT_NE(other, nullptr);
    ASSERT_EQ(entry.value.has_value(), other->value.has_value()) << entry.spec.key;
    if (entry.value) {
      EXPECT_EQ(entry.value->text, other->value->text) << entry.spec.key;
    }
  }
}

TEST(YamlScalarTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(YamlScalar("info"), "info");
  EXPECT_EQ(YamlScalar("/data/wal"), "/data/wal");
  EXPECT_EQ(YamlScalar("2MiB"), "2MiB");
  EXPECT_EQ(YamlScalar(""), "\"\"");
  EXPECT_EQ(YamlScalar("yes"), "\"yes\"");
  EXPECT_EQ(YamlScalar("a: b"), "\"a: b\"");
  EXPECT_EQ(YamlScalar("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
  EXPECT_EQ(YamlScalar("-x"), "\"-x\"");
}

}  // namespace
}  // namespace klio::cli
