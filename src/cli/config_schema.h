// Configuration schema: the registry of every configuration key klio understands.
//
// Each component declares a table of KeySpec (its dotted key, value type, default, one-line
// doc, whether it is secret, and validators); the CLI composes the tables into one Schema
// and loads values for it from a YAML file, the environment and flags (cli/config.h). The
// schema is what makes unknown keys errors with a hint, type errors precise, and
// `klio config show` able to redact secrets. docs/configuration.md lists every key.
//
// Key syntax: lowercase dot-separated segments of [a-z0-9_-]; no key is also the section of
// another ("log" cannot be a key when "log.level" is). Each key is also read from the
// environment variable named by EnvVarName() ("tier1.wal.path" -> TIER1_WAL_PATH).
//
// Thread-safety: a Schema is immutable after it is built; concurrent reads are safe.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "cli/config_value.h"

namespace klio::env {
class FileSystem;
}  // namespace klio::env

namespace klio::cli {

// What validators may consult; the file system is injected so tests can fake it.
struct ValidationContext {
  env::FileSystem* fs = nullptr;
};

// A check on a parsed value. `check` returns OK, or InvalidArgument whose message is the
// reason ("/x: no such file"); the loader prefixes the key ("tls.client_ca_cert: ...").
struct Validator {
  std::string description;  // for documentation: "file must exist"
  std::function<Status(const Value&, const ValidationContext&)> check;
};

// The value must name an existing file that is not a directory: "/x: no such file",
// "/x: is a directory".
Validator FileMustExist();
// The value must name an existing directory: "/x: no such directory", "/x: not a directory".
Validator DirMustExist();

struct KeySpec {
  std::string key;  // dotted path, e.g. "tier1.wal.path"
  ValueType type = ValueType::kString;
  std::optional<std::string> default_value;  // text parsed like any other source; none = unset
  std::string doc;                           // one line, for docs and `config show`
  bool secret = false;                       // the value is never printed
  bool required = false;                     // loading fails when no source sets it
  std::vector<std::string> allowed;          // kEnum: the accepted words (lowercase)
  std::int64_t min = std::numeric_limits<std::int64_t>::min();  // kInt: inclusive range
  std::int64_t max = std::numeric_limits<std::int64_t>::max();
  std::vector<Validator> validators;  // run on the effective value, when set
};

// Parses `text` as a value for `spec`: the type's syntax, the enum's words (matched
// case-insensitively, stored as declared) and the int range. Returns InvalidArgument with
// only the reason (never the text) on failure.
Result<Value> ParseValue(const KeySpec& spec, std::string_view text);

class Schema {
 public:
  Schema() = default;

  // Adds a component's keys. Fails with Internal (a programming error, caught by tests) on
  // a malformed key, a duplicate key or environment variable name, a key that is also a
  // section, an enum without words, or a default that does not parse.
  Status Add(const std::vector<KeySpec>& table);

  // The spec of `key`, or null when it is not a key.
  const KeySpec* Find(std::string_view key) const;
  // True when `prefix` is a section: "tier1" and "tier1.wal" for the key "tier1.wal.path".
  bool IsSection(std::string_view prefix) const;
  // All keys, sorted by name.
  const std::vector<KeySpec>& keys() const { return keys_; }

  // A hint for an unknown key or section: the nearest key or section by edit distance, or a
  // key whose last segments equal `unknown`. Empty when nothing is plausible.
  std::string Suggest(std::string_view unknown) const;
  // The keys directly inside `section` ("log" -> {"log.format", "log.level"}).
  std::vector<std::string> KeysIn(std::string_view section) const;

  // "tier1.wal.path" -> "TIER1_WAL_PATH": upper-cased, '.' and '-' replaced by '_'.
  static std::string EnvVarName(std::string_view key);

 private:
  std::vector<KeySpec> keys_;          // sorted by key
  std::vector<std::string> sections_;  // sorted, unique
};

}  // namespace klio::cli
