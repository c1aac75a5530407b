#include "cli/certs_command.h"

#include <CLI/CLI.hpp>

#include "cli/config_value.h"
#include "crypto/pki.h"
#include "env/clock.h"
#include "env/file_system.h"
#include "telemetry/log.h"

namespace klio::cli {

CLI::App* CertsGenerateCommand::Register(CLI::App& parent) {
  CLI::App* app = parent.add_subcommand(
      "generate",
      "Write a throwaway CA plus a server and a client certificate for mutual TLS (development "
      "and tests; keys are unencrypted, mode 0600)");
  app->add_option("--dir", dir_,
                  "Directory for ca.crt ca.key server.crt server.key client.crt "
                  "client.key (created when missing)")
      ->type_name("DIR")
      ->required();
  app->add_option("--server-name", server_name_,
                  "DNS name or IP address clients use to reach the server; localhost and "
                  "127.0.0.1 also get DNS:localhost and IP:127.0.0.1")
      ->type_name("HOST")
      ->required();
  app->add_option("--client-name", client_name_,
                  "Cluster name: the client certificate's CN and DNS name, the identity the "
                  "server binds to that cluster's data")
      ->type_name("CLUSTER")
      ->required();
  app->add_option("--days", days_, "Validity of every certificate in days, 1..36500 (default 365)")
      ->type_name("N");
  app->add_flag("--force", force_, "Replace existing files instead of refusing");
  return app;
}

Status CertsGenerateCommand::Run(const CommandContext& ctx) {
  Result<std::int64_t> days = ParseInt(days_);
  if (!days.ok()) {
    return Status::InvalidArgument("invalid value \"" + days_ +
                                   "\" for --days: " + days.status().message());
  }
  if (*days < 1 || *days > 36500) {
    return Status::InvalidArgument("invalid value \"" + days_ +
                                   "\" for --days: must be between 1 and 36500");
  }
  if (dir_.empty()) return Status::InvalidArgument("--dir: expected a directory name");
  KLIO_ASSIGN_OR_RETURN(crypto::DevPki pki, crypto::GenerateDevPki({.server_name = server_name_,
                                                                    .client_name = client_name_,
                                                                    .days = static_cast<int>(*days),
                                                                    .now = ctx.clock.Now()}));
  Status written = crypto::WriteDevPki(ctx.fs, dir_, pki, force_);
  if (written.code() == StatusCode::kAlreadyExists) {
    return Status::AlreadyExists(written.message() + " (use --force to replace it)");
  }
  KLIO_RETURN_IF_ERROR(written);
  for (std::string_view name : crypto::kDevPkiFiles) {
    ctx.out << env::JoinPath(dir_, name) << "\n";
  }
  log::GetLogger("klio.cli")
      .Info("development PKI written", {{"dir", dir_},
                                        {"server_name", server_name_},
                                        {"client_name", client_name_},
                                        {"days", *days}});
  return Status::Ok();
}

}  // namespace klio::cli
