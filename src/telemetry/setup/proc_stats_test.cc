// The /proc parsers against captured samples (Debian 12, kernel 6.1, x86_64), malformed input,
// and ProcReader over a fake /proc tree and over the real one.
#include "telemetry/setup/proc_stats.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "telemetry/setup/proc_testdata.h"

namespace klio::telemetry::setup {
namespace {

using namespace testdata;  // NOLINT: the captured samples

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::HasSubstr;

TEST(ProcParseTest, ProcessStat) {
  Result<ProcStat> s = ParseProcStat(kStat);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->utime_ticks, 17u);
  EXPECT_EQ(s->stime_ticks, 4u);
  EXPECT_EQ(s->num_threads, 3);
  EXPECT_EQ(s->start_time_ticks, 341965u);
  EXPECT_EQ(s->vsize_bytes, 3133440u);
  EXPECT_EQ(s->rss_pages, 418);
}

TEST(ProcParseTest, ProcessStatMalformed) {
  for (const char* bad : {"", "5451 cat R 1 2", "5451 (cat) R 1 2 3",
                          "1 (x) R a b c d e f g h i "
                          "j k l m n o p q r s t u v"}) {
    Result<ProcStat> s = ParseProcStat(bad);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_EQ(s.status().code(), StatusCode::kCorruption);
  }
}

TEST(ProcParseTest, Statm) {
  Result<ProcStatm> s = ParseProcStatm(kStatm);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->size_pages, 765u);
  EXPECT_EQ(s->resident_pages, 404u);
  EXPECT_FALSE(ParseProcStatm("765").ok());
  EXPECT_FALSE(ParseProcStatm("x y").ok());
}

TEST(ProcParseTest, SystemStat) {
  Result<SystemStat> s = ParseSystemStat(kSystemStat);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->cpu.user, 300547u);
  EXPECT_EQ(s->cpu.nice, 12u);
  EXPECT_EQ(s->cpu.system, 94380u);
  EXPECT_EQ(s->cpu.idle, 279898u);
  EXPECT_EQ(s->cpu.iowait, 5734u);
  EXPECT_EQ(s->cpu.irq, 7u);
  EXPECT_EQ(s->cpu.softirq, 640u);
  EXPECT_EQ(s->cpu.steal, 3u);
  EXPECT_EQ(s->boot_time_unix_s, 1795317708u);
  // A 2.6-era kernel without iowait/irq/steal columns.
  s = ParseSystemStat("cpu 1 2 3 4\n");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->cpu.idle, 4u);
  EXPECT_EQ(s->cpu.steal, 0u);
  EXPECT_FALSE(s->boot_time_unix_s.has_value());
  EXPECT_FALSE(ParseSystemStat("cpu0 1 2 3 4\n").ok());
  EXPECT_FALSE(ParseSystemStat("cpu 1 2 x 4\n").ok());
}

TEST(ProcParseTest, MemInfoAndStates) {
  Result<MemInfo> m = ParseMemInfo(kMemInfo);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->total, 24683620ull * 1024);
  EXPECT_EQ(m->free, 20190216ull * 1024);
  EXPECT_EQ(m->available, 22732424ull * 1024);
  EXPECT_EQ(m->buffers, 25068ull * 1024);
  EXPECT_EQ(m->cached, 2681964ull * 1024);
  EXPECT_EQ(m->sreclaimable, 145656ull * 1024);
  MemoryStates s = ComputeMemoryStates(*m);
  EXPECT_EQ(s.free, m->free);
  EXPECT_EQ(s.buffers, m->buffers);
  EXPECT_EQ(s.cached, m->cached + m->sreclaimable);
  EXPECT_EQ(s.used, (24683620ull - 20190216 - 25068 - 2681964 - 145656) * 1024);
  EXPECT_EQ(s.used + s.free + s.cached + s.buffers, m->total);
  EXPECT_FALSE(ParseMemInfo("MemFree: 1 kB\n").ok());

  // Inconsistent numbers (a racing read) never go negative and still sum to the total.
  MemInfo odd{.total = 100, .free = 60, .buffers = 30, .cached = 30, .sreclaimable = 5};
  s = ComputeMemoryStates(odd);
  EXPECT_EQ(s.used, 0u);
  EXPECT_EQ(s.used + s.free + s.cached + s.buffers, 100u);
}

