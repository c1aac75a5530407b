#include "testing/process.h"

#include <signal.h>
#include <sys/wait.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace klio::testing {
namespace {

TEST(TempDirTest, CreatedAndRemoved) {
  std::string p;
  {
    TempDir d;
    p = d.path();
    EXPECT_TRUE(std::filesystem::is_directory(p));
  }
  if (std::getenv("KLIO_KEEP_TEST_DIRS") == nullptr) {
    EXPECT_FALSE(std::filesystem::exists(p));
  }
}

TEST(ProcessTest, RunCommandCapturesOutputAndExitCode) {
  std::string out;
  auto rc = RunCommand({.argv = {"sh", "-c", "echo hello; exit 3"}}, &out);
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  EXPECT_EQ(*rc, 3);
  EXPECT_EQ(out, "hello\n");
}

TEST(ProcessTest, MissingBinaryIsAnError) {
  auto p = Subprocess::Start({.argv = {"/nonexistent/klio-no-such-binary"}});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
}

TEST(ProcessTest, StopTerminatesByPid) {
  auto p = Subprocess::Start({.argv = {"sleep", "60"}});
  ASSERT_TRUE(p.ok());
  EXPECT_TRUE(p->running());
  int st = p->Stop(std::chrono::seconds(5));
  EXPECT_TRUE(WIFSIGNALED(st));
  EXPECT_EQ(WTERMSIG(st), SIGTERM);
}

TEST(ProcessTest, FreePortIsBindableAndWaitForTimesOut) {
  int port = FreePort();
  EXPECT_GT(port, 1024);
  EXPECT_FALSE(PortOpen(port));
  Status s = WaitFor([] { return false; }, std::chrono::milliseconds(50), "never");
  EXPECT_EQ(s.code(), StatusCode::kDeadlineExceeded);
  EXPECT_NE(s.message().find("never"), std::string::npos);
}

}  // namespace
}  // namespace klio::testing
