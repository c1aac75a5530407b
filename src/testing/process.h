// Test-only helpers to run peer servers as child processes, find free ports, make temp dirs
// and wait on conditions with a deadline (never sleep-and-hope).
//
// Thread-safety: Subprocess is not thread-safe; TempDir and the free functions are.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"

namespace klio::testing {

// A directory under $TMPDIR (or /tmp) removed with its contents on destruction unless
// KLIO_KEEP_TEST_DIRS is set in the environment.
class TempDir {
 public:
  explicit TempDir(std::string_view prefix = "klio-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // path() + "/" + name
  std::string Join(std::string_view name) const;

 private:
  std::string path_;
};

// Returns a TCP port on 127.0.0.1 that was free when asked (bind to port 0, read, close).
int FreePort();

// True when something accepts TCP connections on 127.0.0.1:port.
bool PortOpen(int port);

// Polls `cond` every `interval` until it returns true (OK) or `timeout` passes
// (DeadlineExceeded naming `what`).
Status WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout,
               std::string_view what,
               std::chrono::milliseconds interval = std::chrono::milliseconds(20));

struct SubprocessOptions {
  std::vector<std::string> argv;          // argv[0] is looked up in PATH when not absolute
  std::map<std::string, std::string> env;  // added to (overriding) the current environment
  std::string cwd;                         // empty = inherit
  std::string log_path;                    // stdout+stderr go here; empty = /dev/null
  std::optional<uid_t> uid;                // run as this user (root only)
  std::optional<gid_t> gid;
};

// A child process, stopped by its PID: SIGTERM, then SIGKILL after a grace period.
class Subprocess {
 public:
  Subprocess() = default;
  ~Subprocess();
  Subprocess(const Subprocess&) = delete;
  Subprocess& operator=(const Subprocess&) = delete;
  Subprocess(Subprocess&& other) noexcept;
  Subprocess& operator=(Subprocess&& other) noexcept;

  // Starts the process. Fails when fork/exec setup fails (the exec error of the child is
  // reported through a pipe, so a missing binary is an error here, not a silent exit).
  static Result<Subprocess> Start(const SubprocessOptions& options);

  pid_t pid() const { return pid_; }
  bool running();
  // Sends `sig` (no-op when not running).
  void Signal(int sig);
  // SIGTERM, wait up to `grace`, then SIGKILL. Returns the exit status as from waitpid, or -1.
  int Stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
  // Waits up to `timeout` for the process to exit; returns its wait status or nullopt.
  std::optional<int> Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_status_;
};

// Runs a command to completion and returns its exit code; stdout+stderr captured into
// `output` when given. Fails only when the command cannot be started.
Result<int> RunCommand(const SubprocessOptions& options, std::string* output = nullptr,
                       std::chrono::milliseconds timeout = std::chrono::minutes(5));

// Reads a whole file (test helper; empty on error).
std::string ReadFileOrEmpty(const std::string& path);

// The source tree root (KLIO_SOURCE_DIR from ctest, else found from this file's location).
std::string SourceDir();

}  // namespace klio::testing
