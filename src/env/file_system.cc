#include "env/file_system.h"

#include <vector>

#include "env/path_util.h"

namespace klio::env {

Result<std::string> FileSystem::ReadFile(const std::string& path) {
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<ReadableFile> file, NewReadableFile(path));
  KLIO_ASSIGN_OR_RETURN(std::uint64_t size_hint, file->Size());
  std::string out;
  out.reserve(size_hint);
  // Read until end of file rather than trusting the size: the file may grow meanwhile.
  std::vector<std::uint8_t> chunk(std::size_t{64} * 1024);
  while (true) {
    KLIO_ASSIGN_OR_RETURN(std::size_t n, file->ReadAt(out.size(), chunk));
    if (n == 0) break;
    out.append(reinterpret_cast<const char*>(chunk.data()), n);
  }
  return out;
}

namespace {

std::string_view StripTrailingSlashes(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return path;
}

}  // namespace

std::string ParentDir(std::string_view path) {
  path = StripTrailingSlashes(path);
  const std::size_t pos = path.rfind('/');
  if (pos == std::string_view::npos) return ".";
  std::string_view parent = StripTrailingSlashes(path.substr(0, pos));
  if (parent.empty()) return "/";
  return std::string(parent);
}

std::string BaseName(std::string_view path) {
  path = StripTrailingSlashes(path);
  if (path == "/") return "/";
  const std::size_t pos = path.rfind('/');
  if (pos == std::string_view::npos) return std::string(path);
  return std::string(path.substr(pos + 1));
}

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  while (!b.empty() && b.front() == '/') b.remove_prefix(1);
  if (b.empty()) return std::string(a);
  a = StripTrailingSlashes(a);
  std::string out(a);
  if (out.back() != '/') out += '/';
  out += b;
  return out;
}

std::string CleanPath(std::string_view path) {
  if (path.empty()) return ".";
  const bool absolute = path.front() == '/';
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(part);
      }
      continue;
    }
    parts.push_back(part);
  }
  if (parts.empty()) return absolute ? "/" : ".";
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (absolute || i > 0) out.push_back('/');
    out.append(parts[i]);
  }
  return out;
}

bool PathIsUnder(std::string_view path, std::string_view prefix) {
  if (path == prefix) return true;
  if (prefix == "/") return path.size() > 1 && path.front() == '/';
  if (prefix == ".") {
    return !path.empty() && path.front() != '/' && path != ".." && !path.starts_with("../");
  }
  return path.size() > prefix.size() && path.starts_with(prefix) && path[prefix.size()] == '/';
}

}  // namespace klio::env
