// Benchmarks of klio::log (docs/design/logging.md §7). Lines go to /dev/null. Batched lines
// (the default) cost formatting + redaction + a copy into the shared buffer on the caller's
// thread; the background writer's write(2) per batch runs on another thread, so `CPU` (the
// caller's) leaves it out and the proc_cpu_per_line counter (whole process CPU, writer
// included, per line) puts it back. The *Sync variants write one line per write(2).
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <time.h>

#include <cstdint>
#include <string>

#include "telemetry/log.h"
#include "telemetry/log_format.h"

namespace klio::log {
namespace {

// Every benchmark in this binary logs to /dev/null at level info.
const int kDevNull = [] {
  const int fd = ::open("/dev/null", O_WRONLY | O_APPEND | O_CLOEXEC);
  Configure(Options{.level = Level::kInfo, .format = Format::kJson, .fd = fd});
  return fd;
}();

const std::string kCluster = "cluster-example";
const std::string kSegment = "000000010000000A000000FE";

// The floor: one write(2) of a typical line to /dev/null, with no formatting at all.
void BM_WriteSyscallBaseline(benchmark::State& state) {
  const std::string line(220, 'x');
  for (auto _ : state) benchmark::DoNotOptimize(::write(kDevNull, line.data(), line.size()));
}
BENCHMARK(BM_WriteSyscallBaseline)->Threads(1)->Threads(2)->UseRealTime();

// Formatting and redaction of the same line without the syscall.
void BM_FormatJsonLine(benchmark::State& state) {
  LogRecord record;
  const Field fields[] = {
      {"cluster_name", kCluster}, {"segment", kSegment}, {"bytes", std::int64_t{16777216}}};
  record.timestamp = std::chrono::system_clock::now();
  record.logger = "klio.wal";
  record.message = "wal segment archived";
  record.fields = fields;
  std::string line;
  for (auto _ : state) {
    line.clear();
    AppendJsonLine(record, &line);
    benchmark::DoNotOptimize(line.data());
  }
}
BENCHMARK(BM_FormatJsonLine);

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Logs the usual info line with 3 fields, batched or not; thread 0 sets the mode, measures the
// process CPU (caller threads + background writer) and flushes before the mode is restored.
void InfoLine3Fields(benchmark::State& state, bool batched) {
  const Logger logger = GetLogger("klio.wal");
  if (state.thread_index() == 0) {
    Configure(Options{.level = Level::kInfo, .fd = kDevNull, .batched = batched});
  }
  std::int64_t bytes = 16777216;
  double cpu_start = 0;
  for (auto _ : state) {
    if (cpu_start == 0 && state.thread_index() == 0) cpu_start = ProcessCpuSeconds();
    logger.Info("wal segment archived",
                {{"cluster_name", kCluster}, {"segment", kSegment}, {"bytes", bytes}});
    ++bytes;
  }
  if (state.thread_index() == 0) {
    Flush();
    const double lines = static_cast<double>(state.iterations()) * state.threads();
    state.counters["proc_cpu_per_line"] =
        benchmark::Counter((ProcessCpuSeconds() - cpu_start) / lines);
    Configure(Options{.level = Level::kInfo, .fd = kDevNull});
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_InfoLine3Fields(benchmark::State& state) { InfoLine3Fields(state, /*batched=*/true); }
BENCHMARK(BM_InfoLine3Fields)->Threads(1)->Threads(2)->UseRealTime();

void BM_InfoLine3FieldsSync(benchmark::State& state) { InfoLine3Fields(state, false); }
BENCHMARK(BM_InfoLine3FieldsSync)->Threads(1)->Threads(2)->UseRealTime();

// A warn line: always written before the call returns (after anything queued).
void BM_WarnLine3Fields(benchmark::State& state) {
  const Logger logger = GetLogger("klio.wal");
  std::int64_t bytes = 16777216;
  for (auto _ : state) {
    logger.Warn("wal segment archived",
                {{"cluster_name", kCluster}, {"segment", kSegment}, {"bytes", bytes}});
    ++bytes;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_WarnLine3Fields)->Threads(1)->Threads(2)->UseRealTime();

// The same line with a request context and an active span (the server's usual case).
TraceContext BenchSpan() {
  TraceContext tc;
  tc.trace_id.fill(0x4b);
  tc.span_id.fill(0x0f);
  tc.flags = 1;
  tc.valid = true;
  return tc;
}

void BM_InfoLineWithContextAndSpan(benchmark::State& state) {
  const Logger logger = GetLogger("klio.wal");
  if (state.thread_index() == 0) SetTraceContextProvider(BenchSpan);
  ScopedContext ctx({{"request_id", "0b7c1f0e-4a5d-4f43-9d1c-2a6f0c6c9a11"}});
  std::int64_t bytes = 16777216;
  for (auto _ : state) {
    logger.Info("wal segment archived",
                {{"cluster_name", kCluster}, {"segment", kSegment}, {"bytes", bytes}});
    ++bytes;
  }
  if (state.thread_index() == 0) {
    SetTraceContextProvider(nullptr);
    Flush();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InfoLineWithContextAndSpan)->Threads(1)->Threads(2)->UseRealTime();

void BM_ConsoleLine(benchmark::State& state) {
  const Logger logger = GetLogger("klio.wal");
  LogRecord record;
  const Field fields[] = {
      {"cluster_name", kCluster}, {"segment", kSegment}, {"bytes", std::int64_t{16777216}}};
  record.logger = logger.name();
  record.message = "wal segment archived";
  record.fields = fields;
  std::string line;
  for (auto _ : state) {
    line.clear();
    AppendConsoleLine(record, &line);
    benchmark::DoNotOptimize(line.data());
  }
}
BENCHMARK(BM_ConsoleLine);

void BM_DisabledDebugLine(benchmark::State& state) {
  const Logger logger = GetLogger("klio.wal");
  std::int64_t bytes = 0;
  for (auto _ : state) {
    logger.Debug("page read",
                 {{"cluster_name", kCluster}, {"segment", kSegment}, {"bytes", bytes++}});
  }
}
BENCHMARK(BM_DisabledDebugLine);

void BM_DisabledDebugMacro(benchmark::State& state) {
  const Logger logger = GetLogger("klio.wal");
  std::int64_t bytes = 0;
  for (auto _ : state) {
    KLIO_LOG_DEBUG(logger, "page read", {"cluster_name", kCluster}, {"bytes", bytes++});
  }
}
BENCHMARK(BM_DisabledDebugMacro);

void BM_RedactScanCleanLine(benchmark::State& state) {
  const std::string text =
      "wal segment 000000010000000A000000FE archived to tier1: 16777216 bytes in 0.031s";
  std::string out;
  for (auto _ : state) benchmark::DoNotOptimize(RedactSecretsTo(text, &out));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_RedactScanCleanLine);

void BM_RedactDsnLine(benchmark::State& state) {
  const std::string text =
      "could not connect with \"host=db.internal port=5432 user=replicator password=s3cr3t "
      "dbname=postgres\": connection refused";
  std::string out;
  for (auto _ : state) benchmark::DoNotOptimize(RedactSecretsTo(text, &out));
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_RedactDsnLine);

void BM_IsSecretKey(benchmark::State& state) {
  const std::string_view keys[] = {"cluster_name", "segment", "bytes",
                                   "tier2.s3.secret_access_key"};
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(IsSecretKey(keys[i++ & 3]));
}
BENCHMARK(BM_IsSecretKey);

}  // namespace
}  // namespace klio::log
