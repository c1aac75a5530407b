// Attribute sets of the metrics SDK: normalisation (sorted by key, one value per key with the
// last one winning, empty keys dropped), a 64-bit hash computed once per set, and the hash and
// equality of attribute lists *as given* that the lock-free lookup of series_table.h uses.
//
// Thread-safety: AttributeSet is an immutable value; the functions are pure.
// Design: docs/design/telemetry.md §4.6; otel-reference §6.8 (pre-hashed attribute sets).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "telemetry/common.h"

namespace klio::telemetry::sdk {

// Hash of an attribute list in the order given (lists that differ only in order hash
// differently; normalise first to compare sets).
std::uint64_t HashAttributes(std::span<const KeyValue> attributes);

// True when both lists hold equal key-value pairs in the same order.
bool SameAttributes(std::span<const KeyValue> a, std::span<const KeyValue> b);

// `attributes` sorted by key (byte order) with one entry per key (the last one given wins) and
// without empty keys.
Attributes NormalizeAttributes(std::span<const KeyValue> attributes);

// A normalised attribute list and its hash.
class AttributeSet {
 public:
  AttributeSet() : hash_(HashAttributes({})) {}
  // Normalises `attributes`.
  explicit AttributeSet(std::span<const KeyValue> attributes)
      : attributes_(NormalizeAttributes(attributes)), hash_(HashAttributes(attributes_)) {}

  const Attributes& attributes() const { return attributes_; }
  std::uint64_t hash() const { return hash_; }

  friend bool operator==(const AttributeSet& a, const AttributeSet& b) {
    return a.hash_ == b.hash_ && SameAttributes(a.attributes_, b.attributes_);
  }

 private:
  Attributes attributes_;
  std::uint64_t hash_;
};

struct AttributeSetHash {
  std::size_t operator()(const AttributeSet& s) const { return static_cast<std::size_t>(s.hash()); }
};

}  // namespace klio::telemetry::sdk
