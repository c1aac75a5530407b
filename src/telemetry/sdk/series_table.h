// SeriesTable: the attribute set → series map of one synchronous instrument, with the
// cardinality limit.
//
// The hot path (an attribute list seen before, in the same order) takes no lock: it hashes the
// list as given and probes an insert-only open-addressing table of immutable aliases with
// acquire loads. A miss takes the table's mutex, normalises the list (attribute_set.h), finds or
// creates the series of the normalised set, and publishes an alias for the list as given, so
// {b, a} and {a, b} each find the same series without a lock from then on. The table doubles
// when half full; a reader still probing an older table either finds its alias there or takes
// the slow path, and older tables are kept until the table is destroyed.
//
// Cardinality: at most limit-1 ordinary series; every further attribute set goes to one overflow
// series carrying otel.metric.overflow=true, so an instrument never has more than `limit`
// series. Series are never removed (cells hold cumulative totals, see metrics_cells.h).
// Aliases are capped at 4×limit; past that, misses are normalised under the lock every time.
//
// Thread-safety: Find from any thread; entries() only with mu() held.
// Design: docs/design/telemetry.md §4.6.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <unordered_map>
#include <utility>
#include <vector>

#include "telemetry/common.h"
#include "telemetry/sdk/attribute_set.h"

namespace klio::telemetry::sdk {

inline constexpr std::string_view kOverflowAttribute = "otel.metric.overflow";

template <class Entry>
class SeriesTable {
 public:
  explicit SeriesTable(std::size_t cardinality_limit)
      : max_ordinary_(cardinality_limit > 1 ? cardinality_limit - 1 : 1),
        max_aliases_(4 * cardinality_limit + 64) {
    tables_.push_back(std::make_unique<Slots>(16));
    slots_.store(tables_.back().get(), std::memory_order_release);
  }
  SeriesTable(const SeriesTable&) = delete;
  SeriesTable& operator=(const SeriesTable&) = delete;

  // The entry for `attributes`; `make(const Attributes& normalized)` returns a new
  // std::unique_ptr<Entry> when the set is new. Never null.
  template <class Make>
  Entry* Find(std::span<const KeyValue> attributes, const Make& make) {
    const std::uint64_t hash = HashAttributes(attributes);
    if (Entry* e = Probe(hash, attributes)) [[likely]] {
      return e;
    }
    return FindSlow(attributes, hash, make);
  }

  // The entries in creation order (the overflow entry among them once used). Hold mu().
  std::mutex& mu() const { return mu_; }
  const std::vector<std::unique_ptr<Entry>>& entries() const { return entries_; }
  // Number of attribute sets folded into the overflow series (distinct, as first seen).
  std::size_t overflowed_sets() const {
    std::lock_guard<std::mutex> lock(mu_);
    return overflowed_sets_;
  }

 private:
  struct Alias {
    std::uint64_t hash;
    Attributes raw;
    Entry* entry;
  };
  struct Slots {
    explicit Slots(std::size_t capacity)
        : mask(capacity - 1), slots(new std::atomic<const Alias*>[capacity]()) {}
    const std::size_t mask;
    const std::unique_ptr<std::atomic<const Alias*>[]> slots;
  };

  Entry* Probe(std::uint64_t hash, std::span<const KeyValue> attributes) const {
    const Slots* t = slots_.load(std::memory_order_acquire);
    for (std::size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
      const Alias* a = t->slots[i].load(std::memory_order_acquire);
      if (a == nullptr) return nullptr;
      if (a->hash == hash && SameAttributes(a->raw, attributes)) return a->entry;
    }
  }

  template <class Make>
  Entry* FindSlow(std::span<const KeyValue> attributes, std::uint64_t hash, const Make& make) {
    std::lock_guard<std::mutex> lock(mu_);
    if (Entry* e = Probe(hash, attributes)) return e;  // published while we waited
    AttributeSet set(attributes);
    Entry* entry = nullptr;
    if (auto it = canonical_.find(set); it != canonical_.end()) {
      entry = it->second;
    } else if (canonical_.size() < max_ordinary_) {
      entries_.push_back(make(set.attributes()));
      entry = entries_.back().get();
      canonical_.emplace(std::move(set), entry);
    } else {
      if (overflow_ == nullptr) {
        entries_.push_back(
            make(Attributes{KeyValue(std::string(kOverflowAttribute), AttributeValue(true))}));
        overflow_ = entries_.back().get();
      }
      ++overflowed_sets_;
      entry = overflow_;
    }
    if (aliases_.size() < max_aliases_) {
      aliases_.push_back(std::make_unique<Alias>(
          Alias{hash, Attributes(attributes.begin(), attributes.end()), entry}));
      Insert(aliases_.back().get());
    }
    return entry;
  }

  // Publishes `alias` (mu_ held), doubling the table first when it would be over half full.
  void Insert(const Alias* alias) {
    const Slots* t = slots_.load(std::memory_order_relaxed);
    if ((aliases_.size()) * 2 > t->mask + 1) {
      auto bigger = std::make_unique<Slots>((t->mask + 1) * 2);
      for (const auto& a : aliases_) {
        if (a.get() != alias) Place(bigger.get(), a.get());
      }
      tables_.push_back(std::move(bigger));
      t = tables_.back().get();
      slots_.store(t, std::memory_order_release);
    }
    Place(t, alias);
  }

  static void Place(const Slots* t, const Alias* alias) {
    std::size_t i = alias->hash & t->mask;
    while (t->slots[i].load(std::memory_order_relaxed) != nullptr) i = (i + 1) & t->mask;
    t->slots[i].store(alias, std::memory_order_release);
  }

  const std::size_t max_ordinary_;
  const std::size_t max_aliases_;
  std::atomic<const Slots*> slots_{nullptr};

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<Slots>> tables_;   // guarded by mu_ (all ever published)
  std::vector<std::unique_ptr<Alias>> aliases_;  // guarded by mu_
  std::unordered_map<AttributeSet, Entry*, AttributeSetHash> canonical_;  // guarded by mu_
  std::vector<std::unique_ptr<Entry>> entries_;                           // guarded by mu_
  Entry* overflow_ = nullptr;                                             // guarded by mu_
  std::size_t overflowed_sets_ = 0;                                       // guarded by mu_
};

}  // namespace klio::telemetry::sdk
