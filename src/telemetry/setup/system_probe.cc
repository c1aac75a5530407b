// The Linux SystemProbe (resource_config.h): gethostname, uname, machine id, os-release,
// /proc/self. Every failure is "unavailable" (nullopt), never an error: a detector that finds
// nothing leaves its attribute out.
#include <pwd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <climits>
#include <fstream>
#include <sstream>
#include <utility>

#include "telemetry/setup/resource_config.h"

namespace klio::telemetry::setup {
namespace {

std::optional<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return out.str();
}

std::string TrimSpace(std::string s) {
  const auto not_space = [](char c) { return c != ' ' && c != '\n' && c != '\t' && c != '\r'; };
  while (!s.empty() && !not_space(s.back())) s.pop_back();
  std::size_t start = 0;
  while (start < s.size() && !not_space(s[start])) ++start;
  return s.substr(start);
}

class LinuxSystemProbe final : public SystemProbe {
 public:
  LinuxSystemProbe(std::string proc_root, std::string etc_root)
      : proc_(std::move(proc_root)), etc_(std::move(etc_root)) {}

  std::optional<std::string> HostName() override {
    char buf[HOST_NAME_MAX + 1] = {};
    if (gethostname(buf, sizeof(buf) - 1) != 0 || buf[0] == '\0') return std::nullopt;
    return std::string(buf);
  }

  std::optional<UnameInfo> Uname() override {
    struct utsname u {};
    if (uname(&u) != 0) return std::nullopt;
    return UnameInfo{u.sysname, u.nodename, u.release, u.version, u.machine};
  }

  std::optional<std::string> MachineId() override {
    for (const std::string& path :
         {etc_ + "/machine-id", std::string("/var/lib/dbus/machine-id")}) {
      if (auto text = ReadWholeFile(path)) {
        std::string id = TrimSpace(*text);
        if (!id.empty()) return id;
      }
    }
    return std::nullopt;
  }

  std::optional<std::string> OsReleaseText() override {
    if (auto text = ReadWholeFile(etc_ + "/os-release")) return text;
    return ReadWholeFile("/usr/lib/os-release");
  }

  std::int64_t Pid() override { return getpid(); }
  std::int64_t ParentPid() override { return getppid(); }

  std::optional<std::string> ExecutablePath() override {
    char buf[PATH_MAX + 1] = {};
    const std::string link = proc_ + "/self/exe";
    ssize_t n = readlink(link.c_str(), buf, sizeof(buf) - 1);
    if (n <= 0) return std::nullopt;
    std::string path(buf, static_cast<std::size_t>(n));
    // A replaced binary reads as "/path/klio (deleted)"; the path is still the useful part.
    constexpr std::string_view kDeleted = " (deleted)";
    if (path.ends_with(kDeleted)) path.resize(path.size() - kDeleted.size());
    return path;
  }

  std::optional<std::string> CommandLine() override {
    return ReadWholeFile(proc_ + "/self/cmdline");
  }

  std::optional<std::string> Owner() override {
    const uid_t uid = geteuid();
    long size = sysconf(_SC_GETPW_R_SIZE_MAX);
    std::string buf(size > 0 ? static_cast<std::size_t>(size) : 16384, '\0');
    struct passwd pw {};
    struct passwd* result = nullptr;
    if (getpwuid_r(uid, &pw, buf.data(), buf.size(), &result) != 0 || result == nullptr) {
      return std::to_string(uid);  // no passwd entry (common in containers): the numeric id
    }
    return std::string(result->pw_name);
  }

  std::optional<std::string> CgroupText() override { return ReadWholeFile(proc_ + "/self/cgroup"); }
  std::optional<std::string> MountInfoText() override {
    return ReadWholeFile(proc_ + "/self/mountinfo");
  }

 private:
  const std::string proc_;
  const std::string etc_;
};

}  // namespace

std::unique_ptr<SystemProbe> NewLinuxSystemProbe(std::string proc_root, std::string etc_root) {
  return std::make_unique<LinuxSystemProbe>(std::move(proc_root), std::move(etc_root));
}

}  // namespace klio::telemetry::setup
