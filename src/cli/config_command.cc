#include "cli/config_command.h"

#include <CLI/CLI.hpp>

#include "cli/config_render.h"

namespace klio::cli {

CLI::App* ConfigShowCommand::Register(CLI::App& parent) {
  return parent.add_subcommand(
      "show",
      "Print the effective configuration, each value with where it came from (default, file "
      "line, environment variable or flag); secrets are redacted");
}

Status ConfigShowCommand::Run(const CommandContext& ctx) {
  ctx.out << RenderConfig(ctx.config);
  return Status::Ok();
}

CLI::App* ConfigCheckCommand::Register(CLI::App& parent) {
  return parent.add_subcommand(
      "check",
      "Validate the configuration (file, environment and flags): exit 0 when valid, 2 with "
      "one error line when not");
}

Status ConfigCheckCommand::Run(const CommandContext& ctx) {
  ctx.out << "configuration is valid\n";
  return Status::Ok();
}

}  // namespace klio::cli
