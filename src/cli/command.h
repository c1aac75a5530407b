// The shape of a `klio` subcommand: it declares its flags on a CLI11 subcommand and, once the
// command line and configuration are loaded, runs with everything it may touch injected.
//
// Thread-safety: a Command is used by main's thread only.
#pragma once

#include <ostream>

#include "base/status.h"
#include "cli/config.h"

namespace CLI {
class App;
}  // namespace CLI

namespace klio::env {
class Clock;
class FileSystem;
}  // namespace klio::env

namespace klio::cli {

// What a running command may use.
struct CommandContext {
  const Config& config;  // the effective configuration (file, environment, flags)
  std::ostream& out;     // results for people or scripts
  std::ostream& err;     // diagnostics (logs go to fd 2 through klio::log)
  env::FileSystem& fs;
  env::Clock& clock;
};

class Command {
 public:
  virtual ~Command() = default;
  // Adds this command (and its flags, bound to members) under `parent`; returns it.
  virtual CLI::App* Register(CLI::App& parent) = 0;
  // Runs the command. Flag values that fail validation are InvalidArgument (exit 2); other
  // failures map to exit codes through Status::ExitCode().
  virtual Status Run(const CommandContext& ctx) = 0;
};

}  // namespace klio::cli
