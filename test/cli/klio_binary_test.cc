// Runs the built `klio` binary as a user would and checks exit codes and output: errors are
// exactly one "klio: error: ..." line on stderr, help exists at every level, configuration
// precedence is flag > environment > file > default, and `certs generate` writes a PKI that
// `openssl verify` accepts and refuses to overwrite it without --force.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "testing/process.h"

#ifndef KLIO_BINARY
#error "KLIO_BINARY must point at the klio executable"
#endif

namespace klio {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct KlioRun {
  int code = -1;
  std::string out;
  std::string err;
};

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

class KlioBinaryTest : public ::testing::Test {
 protected:
  // Runs klio with `args` and only the given configuration variables (LOG_LEVEL and
  // LOG_FORMAT of the test's own environment are removed), stdout and stderr apart.
  KlioRun Klio(const std::vector<std::string>& args,
               const std::map<std::string, std::string>& env = {}) {
    const std::string err_path = dir_.Join("stderr-" + std::to_string(++runs_));
    std::vector<std::string> argv = {"/usr/bin/env", "-u", "LOG_LEVEL", "-u", "LOG_FORMAT"};
    for (const auto& [name, value] : env) argv.push_back(name + "=" + value);
    argv.insert(argv.end(),
                {"/bin/sh", "-c", "exec \"$0\" \"$@\" 2>\"" + err_path + "\"", KLIO_BINARY});
    argv.insert(argv.end(), args.begin(), args.end());
    KlioRun run;
    Result<int> code = testing::RunCommand({.argv = argv}, &run.out, std::chrono::seconds(60));
    EXPECT_TRUE(code.ok()) << code.status().ToString();
    run.code = code.ok() ? *code : -1;
    run.err = testing::ReadFileOrEmpty(err_path);
    return run;
  }

  // Expects a usage error: exit 2, nothing on stdout, exactly `message` as the one line.
  void ExpectUsageError(const KlioRun& run, const std::string& message) {
    EXPECT_EQ(run.code, 2) << run.err;
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err, "klio: error: " + message + "\n");
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    const std::string path = dir_.Join(name);
    std::ofstream(path) << content;
    return path;
  }

  testing::TempDir dir_{"klio-cli-e2e"};
  int runs_ = 0;
};

TEST_F(KlioBinaryTest, VersionPrintsNameAndVersion) {
  KlioRun run = Klio({"--version"});
  EXPECT_EQ(run.code, 0);
  EXPECT_EQ(run.out, "klio 0.1.0\n");
  EXPECT_EQ(run.err, "");
}

TEST_F(KlioBinaryTest, HelpAtEveryLevel) {
  const std::vector<std::vector<std::string>> commands = {
      {}, {"certs"}, {"certs", "generate"}, {"config"}, {"config", "show"}, {"config", "check"}};
  for (const auto& command : commands) {
    for (const char* flag : {"--help", "-h"}) {
      std::vector<std::string> args = command;
      args.push_back(flag);
      KlioRun run = Klio(args);
      std::string path = "klio";
      for (const std::string& c : command) path += " " + c;
      EXPECT_EQ(run.code, 0) << path << " " << flag;
      EXPECT_EQ(run.err, "") << path;
      EXPECT_THAT(run.out, HasSubstr("Usage: " + path)) << run.out;
    }
  }
  KlioRun root = Klio({"--help"});
  for (const char* text : {"certs", "config", "--config", "--log-level", "--log-format",
                           "--version", "Exit codes: 0 ok, 1 error, 2 usage"}) {
    EXPECT_THAT(root.out, HasSubstr(text));
  }
  KlioRun generate = Klio({"certs", "generate", "--help"});
  for (const char* text : {"--dir", "--server-name", "--client-name", "--days", "--force"}) {
    EXPECT_THAT(generate.out, HasSubstr(text));
  }
}

TEST_F(KlioBinaryTest, MissingSubcommandPrintsHelpAndExits2) {
  KlioRun run = Klio({});
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_THAT(run.err, HasSubstr("Usage: klio"));
  EXPECT_THAT(run.err, HasSubstr("certs"));
  KlioRun certs = Klio({"certs"});
  EXPECT_EQ(certs.code, 2);
  EXPECT_THAT(certs.err, HasSubstr("Usage: klio certs"));
  EXPECT_THAT(certs.err, HasSubstr("generate"));
}

