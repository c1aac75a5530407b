#include "telemetry/log_writer.h"

#include <signal.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>

namespace klio::log::internal {
namespace {

// Each of the two buffers holds up to this much; the writer wakes when one is half full. Large
// enough that a burst of several hundred lines costs one write(2).
constexpr size_t kBufferBytes = 128 * 1024;
constexpr size_t kWakeBytes = kBufferBytes / 2;
constexpr auto kMaxDelay = std::chrono::milliseconds(1);

// Held only to copy one line into the active buffer or to swap buffers: never during a
// syscall. Spinning is cheaper than parking on a futex (a syscall here costs ~1 µs) for a
// critical section of a few dozen nanoseconds; a waiter yields if the holder was preempted.
class SpinLock {
 public:
  void lock() {
    for (int spins = 0; locked_.exchange(true, std::memory_order_acquire);) {
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins < 128) {
#if defined(__x86_64__) || defined(__i386__)
          __builtin_ia32_pause();
#endif
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  void unlock() { locked_.store(false, std::memory_order_release); }
  // Async-signal-safe: tries for about `ms` milliseconds.
  bool TryLockFor(int ms) {
    for (int i = 0; i < ms; ++i) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return true;
      SleepOneMs();
    }
    return false;
  }
  static void SleepOneMs() {
    const timespec ms{0, 1000 * 1000};
    ::nanosleep(&ms, nullptr);
  }

 private:
  std::atomic<bool> locked_{false};
};

struct Buffer {
  char data[kBufferBytes];
  std::atomic<size_t> size{0};  // committed bytes; stored after the copy (read by signals)
  std::uint64_t lines = 0;      // guarded by the spin lock while active, else by io_mu
};

// Writes all of `iov` (retrying EINTR and short writes). Returns false on any other error.
bool WriteAll(int fd, iovec* iov, int count) {
  while (count > 0) {
    const ssize_t n = ::writev(fd, iov, count);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    size_t left = static_cast<size_t>(n);
    while (count > 0 && left >= iov->iov_len) {
      left -= iov->iov_len;
      ++iov;
      --count;
    }
    if (count > 0) {
      iov->iov_base = static_cast<char*>(iov->iov_base) + left;
      iov->iov_len -= left;
    }
  }
  return true;
}

void InstallFatalSignalHandlers();
void StopAtExit();

class BatchWriter {
 public:
  void Queue(int fd, std::string_view line) {
    if (line.size() > kWakeBytes || exiting_.load(std::memory_order_acquire)) {
      WriteNow(fd, line);
      return;
    }
    std::call_once(started_, [this] { Start(); });
    size_t before = 0;
    bool queued = false;
    {
      std::lock_guard<SpinLock> lock(spin_);
      Buffer& b = buffers_[active_.load(std::memory_order_relaxed)];
      before = b.size.load(std::memory_order_relaxed);
      if (before + line.size() <= kBufferBytes) {
        std::memcpy(b.data + before, line.data(), line.size());
        ++b.lines;
        b.size.store(before + line.size(), std::memory_order_seq_cst);
        queued = true;
      }
    }
    if (!queued) {  // full: the caller pays for the write rather than dropping the line
      WriteNow(fd, line);
      return;
    }
    // Wake the writer when the buffer crosses half full, or when it sleeps with nothing to do
    // (seq_cst on both sides: either it sees our bytes or we see it idle).
    const bool crossed = before < kWakeBytes && before + line.size() >= kWakeBytes;
    if (crossed || (before == 0 && idle_.load(std::memory_order_seq_cst))) {
      std::lock_guard<std::mutex> lock(wake_mu_);
      wake_.notify_one();
    }
  }

  void WriteNow(int fd, std::string_view line) {
    std::lock_guard<std::mutex> io(io_mu_);
    WriteTakenLocked(fd, TakeLocked(), line);
  }

  void Flush(int fd) {
    std::lock_guard<std::mutex> io(io_mu_);
    WriteTakenLocked(fd, TakeLocked(), {});
  }

