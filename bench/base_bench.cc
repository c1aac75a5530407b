// Microbenchmarks for src/base text forms: WalFileName parse/format and Lsn parse/format.
// These sit on the WAL receive and archive paths (one parse per segment or per status message),
// so they only need to be far below a microsecond; the benchmark keeps them there.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "base/lsn.h"
#include "base/wal_name.h"

namespace klio {
namespace {

const std::vector<std::string>& SampleNames() {
  static const auto* names = new std::vector<std::string>{
      "000000010000000000000001",
      "000000010000001A000000FF",
      "0000000A00000003000000C1.partial",
      "00000002.history",
      "000000010000000000000002.00000028.backup",
  };
  return *names;
}

void BM_WalFileNameParse(benchmark::State& state) {
  const auto& names = SampleNames();
  size_t i = 0;
  for (auto _ : state) {
    Result<WalFileName> r = WalFileName::Parse(names[i++ % names.size()], kDefaultWalSegmentSize);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_WalFileNameParse);

void BM_WalFileNameParseRejected(benchmark::State& state) {
  const std::string bad = "00000001000000000000000a";  // lowercase: rejected at the last digit
  for (auto _ : state) {
    Result<WalFileName> r = WalFileName::Parse(bad, kDefaultWalSegmentSize);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_WalFileNameParseRejected);

void BM_WalFileNameToString(benchmark::State& state) {
  const WalFileName name = WalFileName::Segment(TimelineId(1), SegmentNumber(0x1AFF));
  for (auto _ : state) {
    std::string s = name.ToString(kDefaultWalSegmentSize);
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_WalFileNameToString);

void BM_LsnParse(benchmark::State& state) {
  const std::string texts[] = {"0/16B3748", "1A/FF000000", "FFFFFFFF/FFFFFFFF"};
  size_t i = 0;
  for (auto _ : state) {
    Result<Lsn> r = Lsn::Parse(texts[i++ % 3]);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK(BM_LsnParse);

void BM_LsnToString(benchmark::State& state) {
  const Lsn lsn = Lsn::FromParts(0x1A, 0xFF000000);
  for (auto _ : state) {
    std::string s = lsn.ToString();
    benchmark::DoNotOptimize(s);
  }
}
BENCHMARK(BM_LsnToString);

}  // namespace
}  // namespace klio