TEST_F(KlioBinaryTest, BadFlagsAreOneLineAndExit2) {
  ExpectUsageError(Klio({"--bogus"}),
                   "unknown flag \"--bogus\" for \"klio\" (see \"klio --help\")");
  ExpectUsageError(Klio({"config", "show", "--bogus=1"}),
                   "unknown flag \"--bogus\" for \"klio config show\" "
                   "(see \"klio config show --help\")");
  ExpectUsageError(Klio({"--log-levle", "debug", "config", "show"}),
                   "unknown flag \"--log-levle\" for \"klio config show\" "
                   "(did you mean \"--log-level\"?)");
  ExpectUsageError(Klio({"certs", "generate", "--dri", "x", "--server-name", "localhost",
                         "--client-name", "pg"}),
                   "unknown flag \"--dri\" for \"klio certs generate\" (did you mean \"--dir\"?)");
  ExpectUsageError(Klio({"cert", "generate"}),
                   "unknown command \"cert\" for \"klio\" (did you mean \"certs\"?)");
  ExpectUsageError(Klio({"config", "shw"}),
                   "unknown command \"shw\" for \"klio config\" (did you mean \"show\"?)");
  ExpectUsageError(Klio({"config", "show", "extra"}),
                   "unexpected argument \"extra\" for \"klio config show\" "
                   "(see \"klio config show --help\")");
}

TEST_F(KlioBinaryTest, MissingOrBadFlagValuesAreOneLineAndExit2) {
  KlioRun missing =
      Klio({"certs", "generate", "--server-name", "localhost", "--client-name", "pg"});
  EXPECT_EQ(missing.code, 2);
  EXPECT_EQ(Lines(missing.err).size(), 1u) << missing.err;
  EXPECT_THAT(missing.err, StartsWith("klio: error: --dir is required"));
  EXPECT_THAT(missing.err, HasSubstr("(see \"klio certs generate --help\")"));

  ExpectUsageError(Klio({"config", "show", "--log-level"}),
                   "--log-level needs a value (WORD) (see \"klio config show --help\")");
  ExpectUsageError(Klio({"certs", "generate", "--dir", "a", "--dir", "b", "--server-name", "x",
                         "--client-name", "y"}),
                   "--dir was given more than once (see \"klio certs generate --help\")");

  ExpectUsageError(Klio({"--log-level", "loud", "config", "show"}),
                   "invalid value \"loud\" for log.level in flag --log-level: "
                   "expected one of trace, debug, info, warn, error");
  ExpectUsageError(Klio({"config", "show", "--log-format", "xml"}),
                   "invalid value \"xml\" for log.format in flag --log-format: "
                   "expected one of json, console");
  ExpectUsageError(Klio({"certs", "generate", "--dir", dir_.Join("c"), "--server-name", "localhost",
                         "--client-name", "pg", "--days", "abc"}),
                   "invalid value \"abc\" for --days: expected an integer");
  ExpectUsageError(Klio({"certs", "generate", "--dir", dir_.Join("c"), "--server-name", "bad host",
                         "--client-name", "pg"}),
                   "server name \"bad host\": not a DNS name or IP address");
  ExpectUsageError(Klio({"--config", "", "config", "show"}), "--config: expected a file name");
}

TEST_F(KlioBinaryTest, UnknownConfigKeyIsOneLineWithHint) {
  const std::string path = WriteFile("klio.yaml", "# klio\nlog:\n  levle: debug\n");
  ExpectUsageError(Klio({"--config", path, "config", "check"}),
                   "unknown key \"log.levle\" in " + path + ":3 (did you mean \"log.level\"?)");
}

TEST_F(KlioBinaryTest, BadConfigValuesNameTheirSource) {
  const std::string path = WriteFile("klio.yaml", "log:\n  format: xml\n");
  ExpectUsageError(
      Klio({"--config", path, "config", "check"}),
      "invalid value \"xml\" for log.format in " + path + ":2: expected one of json, console");
  ExpectUsageError(Klio({"config", "check"}, {{"LOG_LEVEL", "verbose"}}),
                   "invalid value \"verbose\" for log.level in environment variable LOG_LEVEL: "
                   "expected one of trace, debug, info, warn, error");
  // Every command loads the configuration first.
  ExpectUsageError(Klio({"certs", "generate", "--dir", dir_.Join("c"), "--server-name", "localhost",
                         "--client-name", "pg"},
                        {{"LOG_FORMAT", "xml"}}),
                   "invalid value \"xml\" for log.format in environment variable LOG_FORMAT: "
                   "expected one of json, console");
}

TEST_F(KlioBinaryTest, BrokenOrMissingConfigFileIsOneLineAndExit2) {
  const std::string broken = WriteFile("broken.yaml", "log:\n  level: info\n   format: [x\n");
  KlioRun run = Klio({"--config", broken, "config", "check"});
  EXPECT_EQ(run.code, 2);
  EXPECT_EQ(Lines(run.err).size(), 1u) << run.err;
  EXPECT_THAT(run.err, StartsWith("klio: error: " + broken + ":3:"));
  EXPECT_THAT(run.err, HasSubstr("invalid YAML"));

  const std::string absent = dir_.Join("absent.yaml");
  ExpectUsageError(Klio({"--config", absent, "config", "show"}),
                   "config file " + absent + " does not exist");
}

