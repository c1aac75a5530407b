// Trace and span id generators for the tracer provider.
//
// The default generator is a per-thread wyrand PRNG seeded from getrandom(2) the first time a
// thread needs an id (and again in a forked child): a few ns per id, no lock, no
// shared cache line. Ids are never all zero. It is not a cryptographic generator: ids are
// unique, not secret. The seeded generator is deterministic for a given seed and call order
// (tests and benchmarks).
//
// Thread-safety: every generator may be called from many threads at once.
// Design: docs/design/telemetry.md §4.1.
#pragma once

#include <cstdint>
#include <memory>

#include "telemetry/common.h"

namespace klio::telemetry::sdk {

class IdGenerator {
 public:
  virtual ~IdGenerator() = default;
  // Return a new, valid (not all-zero) id. Never block.
  virtual TraceId GenerateTraceId() = 0;
  virtual SpanId GenerateSpanId() = 0;
  // True when at least the low 56 bits of every trace id are random, which lets the provider
  // set the W3C Level 2 "random" trace flag on root spans.
  virtual bool IsRandom() const = 0;
};

// The default generator (thread-local PRNG seeded from getrandom).
std::unique_ptr<IdGenerator> NewRandomIdGenerator();

// A deterministic generator: the same seed gives the same id sequence (one shared sequence,
// advanced with an atomic counter). Reports IsRandom() == true: its ids are uniformly spread.
std::unique_ptr<IdGenerator> NewSeededIdGenerator(std::uint64_t seed);

}  // namespace klio::telemetry::sdk
