// Captured /proc samples (Debian 12, kernel 6.1, x86_64) and a fake /proc tree built from
// them, shared by the tests of proc_stats.h and runtime_metrics.h. Test-only.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "testing/process.h"

namespace klio::telemetry::setup::testdata {

// Captured from `cat /proc/self/stat`; the command name is replaced by one with spaces and
// parentheses, which the parser must survive.
inline constexpr char kStat[] =
    "5451 (a) b (c) R 5449 5449 1837 0 -1 4194304 100 0 0 0 17 4 0 0 20 0 3 0 341965 "
    "3133440 418 18446744073709551615 93882268889088 93882268908969 140727733649840 0 0 0 0 0 "
    "0 0 0 0 17 0 0 0 0 0 0 93882268924976 93882268926592 93882877865984 140727733656007 "
    "140727733656027 140727733656027 140727733657579 0\n";
inline constexpr char kStatm[] = "765 404 376 5 0 123 0\n";
inline constexpr char kSystemStat[] =
    "cpu  300547 12 94380 279898 5734 7 640 3 0 0\n"
    "cpu0 151104 0 44604 144214 465 0 203 0 0 0\n"
    "cpu1 149442 0 49776 135683 5268 0 437 0 0 0\n"
    "intr 123 0 0\n"
    "ctxt 987654\n"
    "btime 1795317708\n"
    "processes 5500\n";
inline constexpr char kMemInfo[] =
    "MemTotal:       24683620 kB\n"
    "MemFree:        20190216 kB\n"
    "MemAvailable:   22732424 kB\n"
    "Buffers:           25068 kB\n"
    "Cached:          2681964 kB\n"
    "SwapCached:            0 kB\n"
    "SReclaimable:     145656 kB\n"
    "HugePages_Total:       0\n";
inline constexpr char kNetDev[] =
    "Inter-|   Receive                                                |  Transmit\n"
    " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs "
    "drop fifo colls carrier compressed\n"
    "    lo: 695712244   64646    0    0    0     0          0         0 695712244   64646    "
    "0    0    0     0       0          0\n"
    "  eth0: 134615425    7030    0    0    0     0          0         0   729317    5491    "
    "0    0    0     0       0          0\n"
    "  eth1:4294967296000 1 0 0 0 0 0 0 42 1 0 0 0 0 0 0\n";

// A fake /proc tree with the captured samples.
class FakeProc {
 public:
  FakeProc() : dir_("klio-fake-proc") {
    std::filesystem::create_directories(dir_.Join("self/fd"));
    std::filesystem::create_directories(dir_.Join("net"));
    Write("self/stat", kStat);
    Write("self/statm", kStatm);
    Write("stat", kSystemStat);
    Write("meminfo", kMemInfo);
    Write("net/dev", kNetDev);
    Write("uptime", "3500.50 100.0\n");
    for (const char* fd : {"0", "1", "2", "7"}) Write(std::string("self/fd/") + fd, "");
  }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.Join(name), std::ios::binary) << text;
  }
  const std::string& root() const { return dir_.path(); }

 private:
  testing::TempDir dir_;
};

}  // namespace klio::telemetry::setup::testdata
