// Configuration loading: the effective value of every schema key, from (lowest to highest
// precedence) its default, one YAML file, the environment, and command-line flags — and,
// for each value, where it came from. docs/configuration.md §Loading rules is the contract.
//
// Errors are InvalidArgument (the CLI exits 2) with one-line messages that name the key,
// the source and the reason, never a secret value:
//   unknown key "tier1.wal.pth" in /etc/klio.yaml:3 (did you mean "tier1.wal.path"?)
//   invalid value "verbose" for log.level in environment variable LOG_LEVEL: expected one of ...
//   /etc/klio.yaml:4:3: invalid YAML: illegal map value
//   tls.client_ca_cert: /x: no such file
//
// Thread-safety: LoadConfig is reentrant (it reads only its arguments and the injected
// file system); a Config is an immutable value.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "cli/config_schema.h"
#include "cli/config_value.h"

namespace klio::env {
class FileSystem;
}  // namespace klio::env

namespace klio::cli {

// A snapshot of environment variables (name -> value).
using Environment = std::map<std::string, std::string>;
// The current process environment.
Environment ProcessEnvironment();

enum class SourceKind { kDefault, kFile, kEnv, kFlag };

struct Source {
  SourceKind kind = SourceKind::kDefault;
  std::string name;  // file path, variable name or flag ("--log-level"); empty for defaults
  int line = 0;      // 1-based line in the file (kFile only)

  // "default", "/etc/klio.yaml:3", "environment variable LOG_LEVEL", "flag --log-level".
  std::string ToString() const;
};

// A value given on the command line for a configuration key.
struct FlagValue {
  std::string key;   // "log.level"
  std::string flag;  // "--log-level"
  std::string text;
};

struct ConfigSources {
  std::optional<std::string> file;  // the YAML file (--config); none = no file is read
  Environment env;
  std::vector<FlagValue> flags;
};

// One key's effective state.
struct ConfigEntry {
  KeySpec spec;
  std::optional<Value> value;  // none when nothing set it and it has no default
  Source source;
};

class Config {
 public:
  Config() = default;
  explicit Config(std::vector<ConfigEntry> entries) : entries_(std::move(entries)) {}

  // All schema keys, sorted by key.
  const std::vector<ConfigEntry>& entries() const { return entries_; }
  // The entry of `key`, or null when it is not in the schema.
  const ConfigEntry* Find(std::string_view key) const;
  bool IsSet(std::string_view key) const;

  // Typed accessors for keys the caller declared. Asking for a key that is not in the
  // schema, or with the wrong type, is a programming error and aborts. An unset key yields
  // the type's zero value (empty string, 0, false).
  std::string GetString(std::string_view key) const;  // kString, kPath and kEnum
  std::int64_t GetInt(std::string_view key) const;
  bool GetBool(std::string_view key) const;
  std::chrono::nanoseconds GetDuration(std::string_view key) const;
  std::uint64_t GetByteSize(std::string_view key) const;

 private:
  const Value* Typed(std::string_view key, ValueType type) const;

  std::vector<ConfigEntry> entries_;
};

// Loads the effective configuration for `schema`: defaults, then `sources.file` (when
// given; read through `fs`), then variables of `sources.env` named Schema::EnvVarName(key)
// (an empty variable counts as unset), then `sources.flags`; later sources win. Then checks
// required keys and runs validators (through `fs`). Returns the Config, or the first error
// (file order, then environment, then flags) as InvalidArgument.
Result<Config> LoadConfig(const Schema& schema, const ConfigSources& sources, env::FileSystem& fs);

}  // namespace klio::cli
