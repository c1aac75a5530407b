// Readers of the Linux /proc files behind klio's process and host metrics
// (runtime_metrics.h): pure parsers over file contents, tested with captured samples, and
// ProcReader, which reads the files under a configurable root so that tests can point it at a
// fake /proc tree.
//
// Thread-safety: parsers are pure; a ProcReader is immutable after construction and may be
// used from several threads.
// Design: otel-reference §5.6 (the Linux source of each metric).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace klio::telemetry::setup {

// /proc/<pid>/stat: the fields klio uses (times in clock ticks, sizes in bytes or pages).
struct ProcStat {
  std::uint64_t utime_ticks = 0;
  std::uint64_t stime_ticks = 0;
  std::int64_t num_threads = 0;
  std::uint64_t start_time_ticks = 0;  // since boot
  std::uint64_t vsize_bytes = 0;
  std::int64_t rss_pages = 0;
};
// Fails with Corruption when the text is not a stat line (the command name in parentheses may
// hold spaces and parentheses; fields are counted after the last ')').
Result<ProcStat> ParseProcStat(std::string_view text);

// /proc/<pid>/statm: total program size and resident set, in pages.
struct ProcStatm {
  std::uint64_t size_pages = 0;
  std::uint64_t resident_pages = 0;
};
Result<ProcStatm> ParseProcStatm(std::string_view text);

// The aggregate "cpu" line of /proc/stat, in clock ticks, and the boot time.
struct SystemCpuTimes {
  std::uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                steal = 0;
};
struct SystemStat {
  SystemCpuTimes cpu;
  std::optional<std::uint64_t> boot_time_unix_s;  // "btime"
};
Result<SystemStat> ParseSystemStat(std::string_view text);

// /proc/meminfo, in bytes (the file says kB = 1024 bytes). Absent keys stay 0.
struct MemInfo {
  std::uint64_t total = 0, free = 0, available = 0, buffers = 0, cached = 0, sreclaimable = 0;
};
Result<MemInfo> ParseMemInfo(std::string_view text);

// system.memory.state values derived from MemInfo, in bytes, summing to `total`:
// used = total - free - buffers - cached; cached includes SReclaimable (what free(1) shows as
// buff/cache). Never negative.
struct MemoryStates {
  std::uint64_t used = 0, free = 0, cached = 0, buffers = 0;
};
MemoryStates ComputeMemoryStates(const MemInfo& mem);

// /proc/net/dev: per interface byte counters.
struct NetDevice {
  std::string name;
  std::uint64_t receive_bytes = 0;
  std::uint64_t transmit_bytes = 0;
};
Result<std::vector<NetDevice>> ParseNetDev(std::string_view text);

// /proc/uptime: seconds since boot (the first number).
Result<double> ParseUptime(std::string_view text);

// One reading of everything above, already in metric units.
struct ProcessSample {
  double cpu_user_s = 0, cpu_system_s = 0;
  std::int64_t memory_rss_bytes = 0, memory_virtual_bytes = 0;
  std::int64_t threads = 0;
  std::optional<std::int64_t> open_fds;  // nullopt when <root>/self/fd cannot be listed
  std::optional<double> uptime_s;
};
struct SystemSample {
  SystemCpuTimes cpu_ticks;
  double ticks_per_second = 100;
  MemInfo memory;
  std::vector<NetDevice> network;
};

struct ProcReaderOptions {
  std::string root = "/proc";       // a fake tree in tests (with self/stat, stat, meminfo, ...)
  long clock_ticks_per_second = 0;  // 0: sysconf(_SC_CLK_TCK)
  long page_size = 0;               // 0: sysconf(_SC_PAGESIZE)
};

// Reads the files of one sample. Blocking file reads of a few small /proc files.
class ProcReader {
 public:
  explicit ProcReader(ProcReaderOptions options = {});

  // <root>/self/stat, self/statm, self/fd (count), uptime. IoError/Corruption naming the file
  // when stat or statm cannot be read or parsed; fds and uptime are optional.
  Result<ProcessSample> ReadProcess() const;
  // <root>/stat, meminfo, net/dev. Errors name the file; net/dev is optional (empty list).
  Result<SystemSample> ReadSystem() const;

  const ProcReaderOptions& options() const { return options_; }

 private:
  ProcReaderOptions options_;
};

}  // namespace klio::telemetry::setup
