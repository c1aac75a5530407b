// Reading the YAML configuration file into (dotted key, text, line) triples checked against
// the schema: nested mappings ("tier1: {wal: {path: x}}") and dotted keys ("tier1.wal.path:
// x") are both accepted; every leaf must be a scalar.
//
// Thread-safety: reentrant.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "cli/config_schema.h"

namespace klio::cli {

struct FileSetting {
  std::string key;                  // a schema key
  std::optional<std::string> text;  // none for a YAML null ("key:" or "key: ~"): unset
  int line = 0;                     // 1-based
};

// Parses `content`, the text of the file named `file_name` (used in messages). Returns the
// settings in file order, or InvalidArgument for a YAML syntax error (with line and
// column), a top level that is not a mapping, an unknown key (with a hint), a key set twice,
// or a sequence or mapping where a key expects a scalar (and the reverse).
Result<std::vector<FileSetting>> ParseConfigYaml(const Schema& schema, std::string_view file_name,
                                                 std::string_view content);

}  // namespace klio::cli
