// Tests that only make sense on the real file system (the shared behaviour is in
// file_system_test.cc).
#include "env/posix_file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>

#include "testing/process.h"

namespace klio::env {
namespace {

std::set<int> OpenFds() {
  std::set<int> fds;
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return fds;
  const int own = ::dirfd(dir);
  while (const dirent* ent = ::readdir(dir)) {
    if (ent->d_name[0] == '.') continue;
    const int fd = std::stoi(ent->d_name);
    if (fd != own) fds.insert(fd);
  }
  ::closedir(dir);
  return fds;
}

// Returns the descriptors open now that were not open in `before`.
std::set<int> NewFds(const std::set<int>& before) {
  std::set<int> added;
  for (int fd : OpenFds()) {
    if (!before.contains(fd)) added.insert(fd);
  }
  return added;
}

TEST(PosixFileSystemTest, DescriptorsAreCloseOnExec) {
  testing::TempDir dir("klio-env-posix");
  PosixFileSystem fs;
  const std::set<int> before = OpenFds();
  auto writer = fs.NewWritableFile(dir.Join("f"), OpenMode::kTruncate);
  ASSERT_TRUE(writer.ok());
  auto reader = fs.NewReadableFile(dir.Join("f"));
  ASSERT_TRUE(reader.ok());
  const std::set<int> added = NewFds(before);
  ASSERT_EQ(added.size(), 2u);
  for (int fd : added) EXPECT_TRUE(::fcntl(fd, F_GETFD) & FD_CLOEXEC) << "fd " << fd;
  ASSERT_TRUE((*writer)->Close().ok());
  reader->reset();
  EXPECT_TRUE(NewFds(before).empty());  // nothing leaked
}

TEST(PosixFileSystemTest, SetPermissionsChangesMode) {
  testing::TempDir dir("klio-env-posix");
  PosixFileSystem fs;
  auto writer = fs.NewWritableFile(dir.Join("key"), OpenMode::kExclusive);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Close().ok());
  ASSERT_TRUE(fs.SetPermissions(dir.Join("key"), 0600).ok());
  struct stat st;
  ASSERT_EQ(::stat(dir.Join("key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(PosixFileSystemTest, ErrorsNameTheOperationAndPath) {
  PosixFileSystem fs;
  Status s = fs.NewReadableFile("/nonexistent-klio-dir/x").status();
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "open /nonexistent-klio-dir/x: No such file or directory");
  s = fs.Rename("/nonexistent-klio-dir/a", "/nonexistent-klio-dir/b");
  EXPECT_EQ(s.message(),
            "rename /nonexistent-klio-dir/a to /nonexistent-klio-dir/b: No such file or directory");
}

TEST(PosixFileSystemTest, BufferedBytesReachDiskOnSync) {
  testing::TempDir dir("klio-env-posix");
  PosixFileSystem fs;
  auto writer = fs.NewWritableFile(dir.Join("f"), OpenMode::kTruncate);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("buffered").ok());
  EXPECT_EQ(fs.FileSize(dir.Join("f")).value_or(99), 0u);  // still in the 64 KiB buffer
  ASSERT_TRUE((*writer)->Sync().ok());
  EXPECT_EQ(fs.FileSize(dir.Join("f")).value_or(99), 8u);
  ASSERT_TRUE((*writer)->Close().ok());
}

TEST(PosixFileSystemTest, DefaultFileSystemIsPosix) {
  EXPECT_NE(dynamic_cast<PosixFileSystem*>(&DefaultFileSystem()), nullptr);
  EXPECT_EQ(&DefaultFileSystem(), &DefaultFileSystem());
}

TEST(PosixFileSystemTest, ReadOnlyDirectoryIsPermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores permission bits";
  testing::TempDir dir("klio-env-posix");
  PosixFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs(dir.Join("ro")).ok());
  ASSERT_TRUE(fs.SetPermissions(dir.Join("ro"), 0500).ok());
  EXPECT_EQ(fs.NewWritableFile(dir.Join("ro/f"), OpenMode::kTruncate).status().code(),
            StatusCode::kPermissionDenied);
  ASSERT_TRUE(fs.SetPermissions(dir.Join("ro"), 0700).ok());
}

}  // namespace
}  // namespace klio::env
