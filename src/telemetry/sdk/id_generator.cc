#include "telemetry/sdk/id_generator.h"

#include <pthread.h>
#include <sys/random.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <mutex>

namespace klio::telemetry::sdk {
namespace {

constexpr std::uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

// splitmix64's finaliser: seeds and the seeded generator.
constexpr std::uint64_t Mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// wyrand: one 64x64->128 multiply per output; passes BigCrush and PractRand.
__extension__ using Uint128 = unsigned __int128;

inline std::uint64_t WyRand(std::uint64_t* state) {
  *state += 0xa0761d6478bd642fULL;
  Uint128 t = static_cast<Uint128>(*state) * (*state ^ 0xe7037ed1a0b428dbULL);
  return static_cast<std::uint64_t>(t >> 64) ^ static_cast<std::uint64_t>(t);
}

// Bumped in a forked child so every thread reseeds (parent and child must not share ids).
std::atomic<std::uint32_t> g_fork_generation{1};

void OnForkChild() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }

std::uint64_t SeedFromKernel() {
  static std::once_flag once;
  std::call_once(once, [] { pthread_atfork(nullptr, nullptr, &OnForkChild); });
  std::uint64_t seed = 0;
  if (getrandom(&seed, sizeof(seed), 0) != static_cast<ssize_t>(sizeof(seed))) {
    // getrandom cannot fail for 8 bytes once the pool is initialised; fall back to time and
    // address entropy rather than to a constant.
    seed = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
           reinterpret_cast<std::uintptr_t>(&seed);
  }
  return seed;
}

struct ThreadRng {
  std::uint64_t state;
  std::uint32_t generation;  // 0: not seeded yet
};
constinit thread_local ThreadRng tls_rng{0, 0};

inline std::uint64_t NextRandom() {
  ThreadRng& r = tls_rng;
  if (r.generation != g_fork_generation.load(std::memory_order_relaxed)) [[unlikely]] {
    r.state = SeedFromKernel();
    r.generation = g_fork_generation.load(std::memory_order_relaxed);
  }
  return WyRand(&r.state);
}

template <typename Next>
TraceId MakeTraceId(Next next) {
  std::uint64_t hi;
  std::uint64_t lo;
  do {
    hi = next();
    lo = next();
  } while ((hi | lo) == 0);
  TraceId id;
  std::memcpy(id.bytes.data(), &hi, 8);
  std::memcpy(id.bytes.data() + 8, &lo, 8);
  return id;
}

template <typename Next>
SpanId MakeSpanId(Next next) {
  std::uint64_t v;
  do {
    v = next();
  } while (v == 0);
  SpanId id;
  std::memcpy(id.bytes.data(), &v, 8);
  return id;
}

class RandomIdGenerator final : public IdGenerator {
 public:
  TraceId GenerateTraceId() override { return MakeTraceId(NextRandom); }
  SpanId GenerateSpanId() override { return MakeSpanId(NextRandom); }
  bool IsRandom() const override { return true; }
};

class SeededIdGenerator final : public IdGenerator {
 public:
  explicit SeededIdGenerator(std::uint64_t seed) : counter_(seed) {}
  TraceId GenerateTraceId() override {
    return MakeTraceId([this] { return Next(); });
  }
  SpanId GenerateSpanId() override {
    return MakeSpanId([this] { return Next(); });
  }
  bool IsRandom() const override { return true; }

 private:
  std::uint64_t Next() { return Mix(counter_.fetch_add(kGolden, std::memory_order_relaxed)); }
  std::atomic<std::uint64_t> counter_;
};

}  // namespace

std::unique_ptr<IdGenerator> NewRandomIdGenerator() {
  return std::make_unique<RandomIdGenerator>();
}

std::unique_ptr<IdGenerator> NewSeededIdGenerator(std::uint64_t seed) {
  return std::make_unique<SeededIdGenerator>(seed);
}

}  // namespace klio::telemetry::sdk