TEST(ProcParseTest, NetDev) {
  Result<std::vector<NetDevice>> d = ParseNetDev(kNetDev);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  ASSERT_EQ(d->size(), 3u);
  EXPECT_EQ((*d)[0].name, "lo");
  EXPECT_EQ((*d)[0].receive_bytes, 695712244u);
  EXPECT_EQ((*d)[0].transmit_bytes, 695712244u);
  EXPECT_EQ((*d)[1].name, "eth0");
  EXPECT_EQ((*d)[1].receive_bytes, 134615425u);
  EXPECT_EQ((*d)[1].transmit_bytes, 729317u);
  EXPECT_EQ((*d)[2].receive_bytes, 4294967296000u);  // no space after ':' when the number is wide
  EXPECT_EQ((*d)[2].transmit_bytes, 42u);
  EXPECT_FALSE(ParseNetDev("  eth0: 1 2 3\n").ok());
}

TEST(ProcParseTest, Uptime) {
  Result<double> u = ParseUptime("3419.88 2798.98\n");
  ASSERT_TRUE(u.ok());
  EXPECT_DOUBLE_EQ(*u, 3419.88);
  EXPECT_FALSE(ParseUptime("").ok());
  EXPECT_FALSE(ParseUptime("abc 1").ok());
}

TEST(ProcReaderTest, FakeTree) {
  FakeProc proc;
  ProcReader reader({.root = proc.root(), .clock_ticks_per_second = 100, .page_size = 4096});
  Result<ProcessSample> p = reader.ReadProcess();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_DOUBLE_EQ(p->cpu_user_s, 0.17);
  EXPECT_DOUBLE_EQ(p->cpu_system_s, 0.04);
  EXPECT_EQ(p->memory_rss_bytes, 404 * 4096);
  EXPECT_EQ(p->memory_virtual_bytes, 765 * 4096);
  EXPECT_EQ(p->threads, 3);
  EXPECT_EQ(p->open_fds, 4);
  ASSERT_TRUE(p->uptime_s.has_value());
  EXPECT_NEAR(*p->uptime_s, 3500.50 - 3419.65, 1e-9);

  Result<SystemSample> s = reader.ReadSystem();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->cpu_ticks.user, 300547u);
  EXPECT_DOUBLE_EQ(s->ticks_per_second, 100);
  EXPECT_EQ(s->memory.total, 24683620ull * 1024);
  EXPECT_THAT(s->network,
              ElementsAre(Field(&NetDevice::name, "lo"), Field(&NetDevice::name, "eth0"),
                          Field(&NetDevice::name, "eth1")));
}

TEST(ProcReaderTest, OptionalFilesMayBeMissing) {
  FakeProc proc;
  std::filesystem::remove_all(proc.root() + "/self/fd");
  std::filesystem::remove(proc.root() + "/uptime");
  std::filesystem::remove(proc.root() + "/net/dev");
  ProcReader reader({.root = proc.root()});
  Result<ProcessSample> p = reader.ReadProcess();
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->open_fds.has_value());
  EXPECT_FALSE(p->uptime_s.has_value());
  Result<SystemSample> s = reader.ReadSystem();
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->network.empty());
}

TEST(ProcReaderTest, ErrorsNameTheFile) {
  FakeProc proc;
  proc.Write("self/stat", "garbage");
  std::filesystem::remove(proc.root() + "/meminfo");
  ProcReader reader({.root = proc.root()});
  Result<ProcessSample> p = reader.ReadProcess();
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kCorruption);
  EXPECT_THAT(p.status().message(), HasSubstr(proc.root() + "/self/"));
  Result<SystemSample> s = reader.ReadSystem();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(s.status().message(), HasSubstr("meminfo"));
}

TEST(ProcReaderTest, RealProc) {
  ProcReader reader;
  Result<ProcessSample> p = reader.ReadProcess();
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_GT(p->memory_rss_bytes, 0);
  EXPECT_GE(p->memory_virtual_bytes, p->memory_rss_bytes);
  EXPECT_GE(p->threads, 1);
  ASSERT_TRUE(p->open_fds.has_value());
  EXPECT_GE(*p->open_fds, 3);  // stdin, stdout, stderr
  // The descriptor used to list /proc/self/fd is not counted: opening one more shows up as +1.
  const std::int64_t before = *p->open_fds;
  const int extra = dup(2);
  ASSERT_GE(extra, 0);
  EXPECT_EQ(reader.ReadProcess()->open_fds, before + 1);
  close(extra);
  ASSERT_TRUE(p->uptime_s.has_value());
  EXPECT_GE(*p->uptime_s, 0);
  EXPECT_LT(*p->uptime_s, 3600);

  Result<SystemSample> s = reader.ReadSystem();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_GT(s->memory.total, 0u);
  EXPECT_GT(s->cpu_ticks.user + s->cpu_ticks.system + s->cpu_ticks.idle, 0u);
}

}  // namespace
}  // namespace klio::telemetry::setup
