#include "env/fault_file_system.h"

#include <gtest/gtest.h>

#include <string>

#include "env/mem_file_system.h"

namespace klio::env {
namespace {

class FaultFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(mem_.CreateDirs("/d").ok()); }

  // Creates `path` with `synced` made durable (file and directory) and `unsynced` appended.
  void WriteDurable(const std::string& path, std::string_view synced,
                    std::string_view unsynced = "") {
    auto file = fs_.NewWritableFile(path, OpenMode::kTruncate);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(synced).ok());
    ASSERT_TRUE((*file)->Sync().ok());
    ASSERT_TRUE((*file)->Append(unsynced).ok());
    ASSERT_TRUE((*file)->Close().ok());
    ASSERT_TRUE(fs_.SyncDir(ParentDir(path)).ok());
  }
  std::string Read(const std::string& path) { return mem_.ReadFile(path).value_or("<missing>"); }

  MemFileSystem mem_;
  FaultFileSystem fs_{mem_};
};

TEST_F(FaultFileSystemTest, FailNthOpFailsOnceAndCountsEverything) {
  fs_.FailNthOp(3);
  EXPECT_TRUE(fs_.Exists("/d").ok());                            // 1
  auto file = fs_.NewWritableFile("/d/f", OpenMode::kTruncate);  // 2
  ASSERT_TRUE(file.ok());
  Status s = (*file)->Append("x");  // 3
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(s.message(), "injected fault");
  EXPECT_TRUE((*file)->Append("y").ok());  // 4
  EXPECT_TRUE((*file)->Close().ok());      // 5
  EXPECT_EQ(Read("/d/f"), "y");            // the failed append did not reach the wrapped file
  EXPECT_EQ(fs_.op_count(), 5u);
  EXPECT_EQ(fs_.op_count(FaultOp::kAppend), 2u);
  EXPECT_EQ(fs_.op_count(FaultOp::kClose), 1u);
  EXPECT_EQ(fs_.injected_count(), 1u);
  fs_.ResetCounters();
  EXPECT_EQ(fs_.op_count(), 0u);
  EXPECT_EQ(fs_.injected_count(), 0u);
}

