#include "env/atomic_write.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "env/fault_file_system.h"
#include "env/mem_file_system.h"
#include "env/posix_file_system.h"
#include "testing/process.h"

namespace klio::env {
namespace {

// The number of operations one synced WriteFileAtomically performs (documented sequence).
constexpr std::uint64_t kSyncedOps = 7;

// A fresh base file system with an empty directory `dir`, wrapped in a FaultFileSystem.
class Sandbox {
 public:
  virtual ~Sandbox() = default;
  virtual FileSystem& base() = 0;
  virtual std::string dir() = 0;
  virtual std::optional<unsigned> Mode(const std::string& path) = 0;
};

class MemSandbox : public Sandbox {
 public:
  MemSandbox() { EXPECT_TRUE(fs_.CreateDirs("/data").ok()); }
  FileSystem& base() override { return fs_; }
  std::string dir() override { return "/data"; }
  std::optional<unsigned> Mode(const std::string& path) override {
    auto mode = fs_.Permissions(path);
    return mode.ok() ? std::optional<unsigned>(*mode) : std::nullopt;
  }

 private:
  MemFileSystem fs_;
};

class PosixSandbox : public Sandbox {
 public:
  FileSystem& base() override { return fs_; }
  std::string dir() override { return dir_.path(); }
  std::optional<unsigned> Mode(const std::string& path) override {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return st.st_mode & 07777;
  }

 private:
  testing::TempDir dir_{"klio-env-atomic"};
  PosixFileSystem fs_;
};

struct Base {
  std::string name;
  std::function<std::unique_ptr<Sandbox>()> make;
};
void PrintTo(const Base& base, std::ostream* os) { *os << base.name; }

class AtomicWriteTest : public ::testing::TestWithParam<Base> {
 protected:
  void SetUp() override { Reset(); }

  // Starts over with an empty directory, so every iteration of a sweep is independent.
  void Reset() {
    fault_.reset();
    sandbox_ = GetParam().make();
    fault_ = std::make_unique<FaultFileSystem>(sandbox_->base());
    target_ = JoinPath(sandbox_->dir(), "state.json");
  }
  FaultFileSystem& fs() { return *fault_; }

  // The target's content as seen by the wrapped file system, or nullopt when absent.
  std::optional<std::string> Target() {
    auto content = sandbox_->base().ReadFile(target_);
    if (content.status().IsNotFound()) return std::nullopt;
    return content.ok() ? std::optional<std::string>(*content) : "<unreadable>";
  }
  // Names in the directory that are not the target (temp files left behind).
  std::vector<std::string> Leftovers() {
    std::vector<std::string> out;
    auto entries = sandbox_->base().ListDir(sandbox_->dir());
    EXPECT_TRUE(entries.ok());
    if (!entries.ok()) return out;
    for (const DirEntry& e : *entries) {
      if (e.name != "state.json") out.push_back(e.name);
    }
    return out;
  }

  std::unique_ptr<Sandbox> sandbox_;
  std::unique_ptr<FaultFileSystem> fault_;
  std::string target_;
};

const std::string kOld = "old content";
// Large enough to cross the Posix write buffer.
const std::string kNew = std::string(200 * 1024, 'n') + "end";

TEST_P(AtomicWriteTest, WritesAndReplaces) {
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, kOld).ok());
  EXPECT_EQ(Target(), kOld);
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, kNew).ok());
  EXPECT_EQ(Target(), kNew);
  EXPECT_TRUE(Leftovers().empty());
  EXPECT_EQ(sandbox_->Mode(target_), 0644u);
}

TEST_P(AtomicWriteTest, AppliesPermissions) {
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, "secret", {.permissions = 0600}).ok());
  EXPECT_EQ(sandbox_->Mode(target_), 0600u);
}

TEST_P(AtomicWriteTest, AcceptsBytes) {
  const std::vector<std::uint8_t> bytes = {0, 1, 2, 255};
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, std::span<const std::uint8_t>(bytes)).ok());
  EXPECT_EQ(Target(), std::string("\0\1\2\xff", 4));
}

TEST_P(AtomicWriteTest, PerformsTheDocumentedOperations) {
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, kNew).ok());
  EXPECT_EQ(fs().op_count(), kSyncedOps);
  EXPECT_EQ(fs().op_count(FaultOp::kSync), 1u);
  EXPECT_EQ(fs().op_count(FaultOp::kSyncDir), 1u);
  fs().ResetCounters();
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, kOld, {.sync = false}).ok());
  EXPECT_EQ(fs().op_count(), kSyncedOps - 2);
  EXPECT_EQ(fs().op_count(FaultOp::kSync), 0u);
  EXPECT_EQ(fs().op_count(FaultOp::kSyncDir), 0u);
}

TEST_P(AtomicWriteTest, FailingAnyOpNeverLeavesAPartialFileOrATempFile) {
  for (bool had_old : {true, false}) {
    for (std::uint64_t n = 1; n <= kSyncedOps; ++n) {
      SCOPED_TRACE("op " + std::to_string(n) + (had_old ? " over old" : " no old"));
      Reset();
      if (had_old) {
        ASSERT_TRUE(WriteFileAtomically(fs(), target_, kOld).ok());
      }
      fs().FailNthOp(n);
      Status s = WriteFileAtomically(fs(), target_, kNew);
      EXPECT_FALSE(s.ok());
      EXPECT_NE(s.message().find("atomic write " + target_), std::string::npos) << s.message();
      const std::optional<std::string> now = Target();
      if (n < kSyncedOps) {
        EXPECT_EQ(now, had_old ? std::optional(kOld) : std::nullopt);
      } else {
        EXPECT_EQ(now, kNew);  // only the directory sync failed: renamed, not durable
        EXPECT_NE(s.message().find("renamed but directory not synced"), std::string::npos);
      }
      EXPECT_TRUE(Leftovers().empty());
    }
  }
}

