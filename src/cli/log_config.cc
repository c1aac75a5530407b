#include "cli/log_config.h"

namespace klio::cli {

std::vector<KeySpec> LogConfigKeys() {
  return {
      {.key = "log.level",
       .type = ValueType::kEnum,
       .default_value = "info",
       .doc = "lowest severity written to the log",
       .allowed = {"trace", "debug", "info", "warn", "error"}},
      {.key = "log.format",
       .type = ValueType::kEnum,
       .default_value = "json",
       .doc = "log line format: json (one object per line) or console (for people)",
       .allowed = {"json", "console"}},
  };
}

Result<log::Options> LogOptionsFromConfig(const Config& config) {
  log::Options options;
  KLIO_ASSIGN_OR_RETURN(options.level, log::ParseLevel(config.GetString("log.level")));
  KLIO_ASSIGN_OR_RETURN(options.format, log::ParseFormat(config.GetString("log.format")));
  options.fd = 2;
  return options;
}

Status ConfigureLogging(const Config& config) {
  KLIO_ASSIGN_OR_RETURN(log::Options options, LogOptionsFromConfig(config));
  log::Configure(options);
  return Status::Ok();
}

}  // namespace klio::cli
