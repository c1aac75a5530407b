#include "env/random.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace klio::env {

std::uint64_t Random::Uniform(std::uint64_t n) {
  if (n == 0) return 0;
  // Reject the low values that would make "x % n" favour small results.
  const std::uint64_t threshold = (0 - n) % n;  // == 2^64 mod n
  while (true) {
    const std::uint64_t x = Next64();
    if (x >= threshold) return x % n;
  }
}

std::uint64_t Random::Range(std::uint64_t lo, std::uint64_t hi) {
  if (hi <= lo) return lo;
  const std::uint64_t span = hi - lo;
  if (span == UINT64_MAX) return Next64();
  return lo + Uniform(span + 1);
}

double Random::NextDouble() { return static_cast<double>(Next64() >> 11) * 0x1.0p-53; }

void Random::Fill(std::span<std::uint8_t> out) {
  std::size_t i = 0;
  while (i < out.size()) {
    const std::uint64_t x = Next64();
    const std::size_t n = std::min<std::size_t>(sizeof(x), out.size() - i);
    std::memcpy(out.data() + i, &x, n);
    i += n;
  }
}

namespace {

bool ReadDevUrandom(void* buf, std::size_t n) {
  const int fd = ::open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  auto* p = static_cast<std::uint8_t*>(buf);
  while (n > 0) {
    const ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      ::close(fd);
      return false;
    }
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  ::close(fd);
  return true;
}

}  // namespace

std::uint64_t RealRandom::Next64() {
  std::uint64_t x = 0;
  // getrandom never returns short reads for requests of at most 256 bytes once the pool is
  // initialized, but a signal can interrupt it while it waits at boot.
  while (true) {
    const ssize_t r = ::getrandom(&x, sizeof(x), 0);
    if (r == static_cast<ssize_t>(sizeof(x))) return x;
    if (r < 0 && errno == EINTR) continue;
    break;
  }
  if (ReadDevUrandom(&x, sizeof(x))) return x;
  std::abort();
}

namespace {

std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

SeededRandom::SeededRandom(std::uint64_t seed) {
  // SplitMix64 spreads any seed (including 0) into a state that is never all zeros.
  for (std::uint64_t& word : s_) word = SplitMix64(seed);
}

std::uint64_t SeededRandom::Next64() {
  std::lock_guard lock(mu_);
  // xoshiro256** (Blackman and Vigna).
  const std::uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

Random& DefaultRandom() {
  static Random* const random = new RealRandom();  // leaked: usable during static destruction
  return *random;
}

}  // namespace klio::env
