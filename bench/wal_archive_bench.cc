// Benchmarks of the Tier 1 WAL archive's data path (src/wal, docs/design/wal-archive.md):
//   - BM_Ingest: one 16 MiB segment of WAL-like data (SyntheticWal: pgbench-like records,
//     full-page images, some incompressible bytes) appended in 128 KiB messages, a Sync()
//     after every 1 MiB (group commit), then Close — per codec mode (0 none, 1 zstd, 2 AES,
//     3 zstd+AES) into a file system that discards the bytes (storage 0: the archive code's
//     own CPU cost), and with zstd+AES on the real disk under /tmp without (1) and with (2)
//     fsync;
//   - BM_Read: decrypt + decompress the same segment back.
// Counters: "MB/s/core" is bytes per CPU second of this thread (the ingest cost per core);
// "wall_MB/s" is bytes per wall second (includes waiting for fsync); "ratio" is stored bytes
// over WAL bytes. Decimal MB. Numbers only mean something from the Release build:
// build-wal-rel/bench/wal_archive_bench.
#include <benchmark/benchmark.h>
#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "env/mem_file_system.h"
#include "env/posix_file_system.h"
#include "env/random.h"
#include "wal/segment_file.h"
#include "wal/synthetic_wal.h"

namespace klio::wal {
namespace {

constexpr std::uint32_t kSegmentBytes = 16u << 20;
constexpr std::size_t kMessageBytes = 128 * 1024;
constexpr std::size_t kSyncEveryBytes = 1 << 20;
constexpr char kFileId[] = "000000010000000000000001";

const Bytes& Wal() {
  static const Bytes data = SyntheticWal(kSegmentBytes, 2024);
  return data;
}

class BenchDir {
 public:
  BenchDir() {
    char tmpl[] = "/tmp/klio-wal-bench-XXXXXX";
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

enum Codec : int64_t { kRaw = 0, kZstd = 1, kAes = 2, kZstdAes = 3 };
enum Storage : int64_t { kDiscard = 0, kDiskNoSync = 1, kDiskSync = 2 };

// A file system whose files swallow their bytes and only count them: the ingest cost of the
// archive code itself, without the cost of whatever stores the bytes (MemFileSystem's growing
// strings would dominate for incompressible data).
class DiscardFileSystem final : public env::FileSystem {
 public:
  class File final : public env::WritableFile {
   public:
    explicit File(std::uint64_t* size) : size_(size) {}
    Status Append(std::span<const std::uint8_t> data) override {
      benchmark::DoNotOptimize(data.data());
      *size_ += data.size();
      return Status::Ok();
    }
    Status Sync() override { return Status::Ok(); }
    Status Close() override { return Status::Ok(); }
    std::uint64_t Size() const override { return *size_; }

   private:
    std::uint64_t* size_;
  };

  Result<std::unique_ptr<env::WritableFile>> NewWritableFile(const std::string&,
                                                             env::OpenMode) override {
    size_ = 0;
    return std::unique_ptr<env::WritableFile>(new File(&size_));
  }
  Result<std::unique_ptr<env::ReadableFile>> NewReadableFile(const std::string&) override {
    return Status::Unimplemented("discard");
  }
  Status Exists(const std::string&) override { return Status::NotFound("discard"); }
  Result<std::uint64_t> FileSize(const std::string&) override { return size_; }
  Result<std::vector<env::DirEntry>> ListDir(const std::string&) override {
    return std::vector<env::DirEntry>();
  }
  Status CreateDirs(const std::string&) override { return Status::Ok(); }
  Status RemoveFile(const std::string&) override { return Status::Ok(); }
  Status RemoveDir(const std::string&) override { return Status::Ok(); }
  Status Rename(const std::string&, const std::string&) override { return Status::Ok(); }
  Status Truncate(const std::string&, std::uint64_t) override { return Status::Ok(); }
  Status SyncDir(const std::string&) override { return Status::Ok(); }
  Status SetPermissions(const std::string&, unsigned) override { return Status::Ok(); }

 private:
  std::uint64_t size_ = 0;
};

CodecOptions MakeOptions(int64_t codec) {
  CodecOptions o;
  o.compress = codec == kZstd || codec == kZstdAes;
  if (codec == kAes || codec == kZstdAes) {
    Bytes raw(32);
    env::SeededRandom(1).Fill(raw);
    o.key = crypto::EncryptionKey::FromBytes(raw).value();
  }
  return o;
}

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Appends one segment the way the server's put stream does; returns the file's size.
Result<std::uint64_t> IngestOnce(env::FileSystem& fs, const std::string& path,
                                 const CodecOptions& options, bool sync) {
  (void)fs.RemoveFile(path);
  KLIO_ASSIGN_OR_RETURN(auto w, SegmentWriter::Create(fs, path, kFileId, kSegmentBytes, options));
  const Bytes& wal = Wal();
  std::size_t since_sync = 0;
  for (std::size_t pos = 0; pos < wal.size(); pos += kMessageBytes) {
    KLIO_RETURN_IF_ERROR(w->Append(ByteView(wal).subspan(pos, kMessageBytes)));
    since_sync += kMessageBytes;
    if (sync && since_sync >= kSyncEveryBytes) {
      KLIO_RETURN_IF_ERROR(w->Sync().status());
      since_sync = 0;
    }
  }
  KLIO_RETURN_IF_ERROR(sync ? w->Close() : Status::Ok());
  return fs.FileSize(path);
}

void SetCounters(benchmark::State& state, double bytes, double cpu, double wall,
                 double stored_ratio) {
  state.counters["MB/s/core"] = bytes / cpu / 1e6;
  state.counters["wall_MB/s"] = bytes / wall / 1e6;
  if (stored_ratio > 0) state.counters["ratio"] = stored_ratio;
}

void BM_Ingest(benchmark::State& state) {
  const CodecOptions options = MakeOptions(state.range(0));
  const auto storage = static_cast<Storage>(state.range(1));
  DiscardFileSystem discard;
  env::FileSystem& fs =
      storage == kDiscard ? static_cast<env::FileSystem&>(discard) : env::DefaultFileSystem();
  const std::string path =
      storage == kDiscard ? "/segment" : Dir() + "/segment-" + std::to_string(state.range(0));
  (void)Wal();
  double cpu = 0, wall = 0;
  std::uint64_t stored = 0;
  for (auto _ : state) {
    const double c0 = CpuSeconds();
    const auto w0 = std::chrono::steady_clock::now();
    auto size = IngestOnce(fs, path, options, storage == kDiskSync);
    cpu += CpuSeconds() - c0;
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    if (!size.ok()) {
      state.SkipWithError(size.status().ToString().c_str());
      return;
    }
    stored = *size;
  }
  (void)fs.RemoveFile(path);
  const double bytes = static_cast<double>(state.iterations()) * kSegmentBytes;
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  SetCounters(state, bytes, cpu, wall, static_cast<double>(stored) / kSegmentBytes);
}

void BM_Read(benchmark::State& state) {
  const CodecOptions options = MakeOptions(state.range(0));
  env::MemFileSystem fs;
  if (!IngestOnce(fs, "/segment", options, true).ok()) {
    state.SkipWithError("ingest failed");
    return;
  }
  double cpu = 0, wall = 0;
  for (auto _ : state) {
    const double c0 = CpuSeconds();
    const auto w0 = std::chrono::steady_clock::now();
    auto reader =
        SegmentReader::Open(fs, "/segment", kFileId, options.key, {.require_complete = true});
    auto data = reader.ok() ? (*reader)->ReadAll() : Result<Bytes>(reader.status());
    cpu += CpuSeconds() - c0;
    wall += std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    if (!data.ok() || data->size() != kSegmentBytes) {
      state.SkipWithError("read failed");
      return;
    }
    benchmark::DoNotOptimize(data->data());
  }
  const double bytes = static_cast<double>(state.iterations()) * kSegmentBytes;
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
  SetCounters(state, bytes, cpu, wall, 0);
}

void CodecArgs(benchmark::internal::Benchmark* b) {
  b->ArgNames({"codec", "storage"});
  for (int64_t codec : {kRaw, kZstd, kAes, kZstdAes}) b->Args({codec, kDiscard});
  for (int64_t storage : {kDiskNoSync, kDiskSync}) b->Args({kZstdAes, storage});
  b->Unit(benchmark::kMillisecond)->MinTime(2.0);
}

BENCHMARK(BM_Ingest)->Apply(CodecArgs);
BENCHMARK(BM_Read)
    ->ArgName("codec")
    ->DenseRange(kRaw, kZstdAes)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(2.0);

}  // namespace
}  // namespace klio::wal
