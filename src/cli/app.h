// The `klio` command line: parses argv (CLI11), loads the configuration (YAML file, then
// environment, then flags), configures logging, runs the selected command, and turns the
// outcome into one stderr line and an exit code. docs/cli.md is the user-facing contract.
//
//   0 ok; 1 error; 2 usage (bad flag, bad config key or value, missing subcommand);
//   3 not found; 4 corruption; 5 unavailable (Status::ExitCode()).
//
// Errors are exactly one line, "klio: error: <message>", on `err`.
//
// Thread-safety: RunKlio configures process-wide logging; call it from one thread.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "cli/config.h"

namespace klio::env {
class Clock;
class FileSystem;
}  // namespace klio::env

namespace klio::cli {

// "klio 0.1.0".
std::string VersionString();

struct AppIo {
  std::ostream& out;
  std::ostream& err;
  Environment env;  // where LOG_LEVEL and every other configuration variable is read
  env::FileSystem& fs;
  env::Clock& clock;
};

// Runs klio with `args` (args[0] is the program name). Returns the process exit code.
int RunKlio(const std::vector<std::string>& args, AppIo io);

}  // namespace klio::cli
