// The configuration schema of the `klio` binary: the key tables of every component,
// composed. A component that gains configuration adds its table here (and documents the
// keys in docs/configuration.md; cli_klio_schema_test keeps the two in agreement).
//
// Thread-safety: pure function.
#pragma once

#include "base/result.h"
#include "cli/config_schema.h"

namespace klio::cli {

// Fails with Internal only on a programming error in a table (duplicate key, bad default).
Result<Schema> KlioSchema();

}  // namespace klio::cli
