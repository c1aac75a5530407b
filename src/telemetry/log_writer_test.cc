// Tests of klio::log's batched writer (docs/design/logging.md §7): order and completeness
// under concurrency, the durability of warn/error lines, the flush points (Flush, the writer's
// own deadline, Configure, process exit, fatal signals).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "telemetry/log.h"

namespace klio::log {
namespace {

using Json = nlohmann::json;

std::string TempPath() {
  const char* tmpdir = std::getenv("TMPDIR");
  return std::string(tmpdir != nullptr ? tmpdir : "/tmp") + "/klio-logw-XXXXXX";
}

// An unlinked O_APPEND temp file, read with pread and never through the logger (no Flush).
class TempFile {
 public:
  TempFile() {
    std::string path = TempPath();
    fd_ = mkstemp(path.data());
    EXPECT_GE(fd_, 0);
    unlink(path.c_str());
    fcntl(fd_, F_SETFL, O_APPEND);
  }
  ~TempFile() { close(fd_); }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  int fd() const { return fd_; }

  std::string Contents() const {
    std::string out;
    char buf[65536];
    for (off_t off = 0;;) {
      const ssize_t n = pread(fd_, buf, sizeof(buf), off);
      if (n <= 0) break;
      out.append(buf, static_cast<size_t>(n));
      off += n;
    }
    return out;
  }

 private:
  int fd_ = -1;
};

// Parses every '\n'-terminated line; a line that is not a JSON object fails the test.
std::vector<Json> ParseLines(const std::string& text) {
  std::vector<Json> out;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      ADD_FAILURE() << "unterminated line: " << text.substr(start);
      break;
    }
    const std::string line = text.substr(start, nl - start);
    start = nl + 1;
    try {
      Json j = Json::parse(line);
      EXPECT_TRUE(j.is_object()) << line;
      out.push_back(std::move(j));
    } catch (const std::exception& e) {
      ADD_FAILURE() << "not JSON: " << line << ": " << e.what();
    }
  }
  return out;
}

// Routes the logger to `file` (batched unless told otherwise) and back to stderr afterwards.
class Route {
 public:
  explicit Route(const TempFile& file, bool batched = true) {
    Configure(Options{.fd = file.fd(), .batched = batched});
  }
  ~Route() { Configure(Options{}); }
  Route(const Route&) = delete;
  Route& operator=(const Route&) = delete;
};

TEST(LogWriterTest, BatchedIsTheDefault) {
  EXPECT_TRUE(Options{}.batched);
  TempFile file;
  Route route(file);
  EXPECT_TRUE(CurrentOptions().batched);
}

TEST(LogWriterTest, FourThreadsKeepOrderAndLoseNothing) {
  TempFile file;
  constexpr int kThreads = 4;
  constexpr int kLines = 2000;
  {
    Route route(file);
    const Logger logger = GetLogger("klio.test");
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        // Long enough lines that the buffer fills and callers take the synchronous path too.
        const std::string pad(static_cast<size_t>(50 + 100 * t), 'p');
        for (int i = 0; i < kLines; ++i) {
          if (i % 500 == 499) {
            logger.Warn("line", {{"thread", t}, {"i", i}, {"pad", pad}});
          } else {
            logger.Info("line", {{"thread", t}, {"i", i}, {"pad", pad}});
          }
        }
      });
    }
    for (std::thread& th : threads) th.join();
    Flush();
  }
  const std::vector<Json> lines = ParseLines(file.Contents());
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  std::vector<int> next(kThreads, 0);
  for (const Json& j : lines) {
    const int t = j["thread"];
    ASSERT_GE(t, 0);
    ASSERT_LT(t, kThreads);
    EXPECT_EQ(j["i"], next[t]++);
  }
}