  // From now on lines are written synchronously; the thread drains what it holds and ends.
  void Stop() {
    exiting_.store(true, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(wake_mu_);
      if (!thread_.joinable()) return;
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
    Flush(g_fd.load(std::memory_order_relaxed));
  }

  void SignalFlush() {
    const int fd = g_fd.load(std::memory_order_relaxed);
    if (fd < 0) return;
    // Hold the spin lock for good (the process is about to die), so no thread swaps the
    // buffers or writes the active one while we do. If this thread crashed while holding it,
    // carry on without.
    spin_.TryLockFor(100);
    // A batch another thread is writing is best left to it (writing it here too would
    // duplicate it): give it up to ~100 ms. nanosleep is async-signal-safe.
    for (int i = 0; i < 100 && in_flight_.load(std::memory_order_acquire) != nullptr; ++i) {
      SpinLock::SleepOneMs();
    }
    const Buffer* active = &buffers_[active_.load(std::memory_order_acquire)];
    const Buffer* in_flight = in_flight_.load(std::memory_order_acquire);
    if (in_flight != nullptr && in_flight != active) WriteRaw(fd, in_flight);
    WriteRaw(fd, active);
  }

 private:
  static void WriteRaw(int fd, const Buffer* b) {
    const char* p = b->data;
    size_t left = b->size.load(std::memory_order_acquire);
    while (left > 0) {
      const ssize_t n = ::write(fd, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      p += n;
      left -= static_cast<size_t>(n);
    }
  }

  void Start() {
    InstallFatalSignalHandlers();
    std::atexit(StopAtExit);
    std::lock_guard<std::mutex> lock(wake_mu_);
    thread_ = std::thread([this] { Run(); });
  }

  size_t ActiveSize() const {
    return buffers_[active_.load(std::memory_order_seq_cst)].size.load(std::memory_order_seq_cst);
  }

  void Run() {
    std::unique_lock<std::mutex> lock(wake_mu_);
    while (!stop_) {
      idle_.store(true, std::memory_order_seq_cst);
      wake_.wait(lock, [this] { return stop_ || ActiveSize() > 0; });
      idle_.store(false, std::memory_order_relaxed);
      if (stop_) break;
      wake_.wait_for(lock, kMaxDelay, [this] { return stop_ || ActiveSize() >= kWakeBytes; });
      lock.unlock();
      Flush(g_fd.load(std::memory_order_relaxed));
      lock.lock();
    }
  }

  // Requires io_mu_ (so the other buffer is empty). Swaps the active buffer out and returns
  // it, or null when nothing is queued.
  Buffer* TakeLocked() {
    std::lock_guard<SpinLock> lock(spin_);
    const int a = active_.load(std::memory_order_relaxed);
    Buffer* b = &buffers_[a];
    if (b->size.load(std::memory_order_relaxed) == 0) return nullptr;
    in_flight_.store(b, std::memory_order_release);
    active_.store(1 - a, std::memory_order_release);
    return b;
  }

  // Requires io_mu_. Writes `taken` (may be null) and then `line` in one writev(2).
  void WriteTakenLocked(int fd, Buffer* taken, std::string_view line) {
    iovec iov[2];
    int count = 0;
    std::uint64_t lines = 0;
    if (taken != nullptr) {
      iov[count++] = {taken->data, taken->size.load(std::memory_order_relaxed)};
      lines += taken->lines;
    }
    if (!line.empty()) {
      iov[count++] = {const_cast<char*>(line.data()), line.size()};
      ++lines;
    }
    if (fd >= 0 && count > 0 && !WriteAll(fd, iov, count)) {
      g_dropped.fetch_add(lines, std::memory_order_relaxed);
    }
    if (taken != nullptr) {
      in_flight_.store(nullptr, std::memory_order_release);
      taken->lines = 0;
      taken->size.store(0, std::memory_order_release);
    }
  }

  Buffer buffers_[2];
  std::atomic<int> active_{0};                     // written under spin_ and io_mu_
  std::atomic<const Buffer*> in_flight_{nullptr};  // the batch being written (for signals)
  SpinLock spin_;
  std::mutex io_mu_;  // serialises batches; held for the write(2) itself only

  std::once_flag started_;
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool stop_ = false;              // guarded by wake_mu_
  std::thread thread_;             // guarded by wake_mu_
  std::atomic<bool> idle_{false};  // the writer sleeps until a line arrives
  std::atomic<bool> exiting_{false};
};

// Never destroyed: lines may be logged from static destructors after exit started.
BatchWriter& Writer() {
  static BatchWriter* writer = new BatchWriter();
  return *writer;
}

void StopAtExit() {
  const int saved_errno = errno;
  Writer().Stop();
  errno = saved_errno;
}

constexpr int kFatalSignals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
std::atomic<bool> g_in_fatal{false};

void OnFatalSignal(int sig) {
  if (!g_in_fatal.exchange(true)) FlushForSignal();
  // SA_RESETHAND restored the default action; re-raise so the process dies as it would have.
  ::raise(sig);
}

void InstallFatalSignalHandlers() {
  for (const int sig : kFatalSignals) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) != 0) continue;
    if ((old.sa_flags & SA_SIGINFO) != 0 || old.sa_handler != SIG_DFL) continue;  // not ours
    struct sigaction sa {};
    sa.sa_handler = OnFatalSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESETHAND | SA_NODEFER;
    ::sigaction(sig, &sa, nullptr);
  }
}

}  // namespace

void QueueLine(int fd, std::string_view line) { Writer().Queue(fd, line); }

void WriteLineNow(int fd, std::string_view line) { Writer().WriteNow(fd, line); }

void WriteLineUnordered(int fd, std::string_view line) {
  iovec iov{const_cast<char*>(line.data()), line.size()};
  if (fd >= 0 && !WriteAll(fd, &iov, 1)) g_dropped.fetch_add(1, std::memory_order_relaxed);
}

void FlushQueued(int fd) { Writer().Flush(fd); }

void FlushForSignal() { Writer().SignalFlush(); }

}  // namespace klio::log::internal
