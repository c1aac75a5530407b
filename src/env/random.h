// Random: non-cryptographic randomness behind an interface (backoff jitter, temp-file names,
// sampling), so tests can make it deterministic with SeededRandom.
//
// Not for keys or nonces: those use OpenSSL's RAND_bytes directly (src/crypto).
//
// Implementations: RealRandom (the kernel's getrandom(2), falling back to /dev/urandom) and
// SeededRandom (xoshiro256**, seeded through SplitMix64; the same seed gives the same sequence
// on every platform).
//
// Thread-safety: every implementation is safe from many threads. SeededRandom is only
// deterministic when its calls happen in a deterministic order (one thread, typically).
#pragma once

#include <cstdint>
#include <mutex>
#include <span>

namespace klio::env {

class Random {
 public:
  virtual ~Random() = default;
  // Returns 64 uniformly distributed bits.
  virtual std::uint64_t Next64() = 0;

  // Returns a uniform integer in [0, n); 0 when n == 0. Unbiased (rejection sampling).
  std::uint64_t Uniform(std::uint64_t n);
  // Returns a uniform integer in [lo, hi] (inclusive); lo when hi <= lo.
  std::uint64_t Range(std::uint64_t lo, std::uint64_t hi);
  // Returns a uniform double in [0, 1) with 53 random bits.
  double NextDouble();
  // Fills `out` with random bytes.
  void Fill(std::span<std::uint8_t> out);
};

// Randomness from the kernel (getrandom(2); /dev/urandom when the syscall is unavailable).
// Never fails: if the kernel cannot provide bytes at all the process aborts, because
// continuing with predictable values would be worse. May block only at early boot.
class RealRandom final : public Random {
 public:
  std::uint64_t Next64() override;
};

// A deterministic generator for tests and reproducible simulations.
class SeededRandom final : public Random {
 public:
  explicit SeededRandom(std::uint64_t seed);
  std::uint64_t Next64() override;

 private:
  std::mutex mu_;
  std::uint64_t s_[4];  // guarded by mu_
};

// The process-wide RealRandom (never null, never destroyed).
Random& DefaultRandom();

}  // namespace klio::env
