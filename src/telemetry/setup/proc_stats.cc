// /proc parsers and reader (see proc_stats.h).
#include "telemetry/setup/proc_stats.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace klio::telemetry::setup {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Splits on runs of whitespace.
std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    std::size_t start = i;
    while (i < s.size() && !IsSpace(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

template <typename T>
bool ToInt(std::string_view s, T* out) {
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

// Calls fn(line) for each line of `text`.
template <typename Fn>
void ForEachLine(std::string_view text, Fn fn) {
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    fn(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::FromErrno(errno, path);
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return Status::IoError(path + ": read failed");
  return out.str();
}

// Number of entries of `dir`, without "." and "..", nor the descriptor used to list it when
// `skip_own_fd` (listing /proc/self/fd opens one more descriptor, which it then shows).
Result<std::int64_t> CountEntries(const std::string& dir, bool skip_own_fd) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return Status::FromErrno(errno, dir);
  const std::string own = std::to_string(dirfd(d));
  std::int64_t n = 0;
  while (const dirent* e = readdir(d)) {
    std::string_view name = e->d_name;
    if (name == "." || name == ".." || (skip_own_fd && name == own)) continue;
    ++n;
  }
  closedir(d);
  return n;
}

}  // namespace

Result<ProcStat> ParseProcStat(std::string_view text) {
  const std::size_t paren = text.rfind(')');
  if (paren == std::string_view::npos || text.find('(') == std::string_view::npos) {
    return Status::Corruption("stat: no command name in parentheses");
  }
  // After ')': state(0) ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt
  // utime(11) stime(12) cutime cstime priority nice num_threads(17) itrealvalue
  // starttime(19) vsize(20) rss(21).
  std::vector<std::string_view> f = Fields(text.substr(paren + 1));
  ProcStat s;
  if (f.size() < 22 || !ToInt(f[11], &s.utime_ticks) || !ToInt(f[12], &s.stime_ticks) ||
      !ToInt(f[17], &s.num_threads) || !ToInt(f[19], &s.start_time_ticks) ||
      !ToInt(f[20], &s.vsize_bytes) || !ToInt(f[21], &s.rss_pages)) {
    return Status::Corruption("stat: malformed fields after the command name");
  }
  return s;
}

Result<ProcStatm> ParseProcStatm(std::string_view text) {
  std::vector<std::string_view> f = Fields(text);
  ProcStatm s;
  if (f.size() < 2 || !ToInt(f[0], &s.size_pages) || !ToInt(f[1], &s.resident_pages)) {
    return Status::Corruption("statm: expected at least two page counts");
  }
  return s;
}

Result<SystemStat> ParseSystemStat(std::string_view text) {
  SystemStat s;
  bool have_cpu = false;
  bool bad_cpu = false;
  ForEachLine(text, [&](std::string_view line) {
    std::vector<std::string_view> f = Fields(line);
    if (f.empty()) return;
    if (f[0] == "cpu") {
      std::uint64_t* const dest[] = {&s.cpu.user,   &s.cpu.nice, &s.cpu.system,  &s.cpu.idle,
                                     &s.cpu.iowait, &s.cpu.irq,  &s.cpu.softirq, &s.cpu.steal};
      // Old kernels have fewer columns; user, nice, system, idle always exist.
      if (f.size() < 5) bad_cpu = true;
      for (std::size_t i = 0; i < 8 && i + 1 < f.size(); ++i) {
        if (!ToInt(f[i + 1], dest[i])) bad_cpu = true;
      }
      have_cpu = true;
    } else if (f[0] == "btime" && f.size() >= 2) {
      std::uint64_t b = 0;
      if (ToInt(f[1], &b)) s.boot_time_unix_s = b;
    }
  });
  if (!have_cpu || bad_cpu) return Status::Corruption("stat: missing or malformed \"cpu\" line");
  return s;
}

Result<MemInfo> ParseMemInfo(std::string_view text) {
  MemInfo m;
  bool have_total = false;
  ForEachLine(text, [&](std::string_view line) {
    std::vector<std::string_view> f = Fields(line);
    if (f.size() < 2) return;
    std::uint64_t v = 0;
    if (!ToInt(f[1], &v)) return;
    if (f.size() >= 3 && f[2] == "kB") v *= 1024;
    std::string_view key = f[0];
    if (key == "MemTotal:") {
      m.total = v;
      have_total = true;
    } else if (key == "MemFree:") {
      m.free = v;
    } else if (key == "MemAvailable:") {
      m.available = v;
    } else if (key == "Buffers:") {
      m.buffers = v;
    } else if (key == "Cached:") {
      m.cached = v;
    } else if (key == "SReclaimable:") {
      m.sreclaimable = v;
    }
  });
  if (!have_total) return Status::Corruption("meminfo: no MemTotal");
  return m;
}

MemoryStates ComputeMemoryStates(const MemInfo& mem) {
  MemoryStates s;
  const auto clamp_sub = [](std::uint64_t a, std::uint64_t b) { return a > b ? a - b : 0; };
  s.free = std::min(mem.free, mem.total);
  s.buffers = std::min(mem.buffers, mem.total - s.free);
  s.cached = std::min(mem.cached + mem.sreclaimable, mem.total - s.free - s.buffers);
  s.used = clamp_sub(mem.total, s.free + s.buffers + s.cached);
  return s;
}

Result<std::vector<NetDevice>> ParseNetDev(std::string_view text) {
  std::vector<NetDevice> out;
  bool bad = false;
  ForEachLine(text, [&](std::string_view line) {
    const std::size_t colon = line.find(':');
    // The two header lines contain '|' and no ':'.
    if (colon == std::string_view::npos || line.find('|') != std::string_view::npos) return;
    std::vector<std::string_view> name = Fields(line.substr(0, colon));
    std::vector<std::string_view> f = Fields(line.substr(colon + 1));
    NetDevice dev;
    if (name.size() != 1 || f.size() < 9 || !ToInt(f[0], &dev.receive_bytes) ||
        !ToInt(f[8], &dev.transmit_bytes)) {
      bad = true;
      return;
    }
    dev.name = std::string(name[0]);
    out.push_back(std::move(dev));
  });
  if (bad) return Status::Corruption("net/dev: malformed interface line");
  return out;
}

Result<double> ParseUptime(std::string_view text) {
  std::vector<std::string_view> f = Fields(text);
  if (f.empty()) return Status::Corruption("uptime: empty");
  std::string first(f[0]);
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(first.c_str(), &end);
  if (errno != 0 || end != first.c_str() + first.size() || v < 0) {
    return Status::Corruption("uptime: not a number of seconds");
  }
  return v;
}

ProcReader::ProcReader(ProcReaderOptions options) : options_(std::move(options)) {
  if (options_.clock_ticks_per_second <= 0) options_.clock_ticks_per_second = sysconf(_SC_CLK_TCK);
  if (options_.clock_ticks_per_second <= 0) options_.clock_ticks_per_second = 100;
  if (options_.page_size <= 0) options_.page_size = sysconf(_SC_PAGESIZE);
  if (options_.page_size <= 0) options_.page_size = 4096;
}

Result<ProcessSample> ProcReader::ReadProcess() const {
  const std::string self = options_.root + "/self/";
  const double ticks = static_cast<double>(options_.clock_ticks_per_second);
  KLIO_ASSIGN_OR_RETURN(std::string stat_text, ReadFile(self + "stat"));
  Result<ProcStat> stat = ParseProcStat(stat_text);
  if (!stat.ok()) return stat.status().WithContext(self);
  KLIO_ASSIGN_OR_RETURN(std::string statm_text, ReadFile(self + "statm"));
  Result<ProcStatm> statm = ParseProcStatm(statm_text);
  if (!statm.ok()) return statm.status().WithContext(self);

  ProcessSample s;
  s.cpu_user_s = static_cast<double>(stat->utime_ticks) / ticks;
  s.cpu_system_s = static_cast<double>(stat->stime_ticks) / ticks;
  s.memory_rss_bytes = static_cast<std::int64_t>(statm->resident_pages) * options_.page_size;
  s.memory_virtual_bytes = static_cast<std::int64_t>(statm->size_pages) * options_.page_size;
  s.threads = stat->num_threads;
  if (Result<std::int64_t> fds = CountEntries(self + "fd", options_.root == "/proc"); fds.ok()) {
    s.open_fds = *fds;
  }
  if (Result<std::string> up = ReadFile(options_.root + "/uptime"); up.ok()) {
    if (Result<double> since_boot = ParseUptime(*up); since_boot.ok()) {
      const double age = *since_boot - static_cast<double>(stat->start_time_ticks) / ticks;
      s.uptime_s = age > 0 ? age : 0.0;
    }
  }
  return s;
}

Result<SystemSample> ProcReader::ReadSystem() const {
  const std::string& root = options_.root;
  SystemSample s;
  s.ticks_per_second = static_cast<double>(options_.clock_ticks_per_second);
  KLIO_ASSIGN_OR_RETURN(std::string stat_text, ReadFile(root + "/stat"));
  Result<SystemStat> stat = ParseSystemStat(stat_text);
  if (!stat.ok()) return stat.status().WithContext(root);
  s.cpu_ticks = stat->cpu;
  KLIO_ASSIGN_OR_RETURN(std::string mem_text, ReadFile(root + "/meminfo"));
  Result<MemInfo> mem = ParseMemInfo(mem_text);
  if (!mem.ok()) return mem.status().WithContext(root);
  s.memory = *mem;
  if (Result<std::string> net = ReadFile(root + "/net/dev"); net.ok()) {
    if (Result<std::vector<NetDevice>> devs = ParseNetDev(*net); devs.ok()) {
      s.network = std::move(*devs);
    }
  }
  return s;
}

}  // namespace klio::telemetry::setup
