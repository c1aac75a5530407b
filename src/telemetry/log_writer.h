// The output side of klio::log: how formatted lines reach the file descriptor.
//
// Two paths:
//  * batched (Options::batched, the default, for trace/debug/info): the line is copied into a
//    process-wide double buffer under a spin lock held only for that copy; a background thread
//    writes the buffer with one write(2) when it is half full or at most ~1 ms after the first
//    line went in. A line that does not fit is written by the caller, after what is queued.
//  * synchronous (warn/error, or anything when a caller must know the line reached the
//    kernel): what is queued is written first, then the line, in one writev(2).
// Batches are written under one mutex, held only for the write itself, so lines reach the fd
// in the order they were queued and never interleave with each other.
//
// Thread-safety: every function may be called from any thread. FlushForSignal is
// async-signal-safe (and best effort). Design: docs/design/logging.md §7, docs/adr/0005.
#pragma once

#include <atomic>
#include <cstdint>
#include <string_view>

namespace klio::log::internal {

// The output fd (Options::fd) and the count of lines that could not be written.
inline std::atomic<int> g_fd{2};
inline std::atomic<std::uint64_t> g_dropped{0};

// Queues `line` (one complete line, ending in '\n') for the background writer, starting it on
// first use. Writes synchronously (after the queue) when the buffer is full or the line is too
// long to queue. Never drops a line unless write(2) fails.
void QueueLine(int fd, std::string_view line);

// Writes everything queued, then `line`, to `fd` before returning (one writev(2) when possible).
void WriteLineNow(int fd, std::string_view line);

// Writes a line directly, with no ordering against queued lines (Options::batched = false).
void WriteLineUnordered(int fd, std::string_view line);

// Writes everything queued to `fd` before returning.
void FlushQueued(int fd);

// Async-signal-safe, best effort: writes the batch being written (if any; its start may then
// appear twice) and the lines committed to the queue, with plain write(2) and no lock.
void FlushForSignal();

}  // namespace klio::log::internal
