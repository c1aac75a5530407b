// `klio config show` and `klio config check`: the effective configuration, and whether it
// is valid. Loading (and so validation) happens before any command runs (cli/app.h); these
// commands report its result.
//
// Thread-safety: see command.h.
#pragma once

#include "cli/command.h"

namespace klio::cli {

class ConfigShowCommand : public Command {
 public:
  CLI::App* Register(CLI::App& parent) override;
  // Prints every key as `key: value  # source` (cli/config_render.h); secrets redacted.
  Status Run(const CommandContext& ctx) override;
};

class ConfigCheckCommand : public Command {
 public:
  CLI::App* Register(CLI::App& parent) override;
  // Prints "configuration is valid". An invalid configuration never gets here: loading
  // fails first with one error line and exit code 2.
  Status Run(const CommandContext& ctx) override;
};

}  // namespace klio::cli
