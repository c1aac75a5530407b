#include "cli/config_schema.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "cli/edit_distance.h"
#include "env/file_system.h"

namespace klio::cli {
namespace {

bool ValidSegment(std::string_view segment) {
  if (segment.empty()) return false;
  return std::all_of(segment.begin(), segment.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

bool ValidKey(std::string_view key) {
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = key.find('.', start);
    if (!ValidSegment(key.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Every proper prefix of `key` ending before a dot: "a.b.c" -> "a", "a.b".
std::vector<std::string> SectionsOf(std::string_view key) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '.') out.emplace_back(key.substr(0, i));
  }
  return out;
}

std::string Join(const std::vector<std::string>& words, std::string_view sep) {
  std::string out;
  for (const std::string& w : words) {
    if (!out.empty()) out += sep;
    out += w;
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

namespace {

Status CheckFile(const Value& v, const ValidationContext& ctx) {
  Status exists = ctx.fs->Exists(v.text);
  if (exists.IsNotFound()) return Status::InvalidArgument(v.text + ": no such file");
  if (!exists.ok()) return Status::InvalidArgument(exists.message());
  if (ctx.fs->ListDir(v.text).ok()) return Status::InvalidArgument(v.text + ": is a directory");
  return Status::Ok();
}

Status CheckDir(const Value& v, const ValidationContext& ctx) {
  Status exists = ctx.fs->Exists(v.text);
  if (exists.IsNotFound()) return Status::InvalidArgument(v.text + ": no such directory");
  if (!exists.ok()) return Status::InvalidArgument(exists.message());
  if (!ctx.fs->ListDir(v.text).ok()) return Status::InvalidArgument(v.text + ": not a directory");
  return Status::Ok();
}

}  // namespace

Validator FileMustExist() {
  return Validator{.description = "file must exist", .check = CheckFile};
}

Validator DirMustExist() {
  return Validator{.description = "directory must exist", .check = CheckDir};
}

Result<Value> ParseValue(const KeySpec& spec, std::string_view text) {
  Value v;
  v.type = spec.type;
  switch (spec.type) {
    case ValueType::kString:
      v.text = std::string(text);
      break;
    case ValueType::kPath:
      if (text.empty()) return Status::InvalidArgument("expected a path, got an empty value");
      if (text.find('\0') != std::string_view::npos) {
        return Status::InvalidArgument("a path cannot contain a NUL byte");
      }
      v.text = std::string(text);
      break;
    case ValueType::kInt: {
      KLIO_ASSIGN_OR_RETURN(v.int_value, ParseInt(text));
      if (v.int_value < spec.min || v.int_value > spec.max) {
        std::string reason = "must be ";
        if (spec.min != std::numeric_limits<std::int64_t>::min() &&
            spec.max != std::numeric_limits<std::int64_t>::max()) {
          reason += "between " + std::to_string(spec.min) + " and " + std::to_string(spec.max);
        } else if (spec.min != std::numeric_limits<std::int64_t>::min()) {
          reason += "at least " + std::to_string(spec.min);
        } else {
          reason += "at most " + std::to_string(spec.max);
        }
        return Status::InvalidArgument(reason);
      }
      v.text = std::to_string(v.int_value);
      break;
    }
    case ValueType::kBool: {
      KLIO_ASSIGN_OR_RETURN(v.bool_value, ParseBool(text));
      v.text = v.bool_value ? "true" : "false";
      break;
    }
    case ValueType::kDuration: {
      KLIO_ASSIGN_OR_RETURN(v.duration, ParseDuration(text));
      v.text = FormatDuration(v.duration);
      break;
    }
    case ValueType::kByteSize: {
      KLIO_ASSIGN_OR_RETURN(v.size_bytes, ParseByteSize(text));
      v.text = FormatByteSize(v.size_bytes);
      break;
    }
    case ValueType::kEnum: {
      auto it = std::find_if(spec.allowed.begin(), spec.allowed.end(),
                             [&](const std::string& word) { return EqualsIgnoreCase(word, text); });
      if (it == spec.allowed.end()) {
        return Status::InvalidArgument("expected one of " + Join(spec.allowed, ", "));
      }
      v.text = *it;
      break;
    }
  }
  return v;
}

Status Schema::Add(const std::vector<KeySpec>& table) {
  std::set<std::string> env_names;
  for (const KeySpec& existing : keys_) env_names.insert(EnvVarName(existing.key));
  std::vector<KeySpec> merged = keys_;
  for (const KeySpec& spec : table) {
    const std::string where = "config schema: key \"" + spec.key + "\"";
    if (!ValidKey(spec.key)) return Status::Internal(where + ": malformed key");
    if (!env_names.insert(EnvVarName(spec.key)).second) {
      return Status::Internal(where + ": duplicate key or environment variable " +
                              EnvVarName(spec.key));
    }
    if (spec.type == ValueType::kEnum && spec.allowed.empty()) {
      return Status::Internal(where + ": enum without allowed values");
    }
    if (spec.default_value) {
      Result<Value> parsed = ParseValue(spec, *spec.default_value);
      if (!parsed.ok()) {
        return Status::Internal(where + ": bad default: " + parsed.status().message());
      }
    }
    merged.push_back(spec);
  }
  std::sort(merged.begin(), merged.end(),
            [](const KeySpec& a, const KeySpec& b) { return a.key < b.key; });
  std::set<std::string> sections;
  for (const KeySpec& spec : merged) {
    for (std::string& s : SectionsOf(spec.key)) sections.insert(std::move(s));
  }
  for (const KeySpec& spec : merged) {
    if (sections.count(spec.key) != 0) {
      return Status::Internal("config schema: key \"" + spec.key +
                              "\" is also a section of other keys");
    }
  }
  keys_ = std::move(merged);
  sections_.assign(sections.begin(), sections.end());
  return Status::Ok();
}

const KeySpec* Schema::Find(std::string_view key) const {
  auto it = std::lower_bound(keys_.begin(), keys_.end(), key,
                             [](const KeySpec& spec, std::string_view k) { return spec.key < k; });
  if (it == keys_.end() || it->key != key) return nullptr;
  return &*it;
}

bool Schema::IsSection(std::string_view prefix) const {
  return std::binary_search(sections_.begin(), sections_.end(), prefix,
                            [](std::string_view a, std::string_view b) { return a < b; });
}

std::string Schema::Suggest(std::string_view unknown) const {
  std::vector<std::string> candidates;
  candidates.reserve(keys_.size() + sections_.size());
  for (const KeySpec& spec : keys_) candidates.push_back(spec.key);
  candidates.insert(candidates.end(), sections_.begin(), sections_.end());
  std::string nearest = ClosestMatch(unknown, candidates);
  if (!nearest.empty()) return nearest;
  // A key written without its section ("wal.path" for "tier1.wal.path").
  const std::string suffix = "." + std::string(unknown);
  for (const std::string& candidate : candidates) {
    if (candidate.size() > suffix.size() &&
        candidate.compare(candidate.size() - suffix.size(), suffix.size(), suffix) == 0) {
      return candidate;
    }
  }
  return "";
}

std::vector<std::string> Schema::KeysIn(std::string_view section) const {
  std::vector<std::string> out;
  const std::string prefix = std::string(section) + ".";
  for (const KeySpec& spec : keys_) {
    if (spec.key.starts_with(prefix) && spec.key.find('.', prefix.size()) == std::string::npos) {
      out.push_back(spec.key);
    }
  }
  return out;
}

std::string Schema::EnvVarName(std::string_view key) {
  std::string out(key);
  for (char& c : out) {
    if (c == '.' || c == '-') {
      c = '_';
    } else {
      c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

}  // namespace klio::cli
