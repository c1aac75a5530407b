#include "cli/config_file.h"

#include <yaml-cpp/yaml.h>

#include <map>

namespace klio::cli {
namespace {

std::string Join(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

class Flattener {
 public:
  Flattener(const Schema& schema, std::string_view file_name)
      : schema_(schema), file_name_(file_name) {}

  Status Walk(const YAML::Node& map, const std::string& prefix) {
    for (const auto& kv : map) {
      const YAML::Node& key_node = kv.first;
      const YAML::Node& value = kv.second;
      const int line = key_node.Mark().line + 1;
      if (!key_node.IsScalar()) {
        return Status::InvalidArgument(Where(line) + ": configuration keys must be plain words");
      }
      const std::string key = prefix.empty() ? key_node.Scalar() : prefix + "." + key_node.Scalar();
      if (schema_.IsSection(key)) {
        if (value.IsNull()) continue;  // an empty section sets nothing
        if (!value.IsMap()) {
          return Status::InvalidArgument("expected a mapping for section \"" + key + "\" in " +
                                         Where(line) + " (keys: " + Join(schema_.KeysIn(key)) +
                                         ")");
        }
        KLIO_RETURN_IF_ERROR(Walk(value, key));
        continue;
      }
      const KeySpec* spec = schema_.Find(key);
      if (spec == nullptr) return UnknownKey(key, prefix, line);
      if (value.IsMap() || value.IsSequence()) {
        return Status::InvalidArgument("invalid value for " + key + " in " + Where(line) +
                                       ": expected a single " +
                                       std::string(ValueTypeName(spec->type)) + ", got a " +
                                       (value.IsMap() ? "mapping" : "list"));
      }
      auto [it, inserted] = first_line_.emplace(key, line);
      if (!inserted) {
        return Status::InvalidArgument("key \"" + key + "\" is set twice in " + file_name_ +
                                       " (lines " + std::to_string(it->second) + " and " +
                                       std::to_string(line) + ")");
      }
      FileSetting setting{.key = key, .text = std::nullopt, .line = line};
      if (!value.IsNull()) setting.text = value.Scalar();
      settings_.push_back(std::move(setting));
    }
    return Status::Ok();
  }

  std::vector<FileSetting> TakeSettings() { return std::move(settings_); }

  std::string Where(int line) const { return file_name_ + ":" + std::to_string(line); }

 private:
  Status UnknownKey(const std::string& key, const std::string& section, int line) const {
    std::string msg = "unknown key \"" + key + "\" in " + Where(line);
    const std::string hint = schema_.Suggest(key);
    if (!hint.empty()) {
      msg += " (did you mean \"" + hint + "\"?)";
    } else if (!section.empty()) {
      msg += " (keys in " + section + ": " + Join(schema_.KeysIn(section)) + ")";
    }
    return Status::InvalidArgument(std::move(msg));
  }

  const Schema& schema_;
  std::string file_name_;
  std::vector<FileSetting> settings_;
  std::map<std::string, int> first_line_;
};

}  // namespace

Result<std::vector<FileSetting>> ParseConfigYaml(const Schema& schema, std::string_view file_name,
                                                 std::string_view content) {
  Flattener flattener(schema, file_name);
  try {
    const YAML::Node root = YAML::Load(std::string(content));
    if (!root.IsDefined() || root.IsNull()) return std::vector<FileSetting>{};  // empty file
    if (!root.IsMap()) {
      return Status::InvalidArgument(flattener.Where(root.Mark().line + 1) +
                                     ": expected a mapping of configuration keys at the top level");
    }
    KLIO_RETURN_IF_ERROR(flattener.Walk(root, ""));
  } catch (const YAML::Exception& e) {
    // yaml-cpp marks are 0-based; editors count from 1.
    std::string where(file_name);
    if (!e.mark.is_null()) {
      where += ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1);
    }
    return Status::InvalidArgument(where + ": invalid YAML: " + e.msg);
  }
  return flattener.TakeSettings();
}

}  // namespace klio::cli
