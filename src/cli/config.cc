#include "cli/config.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "cli/config_file.h"
#include "env/file_system.h"

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX, not in a header

namespace klio::cli {
namespace {

// The message for a value that does not parse; a secret value is not repeated.
Status InvalidValue(const KeySpec& spec, std::string_view text, const Source& source,
                    const Status& reason) {
  std::string msg = "invalid value ";
  if (!spec.secret) {
    msg += "\"";
    msg += text;
    msg += "\" ";
  }
  msg += "for " + spec.key + " in " + source.ToString() + ": " + reason.message();
  return Status::InvalidArgument(std::move(msg));
}

Status SetFromText(ConfigEntry& entry, std::string_view text, Source source) {
  Result<Value> value = ParseValue(entry.spec, text);
  if (!value.ok()) return InvalidValue(entry.spec, text, source, value.status());
  entry.value = std::move(value).value();
  entry.source = std::move(source);
  return Status::Ok();
}

[[noreturn]] void Misuse(std::string_view key, std::string_view what) {
  std::fprintf(stderr, "klio: internal error: config key %.*s: %.*s\n",
               static_cast<int>(key.size()), key.data(), static_cast<int>(what.size()),
               what.data());
  std::abort();
}

}  // namespace

Environment ProcessEnvironment() {
  Environment env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string_view entry(*e);
    const std::size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    env.emplace(std::string(entry.substr(0, eq)), std::string(entry.substr(eq + 1)));
  }
  return env;
}

std::string Source::ToString() const {
  switch (kind) {
    case SourceKind::kDefault:
      return "default";
    case SourceKind::kFile:
      return name + ":" + std::to_string(line);
    case SourceKind::kEnv:
      return "environment variable " + name;
    case SourceKind::kFlag:
      return "flag " + name;
  }
  return "unknown";
}

const ConfigEntry* Config::Find(std::string_view key) const {
  auto it =
      std::lower_bound(entries_.begin(), entries_.end(), key,
                       [](const ConfigEntry& e, std::string_view k) { return e.spec.key < k; });
  if (it == entries_.end() || it->spec.key != key) return nullptr;
  return &*it;
}

bool Config::IsSet(std::string_view key) const {
  const ConfigEntry* entry = Find(key);
  if (entry == nullptr) Misuse(key, "not in the schema");
  return entry->value.has_value();
}

const Value* Config::Typed(std::string_view key, ValueType type) const {
  const ConfigEntry* entry = Find(key);
  if (entry == nullptr) Misuse(key, "not in the schema");
  const bool textual = type == ValueType::kString;
  const bool matches =
      textual ? (entry->spec.type == ValueType::kString || entry->spec.type == ValueType::kPath ||
                 entry->spec.type == ValueType::kEnum)
              : entry->spec.type == type;
  if (!matches) Misuse(key, "read with the wrong type");
  return entry->value ? &*entry->value : nullptr;
}

std::string Config::GetString(std::string_view key) const {
  const Value* v = Typed(key, ValueType::kString);
  return v ? v->text : std::string();
}

std::int64_t Config::GetInt(std::string_view key) const {
  const Value* v = Typed(key, ValueType::kInt);
  return v ? v->int_value : 0;
}

bool Config::GetBool(std::string_view key) const {
  const Value* v = Typed(key, ValueType::kBool);
  return v ? v->bool_value : false;
}

std::chrono::nanoseconds Config::GetDuration(std::string_view key) const {
  const Value* v = Typed(key, ValueType::kDuration);
  return v ? v->duration : std::chrono::nanoseconds(0);
}

std::uint64_t Config::GetByteSize(std::string_view key) const {
  const Value* v = Typed(key, ValueType::kByteSize);
  return v ? v->size_bytes : 0;
}

Result<Config> LoadConfig(const Schema& schema, const ConfigSources& sources, env::FileSystem& fs) {
  std::vector<ConfigEntry> entries;
  entries.reserve(schema.keys().size());
  for (const KeySpec& spec : schema.keys()) {
    ConfigEntry entry{.spec = spec, .value = std::nullopt, .source = Source{}};
    if (spec.default_value) {
      // Schema::Add already proved that every default parses.
      KLIO_RETURN_IF_ERROR(SetFromText(entry, *spec.default_value, Source{}));
    }
    entries.push_back(std::move(entry));
  }
  auto entry_of = [&](std::string_view key) -> ConfigEntry* {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const ConfigEntry& e) { return e.spec.key == key; });
    return it == entries.end() ? nullptr : &*it;
  };

  if (sources.file) {
    const std::string& path = *sources.file;
    Result<std::string> content = fs.ReadFile(path);
    if (!content.ok()) {
      if (content.status().IsNotFound()) {
        return Status::InvalidArgument("config file " + path + " does not exist");
      }
      return Status::InvalidArgument("cannot read config file: " + content.status().message());
    }
    KLIO_ASSIGN_OR_RETURN(std::vector<FileSetting> settings,
                          ParseConfigYaml(schema, path, *content));
    for (const FileSetting& setting : settings) {
      if (!setting.text) continue;  // YAML null: leave the default
      ConfigEntry* entry = entry_of(setting.key);
      KLIO_RETURN_IF_ERROR(
          SetFromText(*entry, *setting.text,
                      Source{.kind = SourceKind::kFile, .name = path, .line = setting.line}));
    }
  }

  for (ConfigEntry& entry : entries) {
    const std::string name = Schema::EnvVarName(entry.spec.key);
    auto it = sources.env.find(name);
    if (it == sources.env.end() || it->second.empty()) continue;
    KLIO_RETURN_IF_ERROR(
        SetFromText(entry, it->second, Source{.kind = SourceKind::kEnv, .name = name}));
  }

  for (const FlagValue& flag : sources.flags) {
    ConfigEntry* entry = entry_of(flag.key);
    if (entry == nullptr) {
      return Status::Internal("flag " + flag.flag + " is bound to unknown config key " + flag.key);
    }
    KLIO_RETURN_IF_ERROR(
        SetFromText(*entry, flag.text, Source{.kind = SourceKind::kFlag, .name = flag.flag}));
  }

  for (const ConfigEntry& entry : entries) {
    if (entry.spec.required && !entry.value) {
      return Status::InvalidArgument(entry.spec.key +
                                     " is required: set it in the config file or " +
                                     Schema::EnvVarName(entry.spec.key));
    }
  }

  const ValidationContext ctx{.fs = &fs};
  for (const ConfigEntry& entry : entries) {
    if (!entry.value) continue;
    for (const Validator& validator : entry.spec.validators) {
      Status st = validator.check(*entry.value, ctx);
      if (!st.ok()) return Status::InvalidArgument(entry.spec.key + ": " + st.message());
    }
  }
  return Config(std::move(entries));
}

}  // namespace klio::cli