TEST_P(AtomicWriteTest, CrashAtAnyOpGivesOldOrNewAfterPowerCut) {
  // The disk dies at op n (n and every later op fail, so no cleanup), then the power goes.
  for (bool had_old : {true, false}) {
    for (std::uint64_t n = 1; n <= kSyncedOps + 1; ++n) {
      SCOPED_TRACE("op " + std::to_string(n) + (had_old ? " over old" : " no old"));
      Reset();
      if (had_old) {
        ASSERT_TRUE(WriteFileAtomically(fs(), target_, kOld).ok());
      }
      fs().FailFromNthOp(n);
      const bool ok = WriteFileAtomically(fs(), target_, kNew).ok();
      EXPECT_EQ(ok, n > kSyncedOps);
      ASSERT_TRUE(fs().SimulatePowerCut().ok());
      fs().ClearFaults();
      if (ok) {
        EXPECT_EQ(Target(), kNew);
      } else {
        EXPECT_EQ(Target(), had_old ? std::optional(kOld) : std::nullopt);
      }
      EXPECT_TRUE(Leftovers().empty());
    }
  }
}

TEST_P(AtomicWriteTest, SuccessSurvivesPowerCut) {
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, kOld).ok());
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, kNew).ok());
  ASSERT_TRUE(fs().SimulatePowerCut().ok());
  EXPECT_EQ(Target(), kNew);
  EXPECT_TRUE(Leftovers().empty());
}

TEST_P(AtomicWriteTest, PowerCutAfterRenameBeforeSyncDirBringsOldBack) {
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, kOld).ok());
  fs().AddRule(FaultRule{.op = FaultOp::kSyncDir});
  EXPECT_FALSE(WriteFileAtomically(fs(), target_, kNew).ok());
  EXPECT_EQ(Target(), kNew);  // visible, but not durable
  ASSERT_TRUE(fs().SimulatePowerCut().ok());
  EXPECT_EQ(Target(), kOld);
  EXPECT_TRUE(Leftovers().empty());
}

TEST_P(AtomicWriteTest, WithoutSyncTheWriteIsAtomicButNotDurable) {
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, kOld).ok());
  ASSERT_TRUE(WriteFileAtomically(fs(), target_, kNew, AtomicWriteOptions{.sync = false}).ok());
  EXPECT_EQ(Target(), kNew);
  ASSERT_TRUE(fs().SimulatePowerCut().ok());
  EXPECT_EQ(Target(), kOld);
}

TEST_P(AtomicWriteTest, MissingDirectoryAndBadNames) {
  Status s = WriteFileAtomically(fs(), JoinPath(sandbox_->dir(), "missing/f"), "x");
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_EQ(WriteFileAtomically(fs(), "/", "x").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(fs().CreateDirs(JoinPath(sandbox_->dir(), "sub")).ok());
  // Replacing a directory fails at the rename; the temp file is cleaned up.
  EXPECT_FALSE(WriteFileAtomically(fs(), JoinPath(sandbox_->dir(), "sub"), "x").ok());
  EXPECT_EQ(Leftovers(), std::vector<std::string>{"sub"});
}

INSTANTIATE_TEST_SUITE_P(
    Bases, AtomicWriteTest,
    ::testing::Values(Base{"Mem", [] { return std::unique_ptr<Sandbox>(new MemSandbox()); }},
                      Base{"Posix", [] { return std::unique_ptr<Sandbox>(new PosixSandbox()); }}),
    [](const ::testing::TestParamInfo<Base>& info) { return info.param.name; });

TEST(AtomicWriteTempNameTest, RecognisesOnlyTempNames) {
  EXPECT_TRUE(IsAtomicWriteTempName(".state.json.tmp-0123456789abcdef"));
  EXPECT_FALSE(IsAtomicWriteTempName("state.json"));
  EXPECT_FALSE(IsAtomicWriteTempName(".state.json.tmp-0123456789ABCDEF"));
  EXPECT_FALSE(IsAtomicWriteTempName("state.json.tmp-0123456789abcdef"));
  EXPECT_FALSE(IsAtomicWriteTempName(".tmp-0123456789abcde"));
}

TEST(AtomicWriteTempNameTest, TempFilesUseTheDocumentedName) {
  MemFileSystem mem;
  ASSERT_TRUE(mem.CreateDirs("/d").ok());
  FaultFileSystem fs(mem);
  fs.AddRule(FaultRule{.op = FaultOp::kRename});
  fs.AddRule(FaultRule{.op = FaultOp::kRemoveFile});  // keep the temp file to look at it
  EXPECT_FALSE(WriteFileAtomically(fs, "/d/name", "x").ok());
  auto entries = mem.ListDir("/d");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 1u);
  EXPECT_TRUE((*entries)[0].name.starts_with(".name.tmp-")) << (*entries)[0].name;
  EXPECT_TRUE(IsAtomicWriteTempName((*entries)[0].name));
}

}  // namespace
}  // namespace klio::env
