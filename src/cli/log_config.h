// Configuration keys of structured logging (log.level, log.format) and their translation
// into klio::log::Options. docs/configuration.md §log.
//
// Thread-safety: LogConfigKeys and LogOptionsFromConfig are pure; ConfigureLogging changes
// process-wide logging state (call it once, early, from main's thread).
#pragma once

#include <vector>

#include "base/result.h"
#include "cli/config.h"
#include "cli/config_schema.h"
#include "telemetry/log.h"

namespace klio::cli {

// log.level (enum trace|debug|info|warn|error, default info) and log.format (enum
// json|console, default json).
std::vector<KeySpec> LogConfigKeys();

// The logging options the configuration asks for (lines go to stderr). InvalidArgument only
// if the schema and the logging library disagree on a word.
Result<log::Options> LogOptionsFromConfig(const Config& config);

// LogOptionsFromConfig, then log::Configure.
Status ConfigureLogging(const Config& config);

}  // namespace klio::cli
