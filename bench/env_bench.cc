// Benchmarks of src/env on the real disk, in a fresh directory under /tmp (removed at exit):
//   - sequential 128 KiB appends, without and with fdatasync after each append;
//   - WriteFileAtomically of 16 MiB (temp, fsync, rename, fsync dir), and without syncs.
// Throughput is the "rate" counter in decimal units of bytes per second of wall time
// ("rate=362M/s" is 362 MB/s).
// Numbers only mean something from the Release build: build/release/bench/env_bench.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <string>

#include "env/atomic_write.h"
#include "env/file_system.h"

namespace klio::env {
namespace {

constexpr std::size_t kAppendBytes = 128 * 1024;
constexpr std::size_t kAtomicBytes = 16 * 1024 * 1024;
// The append file starts over at this size, so a long run does not fill the disk.
constexpr std::uint64_t kAppendFileLimitBytes = 256ull * 1024 * 1024;

class BenchDir {
 public:
  BenchDir() {
    char tmpl[] = "/tmp/klio-env-bench-XXXXXX";
    if (::mkdtemp(tmpl) != nullptr) path_ = tmpl;
  }
  ~BenchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const std::string& Dir() {
  static BenchDir dir;
  return dir.path();
}

void SetThroughput(benchmark::State& state, std::size_t bytes_per_iteration) {
  const double bytes = static_cast<double>(state.iterations()) * bytes_per_iteration;
  state.counters["rate"] =
      benchmark::Counter(bytes, benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void BM_SequentialAppend128K(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  FileSystem& fs = DefaultFileSystem();
  const std::string path = JoinPath(Dir(), "append");
  const std::string chunk(kAppendBytes, 'k');
  auto file = fs.NewWritableFile(path, OpenMode::kTruncate);
  if (!file.ok()) {
    state.SkipWithError(file.status().ToString().c_str());
    return;
  }
  for (auto _ : state) {
    if (Status s = (*file)->Append(chunk); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    if (sync) {
      if (Status s = (*file)->Sync(); !s.ok()) {
        state.SkipWithError(s.ToString().c_str());
        break;
      }
    }
    if ((*file)->Size() >= kAppendFileLimitBytes) {
      state.PauseTiming();
      file->reset();
      file = fs.NewWritableFile(path, OpenMode::kTruncate);
      state.ResumeTiming();
      if (!file.ok()) {
        state.SkipWithError(file.status().ToString().c_str());
        break;
      }
    }
  }
  if (file.ok()) (void)(*file)->Close();
  (void)fs.RemoveFile(path);
  SetThroughput(state, kAppendBytes);
}
BENCHMARK(BM_SequentialAppend128K)->ArgName("fdatasync")->Arg(0)->Arg(1)->UseRealTime();

void BM_AtomicWrite16M(benchmark::State& state) {
  const bool sync = state.range(0) != 0;
  FileSystem& fs = DefaultFileSystem();
  const std::string path = JoinPath(Dir(), "atomic");
  const std::string data(kAtomicBytes, 'a');
  for (auto _ : state) {
    if (Status s = WriteFileAtomically(fs, path, data, AtomicWriteOptions{.sync = sync}); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  (void)fs.RemoveFile(path);
  SetThroughput(state, kAtomicBytes);
}
BENCHMARK(BM_AtomicWrite16M)->ArgName("sync")->Arg(1)->Arg(0)->UseRealTime();

}  // namespace
}  // namespace klio::env
