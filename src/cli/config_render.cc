#include "cli/config_render.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <vector>

namespace klio::cli {
namespace {

bool PlainSafe(std::string_view text) {
  if (text.empty()) return false;
  static constexpr std::string_view kWords[] = {"null", "~",  "true", "false", "yes",
                                                "no",   "on", "off",  "y",     "n"};
  std::string lower(text);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (std::find(std::begin(kWords), std::end(kWords), lower) != std::end(kWords)) return false;
  if (!(std::isalnum(static_cast<unsigned char>(text.front())) || text.front() == '/' ||
        text.front() == '.' || text.front() == '_')) {
    return false;
  }
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '.' || c == '_' ||
           c == '-' || c == '+' || c == '@' || c == '=';
  });
}

}  // namespace

std::string YamlScalar(std::string_view text) {
  if (PlainSafe(text)) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

std::string RenderConfig(const Config& config) {
  struct Line {
    std::string left;
    std::string comment;
  };
  std::vector<Line> lines;
  std::size_t width = 0;
  for (const ConfigEntry& entry : config.entries()) {
    Line line;
    if (!entry.value) {
      line.left = "# " + entry.spec.key + ":";
      line.comment = "not set";
    } else {
      const std::string shown = entry.spec.secret ? std::string(kRedacted) : entry.value->text;
      line.left = entry.spec.key + ": " + YamlScalar(shown);
      line.comment = entry.source.ToString();
    }
    width = std::max(width, line.left.size());
    lines.push_back(std::move(line));
  }
  std::string out;
  for (const Line& line : lines) {
    out += line.left;
    out.append(width - line.left.size() + 2, ' ');
    out += "# " + line.comment + "\n";
  }
  return out;
}

}  // namespace klio::cli
