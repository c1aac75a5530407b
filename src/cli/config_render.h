// Rendering the effective configuration for people (`klio config show`): one line per key,
// `key: value  # source`, valid YAML that `--config` reads back. Secret values print as
// "[REDACTED]"; unset keys print as comments.
//
// Thread-safety: pure function.
#pragma once

#include <string>
#include <string_view>

#include "cli/config.h"

namespace klio::cli {

inline constexpr std::string_view kRedacted = "[REDACTED]";

std::string RenderConfig(const Config& config);

// `text` as a YAML scalar: as is when it is plain and cannot be read as another type or
// structure, otherwise double-quoted with escapes.
std::string YamlScalar(std::string_view text);

}  // namespace klio::cli