TEST_F(FaultFileSystemTest, FailFromNthOpIsStickyUntilCleared) {
  fs_.FailFromNthOp(2, Status::ResourceExhausted("disk full"));
  EXPECT_TRUE(fs_.Exists("/d").ok());
  EXPECT_EQ(fs_.Exists("/d").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(fs_.CreateDirs("/e").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(fs_.injected_count(), 2u);
  fs_.ClearFaults();
  EXPECT_TRUE(fs_.CreateDirs("/e").ok());
}

TEST_F(FaultFileSystemTest, RulesMatchOpKindAndPathPrefix) {
  fs_.AddRule(FaultRule{.op = FaultOp::kSync});
  fs_.AddRule(FaultRule{.path_prefix = "/d/bad", .status = Status::PermissionDenied("no")});
  auto file = fs_.NewWritableFile("/d/good", OpenMode::kTruncate);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE((*file)->Append("x").ok());
  EXPECT_EQ((*file)->Sync().code(), StatusCode::kIoError);
  EXPECT_TRUE((*file)->Close().ok());
  EXPECT_EQ(fs_.NewWritableFile("/d/bad1", OpenMode::kTruncate).status().code(),
            StatusCode::kPermissionDenied);
  // A rename matches on either side.
  EXPECT_EQ(fs_.Rename("/d/good", "/d/bad2").code(), StatusCode::kPermissionDenied);
  // Paths are cleaned before matching.
  EXPECT_EQ(fs_.Exists("/d//./bad3").code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(fs_.Exists("/d/good").ok());
  fs_.ClearFaults();
  EXPECT_TRUE(fs_.Rename("/d/good", "/d/bad2").ok());
}

TEST_F(FaultFileSystemTest, InjectedCloseStillClosesTheFile) {
  auto file = fs_.NewWritableFile("/d/f", OpenMode::kTruncate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("data").ok());
  fs_.FailNthOp(1);
  EXPECT_FALSE((*file)->Close().ok());
  EXPECT_EQ(Read("/d/f"), "data");
  EXPECT_FALSE((*file)->Append("more").ok());  // closed underneath
}

TEST_F(FaultFileSystemTest, ReadableFileCallsAreOperations) {
  WriteDurable("/d/f", "abc");
  fs_.ResetCounters();
  EXPECT_EQ(fs_.ReadFile("/d/f").value_or(""), "abc");
  EXPECT_EQ(fs_.op_count(FaultOp::kNewReadableFile), 1u);
  EXPECT_EQ(fs_.op_count(FaultOp::kReadSize), 1u);
  EXPECT_GE(fs_.op_count(FaultOp::kReadAt), 1u);
  fs_.AddRule(FaultRule{.op = FaultOp::kReadAt});
  EXPECT_FALSE(fs_.ReadFile("/d/f").ok());
}

TEST_F(FaultFileSystemTest, PowerCutDropsUnsyncedAppends) {
  WriteDurable("/d/f", "synced", " lost");
  EXPECT_EQ(Read("/d/f"), "synced lost");
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/f"), "synced");
}

TEST_F(FaultFileSystemTest, NeverSyncedFileBecomesEmpty) {
  auto file = fs_.NewWritableFile("/d/f", OpenMode::kExclusive);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("never synced").ok());
  ASSERT_TRUE((*file)->Close().ok());
  ASSERT_TRUE(fs_.SyncDir("/d").ok());  // the name is durable, the bytes are not
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/f"), "");
}

TEST_F(FaultFileSystemTest, CreationWithoutSyncDirIsUndone) {
  auto file = fs_.NewWritableFile("/d/f", OpenMode::kExclusive);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("synced data").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_TRUE(mem_.Exists("/d/f").IsNotFound());
}

TEST_F(FaultFileSystemTest, SyncingAnotherDirectoryDoesNotHelp) {
  ASSERT_TRUE(mem_.CreateDirs("/other").ok());
  WriteDurable("/other/x", "x");
  auto file = fs_.NewWritableFile("/d/f", OpenMode::kExclusive);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Close().ok());
  ASSERT_TRUE(fs_.SyncDir("/other").ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_TRUE(mem_.Exists("/d/f").IsNotFound());
  EXPECT_EQ(Read("/other/x"), "x");
}

TEST_F(FaultFileSystemTest, RemovalWithoutSyncDirIsUndone) {
  WriteDurable("/d/f", "keep me", " (unsynced)");
  ASSERT_TRUE(fs_.RemoveFile("/d/f").ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/f"), "keep me");

  ASSERT_TRUE(fs_.RemoveFile("/d/f").ok());
  ASSERT_TRUE(fs_.SyncDir("/d").ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_TRUE(mem_.Exists("/d/f").IsNotFound());
}

TEST_F(FaultFileSystemTest, RenameWithoutSyncDirIsRevertedAndDestinationRestored) {
  WriteDurable("/d/old", "old content");
  WriteDurable("/d/new", "new content");
  ASSERT_TRUE(fs_.Rename("/d/new", "/d/old").ok());
  EXPECT_EQ(Read("/d/old"), "new content");
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/old"), "old content");
  EXPECT_EQ(Read("/d/new"), "new content");

  ASSERT_TRUE(fs_.Rename("/d/new", "/d/old").ok());
  ASSERT_TRUE(fs_.SyncDir("/d").ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/old"), "new content");
  EXPECT_TRUE(mem_.Exists("/d/new").IsNotFound());
}

TEST_F(FaultFileSystemTest, CrossDirectoryRenameNeedsBothDirectoriesSynced) {
  ASSERT_TRUE(mem_.CreateDirs("/e").ok());
  WriteDurable("/d/f", "payload");
  ASSERT_TRUE(fs_.Rename("/d/f", "/e/f").ok());
  ASSERT_TRUE(fs_.SyncDir("/e").ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/f"), "payload");
  EXPECT_TRUE(mem_.Exists("/e/f").IsNotFound());

  ASSERT_TRUE(fs_.Rename("/d/f", "/e/f").ok());
  ASSERT_TRUE(fs_.SyncDir("/e").ok());
  ASSERT_TRUE(fs_.SyncDir("/d").ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/e/f"), "payload");
  EXPECT_TRUE(mem_.Exists("/d/f").IsNotFound());
}

TEST_F(FaultFileSystemTest, SyncedDataFollowsTheFileThroughRenames) {
  auto file = fs_.NewWritableFile("/d/a", OpenMode::kExclusive);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("one").ok());
  ASSERT_TRUE(fs_.Rename("/d/a", "/d/b").ok());
  ASSERT_TRUE((*file)->Append("two").ok());
  ASSERT_TRUE((*file)->Sync().ok());  // through the handle, after the rename
  ASSERT_TRUE((*file)->Append("three").ok());
  ASSERT_TRUE((*file)->Close().ok());
  ASSERT_TRUE(fs_.SyncDir("/d").ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/b"), "onetwo");
}

TEST_F(FaultFileSystemTest, OpenFilesDieAndTheirBuffersDoNotLeak) {
  WriteDurable("/d/f", "base");
  auto file = fs_.NewWritableFile("/d/f", OpenMode::kAppend);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("+tail").ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ((*file)->Append("x").code(), StatusCode::kIoError);
  EXPECT_FALSE((*file)->Sync().ok());
  EXPECT_FALSE((*file)->Close().ok());
  file->reset();
  EXPECT_EQ(Read("/d/f"), "base");
}

TEST_F(FaultFileSystemTest, PreexistingFilesCountAsDurable) {
  auto raw = mem_.NewWritableFile("/d/pre", OpenMode::kTruncate);
  ASSERT_TRUE(raw.ok());
  ASSERT_TRUE((*raw)->Append("before wrapping").ok());
  ASSERT_TRUE((*raw)->Close().ok());
  auto file = fs_.NewWritableFile("/d/pre", OpenMode::kAppend);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append(" and after").ok());
  ASSERT_TRUE((*file)->Close().ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/pre"), "before wrapping");
}

TEST_F(FaultFileSystemTest, TruncateLowersTheDurableLength) {
  WriteDurable("/d/f", "0123456789");
  ASSERT_TRUE(fs_.Truncate("/d/f", 4).ok());
  auto file = fs_.NewWritableFile("/d/f", OpenMode::kAppend);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("abcdef").ok());
  ASSERT_TRUE((*file)->Close().ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/f"), "0123");
}

TEST_F(FaultFileSystemTest, ReopeningWithTruncateLosesTheOldBytes) {
  WriteDurable("/d/f", "old");
  auto file = fs_.NewWritableFile("/d/f", OpenMode::kTruncate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("new").ok());
  ASSERT_TRUE((*file)->Close().ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/f"), "");
}

TEST_F(FaultFileSystemTest, DirectoryRenameCarriesTrackedFiles) {
  ASSERT_TRUE(mem_.CreateDirs("/d/sub").ok());
  WriteDurable("/d/sub/f", "kept", "dropped");
  ASSERT_TRUE(fs_.Rename("/d/sub", "/d/moved").ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(Read("/d/moved/f"), "kept");
}

TEST_F(FaultFileSystemTest, CreateThenRemoveBeforeSyncLeavesNothing) {
  auto file = fs_.NewWritableFile("/d/f", OpenMode::kExclusive);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("x").ok());
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  ASSERT_TRUE(fs_.RemoveFile("/d/f").ok());
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_TRUE(mem_.Exists("/d/f").IsNotFound());
  EXPECT_TRUE(mem_.ListDir("/d").value_or(std::vector<DirEntry>{{"x"}}).empty());
}

TEST_F(FaultFileSystemTest, UndoWorkIsNotCountedOrFailed) {
  WriteDurable("/d/f", "abc", "def");
  fs_.FailFromNthOp(1);
  fs_.ResetCounters();
  ASSERT_TRUE(fs_.SimulatePowerCut().ok());
  EXPECT_EQ(fs_.op_count(), 0u);
  EXPECT_EQ(Read("/d/f"), "abc");
}

TEST(FaultOpNameTest, NamesAreStable) {
  EXPECT_EQ(FaultOpName(FaultOp::kSyncDir), "sync_dir");
  EXPECT_EQ(FaultOpName(FaultOp::kReadSize), "read_size");
  EXPECT_EQ(static_cast<std::size_t>(FaultOp::kReadSize) + 1, kFaultOpCount);
}

}  // namespace
}  // namespace klio::env