TEST_F(KlioBinaryTest, ConfigShowReportsPrecedenceFlagEnvFileDefault) {
  const std::string path = WriteFile("klio.yaml", "log:\n  level: debug\n  format: console\n");
  KlioRun run = Klio({"--config", path, "config", "show"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(Lines(run.out), ElementsAre("log.format: console  # " + path + ":3",
                                          "log.level: debug     # " + path + ":2"));

  run = Klio({"--config", path, "config", "show"}, {{"LOG_LEVEL", "error"}});
  EXPECT_THAT(Lines(run.out), ElementsAre("log.format: console  # " + path + ":3",
                                          "log.level: error     # environment variable LOG_LEVEL"));

  run = Klio({"--config", path, "--log-level", "warn", "config", "show"},
             {{"LOG_LEVEL", "error"}, {"LOG_FORMAT", "json"}});
  EXPECT_THAT(Lines(run.out), ElementsAre("log.format: json  # environment variable LOG_FORMAT",
                                          "log.level: warn   # flag --log-level"));

  run = Klio({"config", "show"});
  EXPECT_EQ(run.code, 0);
  EXPECT_THAT(Lines(run.out),
              ElementsAre("log.format: json  # default", "log.level: info   # default"));
  // Global flags are accepted after the subcommand too.
  run = Klio({"config", "show", "--log-format=console"});
  EXPECT_THAT(run.out, HasSubstr("log.format: console  # flag --log-format"));
}

TEST_F(KlioBinaryTest, ConfigCheckAcceptsAValidConfiguration) {
  const std::string path = WriteFile("klio.yaml", "log:\n  level: warn\n");
  KlioRun run = Klio({"--config", path, "config", "check"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "configuration is valid\n");
  EXPECT_EQ(run.err, "");
}

unsigned Mode(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

TEST_F(KlioBinaryTest, CertsGenerateWritesAVerifiablePki) {
  const std::string certs = dir_.Join("certs");
  KlioRun run = Klio({"certs", "generate", "--dir", certs, "--server-name", "localhost",
                      "--client-name", "pg-main", "--days", "7"});
  ASSERT_EQ(run.code, 0) << run.err;
  EXPECT_THAT(Lines(run.out),
              ElementsAre(certs + "/ca.crt", certs + "/ca.key", certs + "/server.crt",
                          certs + "/server.key", certs + "/client.crt", certs + "/client.key"));
  for (const char* key : {"ca.key", "server.key", "client.key"}) {
    EXPECT_EQ(Mode(certs + "/" + key), 0600u) << key;
  }
  // The one log line is JSON on stderr by default.
  ASSERT_EQ(Lines(run.err).size(), 1u) << run.err;
  const nlohmann::json line = nlohmann::json::parse(run.err);
  EXPECT_THAT(line.dump(), HasSubstr("development PKI written"));
  EXPECT_THAT(line.dump(), HasSubstr("pg-main"));

  std::string out;
  Result<int> verify =
      testing::RunCommand({.argv = {"openssl", "verify", "-CAfile", certs + "/ca.crt",
                                    certs + "/server.crt", certs + "/client.crt"}},
                          &out);
  ASSERT_TRUE(verify.ok());
  EXPECT_EQ(*verify, 0) << out;
}

TEST_F(KlioBinaryTest, CertsGenerateRefusesToOverwriteWithoutForce) {
  const std::string certs = dir_.Join("certs");
  const std::vector<std::string> args = {"--log-level",   "error", "certs",         "generate",
                                         "--dir",         certs,   "--server-name", "127.0.0.1",
                                         "--client-name", "pg"};
  KlioRun first = Klio(args);
  ASSERT_EQ(first.code, 0) << first.err;
  EXPECT_EQ(first.err, "") << "--log-level error silences the info line";
  const std::string ca = testing::ReadFileOrEmpty(certs + "/ca.crt");

  KlioRun again = Klio(args);
  EXPECT_EQ(again.code, 1);
  EXPECT_EQ(again.out, "");
  EXPECT_EQ(again.err,
            "klio: error: " + certs + "/ca.crt: already exists (use --force to replace it)\n");
  EXPECT_EQ(testing::ReadFileOrEmpty(certs + "/ca.crt"), ca);

  std::vector<std::string> forced = args;
  forced.push_back("--force");
  KlioRun replaced = Klio(forced);
  EXPECT_EQ(replaced.code, 0) << replaced.err;
  EXPECT_NE(testing::ReadFileOrEmpty(certs + "/ca.crt"), ca);
  EXPECT_EQ(Mode(certs + "/ca.key"), 0600u);
}

TEST_F(KlioBinaryTest, ConsoleLogFormatIsNotJson) {
  KlioRun run = Klio({"--log-format", "console", "certs", "generate", "--dir", dir_.Join("c"),
                      "--server-name", "localhost", "--client-name", "pg"});
  ASSERT_EQ(run.code, 0) << run.err;
  ASSERT_EQ(Lines(run.err).size(), 1u) << run.err;
  EXPECT_THAT(run.err, HasSubstr("development PKI written"));
  EXPECT_NE(run.err.front(), '{');
}

}  // namespace
}  // namespace klio