TEST(LogWriterTest, WarnAndErrorAreInTheFileOnReturnAfterQueuedLines) {
  TempFile file;
  Route route(file);
  const Logger logger = GetLogger("klio.test");
  logger.Info("queued", {{"i", 0}});
  logger.Info("queued", {{"i", 1}});
  logger.Warn("warned");
  std::vector<Json> lines = ParseLines(file.Contents());  // no Flush
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0]["i"], 0);
  EXPECT_EQ(lines[1]["i"], 1);
  EXPECT_EQ(lines[2]["msg"], "warned");
  logger.Info("queued", {{"i", 2}});
  logger.Error("failed");
  lines = ParseLines(file.Contents());
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[3]["i"], 2);
  EXPECT_EQ(lines[4]["level"], "error");
}

TEST(LogWriterTest, InfoIsInTheFileAfterFlush) {
  TempFile file;
  Route route(file);
  GetLogger("klio.test").Info("flushed");
  Flush();
  const std::vector<Json> lines = ParseLines(file.Contents());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["msg"], "flushed");
}

TEST(LogWriterTest, InfoReachesTheFileSoonWithoutFlush) {
  TempFile file;
  Route route(file);
  GetLogger("klio.test").Info("eventually");
  // The writer's deadline is ~1 ms; allow a loaded machine 10 s before calling it lost.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::string contents;
  while ((contents = file.Contents()).empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const std::vector<Json> lines = ParseLines(contents);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["msg"], "eventually");
}

TEST(LogWriterTest, UnbatchedInfoIsInTheFileOnReturn) {
  TempFile file;
  Route route(file, /*batched=*/false);
  GetLogger("klio.test").Info("direct");
  EXPECT_EQ(ParseLines(file.Contents()).size(), 1u);
}

TEST(LogWriterTest, ConfigureFlushesToTheOldFdFirst) {
  TempFile first;
  TempFile second;
  const Logger logger = GetLogger("klio.test");
  {
    Route route(first);
    for (int i = 0; i < 10; ++i) logger.Info("to first", {{"i", i}});
    Configure(Options{.fd = second.fd()});
    EXPECT_EQ(ParseLines(first.Contents()).size(), 10u);
    logger.Info("to second");
    Flush();
  }
  const std::vector<Json> lines = ParseLines(second.Contents());
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["msg"], "to second");
  EXPECT_EQ(ParseLines(first.Contents()).size(), 10u);
}

// Runs log_test_helper with `mode` and `lines`, stdout to a temp file; returns the output.
std::string RunHelper(const std::string& mode, int lines, int* status) {
  const TempFile out;
  const std::string command = std::string(KLIO_LOG_TEST_HELPER) + " " + mode + " " +
                              std::to_string(lines) + " >/dev/fd/" + std::to_string(out.fd()) +
                              " 2>/dev/null";
  *status = std::system(command.c_str());
  return out.Contents();
}

std::set<int> Indexes(const std::vector<Json>& lines) {
  std::set<int> seen;
  for (const Json& j : lines) seen.insert(j["i"].get<int>());
  return seen;
}

TEST(LogWriterTest, ReturningFromMainFlushesEveryLine) {
  int status = 0;
  const std::vector<Json> lines = ParseLines(RunHelper("exit", 1000, &status));
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  ASSERT_EQ(lines.size(), 1000u);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(lines[static_cast<size_t>(i)]["i"], i);
}

TEST(LogWriterTest, AbortStillWritesCommittedLines) {
  int status = 0;
  const std::vector<Json> lines = ParseLines(RunHelper("abort", 1000, &status));
  // Killed by SIGABRT: directly (the shell exec'd the helper) or reported as 128 + 6.
  const bool aborted = (WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT) ||
                       (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGABRT);
  EXPECT_TRUE(aborted) << "status " << status;
  // Best effort: a batch being written when the signal came may appear twice, none is lost.
  const std::set<int> seen = Indexes(lines);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_GE(lines.size(), 1000u);
}

}  // namespace
}  // namespace klio::log
