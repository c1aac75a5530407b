// BoundedQueue: a fixed-capacity, lock-free multi-producer queue of values, drained by one
// consumer; the hand-off between instrumented threads and a batch processor's worker.
//
// It is Vyukov's bounded MPMC ring: each slot carries a sequence number telling producers and
// the consumer whose turn it is (doubled, so that "published at position p" (2p+1) never equals
// "free for position p + capacity" (2(p+capacity)), which makes a capacity of 1 work too). A push
// is one CAS on the tail plus a move of the value into its slot; it never blocks and never
// allocates (slots are allocated once, up front), and fails when the queue is full. A value being
// written by a producer is invisible to the consumer until that producer publishes it, so the
// consumer may briefly see "empty" while a later slot is already filled; it simply retries.
//
// Thread-safety: TryPush from any number of threads; TryPop from one thread at a time.
// Design: docs/design/telemetry.md §4.2.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <utility>

namespace klio::telemetry::sdk {

template <typename T>
class BoundedQueue {
 public:
  // `capacity` > 0; any value works (a power of two saves a division per operation).
  explicit BoundedQueue(std::size_t capacity)
      : capacity_(capacity == 0 ? 1 : capacity),
        mask_((capacity_ & (capacity_ - 1)) == 0 ? capacity_ - 1 : 0),
        slots_(new Slot[capacity_]) {
    for (std::size_t i = 0; i < capacity_; ++i) {
      slots_[i].seq.store(2 * i, std::memory_order_relaxed);
    }
  }
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Moves `value` in and returns true, storing the queue length after the push in
  // `*size_after` (approximate under concurrency); returns false (value untouched) when full.
  bool TryPush(T&& value, std::size_t* size_after) {
    return TryFill([&value](T& slot) { slot = std::move(value); }, size_after);
  }

  // Like TryPush, but calls `fill(T& slot)` to build the value in place, so a slot's old
  // buffers (strings, vectors) can be reused. `fill` must overwrite every field.
  template <typename Fill>
  bool TryFill(Fill&& fill, std::size_t* size_after) {
    std::size_t pos = tail_.load(std::memory_order_relaxed);
    Slot* slot;
    for (;;) {
      slot = &slots_[Index(pos)];
      std::size_t seq = slot->seq.load(std::memory_order_acquire);
      auto diff = static_cast<std::intptr_t>(seq) - static_cast<std::intptr_t>(2 * pos);
      if (diff == 0) {
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) break;
      } else if (diff < 0) {
        return false;  // the slot still holds an unconsumed value: full
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
    fill(slot->value);
    slot->seq.store(2 * pos + 1, std::memory_order_release);
    *size_after = pos + 1 - head_.load(std::memory_order_relaxed);
    return true;
  }

  // Swaps the oldest published value with `*out` (the slot keeps what *out held, for reuse);
  // false when none is ready.
  bool TryPopSwap(T* out) {
    std::size_t pos = head_.load(std::memory_order_relaxed);
    Slot& slot = slots_[Index(pos)];
    std::size_t seq = slot.seq.load(std::memory_order_acquire);
    if (seq != 2 * pos + 1) return false;
    using std::swap;
    swap(*out, slot.value);
    slot.seq.store(2 * (pos + capacity_), std::memory_order_release);
    head_.store(pos + 1, std::memory_order_relaxed);
    return true;
  }

  // Moves the oldest published value into `*out`; false when none is ready.
  bool TryPop(T* out) {
    std::size_t pos = head_.load(std::memory_order_relaxed);
    Slot& slot = slots_[Index(pos)];
    std::size_t seq = slot.seq.load(std::memory_order_acquire);
    if (seq != 2 * pos + 1) return false;
    *out = std::move(slot.value);
    slot.seq.store(2 * (pos + capacity_), std::memory_order_release);
    head_.store(pos + 1, std::memory_order_relaxed);
    return true;
  }

  // Values pushed (claimed) so far, ever; the position the next push claims.
  std::size_t TailPosition() const { return tail_.load(std::memory_order_acquire); }
  // Values popped so far, ever.
  std::size_t HeadPosition() const { return head_.load(std::memory_order_acquire); }
  // Values in the queue (approximate while producers run).
  std::size_t ApproxSize() const {
    std::size_t head = head_.load(std::memory_order_relaxed);
    std::size_t tail = tail_.load(std::memory_order_relaxed);
    return tail >= head ? tail - head : 0;
  }
  std::size_t capacity() const { return capacity_; }

 private:
  struct Slot {
    std::atomic<std::size_t> seq;
    T value;
  };

  std::size_t Index(std::size_t pos) const { return mask_ != 0 ? (pos & mask_) : pos % capacity_; }

  const std::size_t capacity_;
  const std::size_t mask_;  // capacity - 1 for a power of two, else 0
  std::unique_ptr<Slot[]> slots_;
  alignas(64) std::atomic<std::size_t> tail_{0};  // producers
  alignas(64) std::atomic<std::size_t> head_{0};  // the consumer
};

}  // namespace klio::telemetry::sdk
