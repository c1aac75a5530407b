// Conformance suite: every FileSystem implementation must pass these (run against the real
// disk, the in-memory one, and the fault wrapper with no faults over both).
#include "env/file_system.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "env/fault_file_system.h"
#include "env/mem_file_system.h"
#include "env/posix_file_system.h"
#include "testing/process.h"

namespace klio::env {
namespace {

// A file system plus a directory to play in.
class FsUnderTest {
 public:
  virtual ~FsUnderTest() = default;
  virtual FileSystem& fs() = 0;
  virtual std::string root() = 0;
};

class PosixUnderTest : public FsUnderTest {
 public:
  FileSystem& fs() override { return fs_; }
  std::string root() override { return dir_.path(); }

 private:
  testing::TempDir dir_{"klio-env-test"};
  PosixFileSystem fs_;
};

class MemUnderTest : public FsUnderTest {
 public:
  MemUnderTest() { EXPECT_TRUE(fs_.CreateDirs("/work/root").ok()); }
  FileSystem& fs() override { return fs_; }
  std::string root() override { return "/work/root"; }

 private:
  MemFileSystem fs_;
};

template <typename Base>
class FaultOver : public FsUnderTest {
 public:
  FileSystem& fs() override { return fault_; }
  std::string root() override { return base_.root(); }

 private:
  Base base_;
  FaultFileSystem fault_{base_.fs()};
};

struct Impl {
  std::string name;
  std::function<std::unique_ptr<FsUnderTest>()> make;
};
void PrintTo(const Impl& impl, std::ostream* os) { *os << impl.name; }

class FileSystemTest : public ::testing::TestWithParam<Impl> {
 protected:
  void SetUp() override {
    under_test_ = GetParam().make();
    root_ = under_test_->root();
  }
  FileSystem& fs() { return under_test_->fs(); }
  std::string P(std::string_view name) const { return JoinPath(root_, name); }

  void Write(const std::string& path, std::string_view data, OpenMode mode = OpenMode::kTruncate) {
    auto file = fs().NewWritableFile(path, mode);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE((*file)->Append(data).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }
  std::string Read(const std::string& path) {
    auto content = fs().ReadFile(path);
    EXPECT_TRUE(content.ok()) << content.status().ToString();
    return content.value_or("<error>");
  }
  std::vector<std::string> Names(const std::string& dir) {
    auto entries = fs().ListDir(dir);
    EXPECT_TRUE(entries.ok()) << entries.status().ToString();
    std::vector<std::string> names;
    if (!entries.ok()) return names;
    for (const DirEntry& e : *entries) names.push_back(e.name + (e.is_dir ? "/" : ""));
    return names;
  }

  std::unique_ptr<FsUnderTest> under_test_;
  std::string root_;
};

TEST_P(FileSystemTest, WriteThenReadBack) {
  auto file = fs().NewWritableFile(P("a"), OpenMode::kTruncate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("hello ").ok());
  ASSERT_TRUE((*file)->Append("world").ok());
  EXPECT_EQ((*file)->Size(), 11u);  // buffered bytes count
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(Read(P("a")), "hello world");
  EXPECT_EQ(fs().FileSize(P("a")).value_or(0), 11u);
}

TEST_P(FileSystemTest, LargeAndMixedAppendsCrossTheBuffer) {
  std::string expected;
  auto file = fs().NewWritableFile(P("big"), OpenMode::kExclusive);
  ASSERT_TRUE(file.ok());
  for (std::size_t size : {10u, 70000u, 3u, 65536u, 65535u, 1u, 200000u, 17u}) {
    std::string chunk(size, static_cast<char>('a' + expected.size() % 26));
    ASSERT_TRUE((*file)->Append(chunk).ok());
    expected += chunk;
    EXPECT_EQ((*file)->Size(), expected.size());
  }
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(Read(P("big")), expected);
}

TEST_P(FileSystemTest, AppendModeKeepsContent) {
  Write(P("f"), "abc");
  auto file = fs().NewWritableFile(P("f"), OpenMode::kAppend);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->Size(), 3u);
  ASSERT_TRUE((*file)->Append("def").ok());
  EXPECT_EQ((*file)->Size(), 6u);
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(Read(P("f")), "abcdef");
}

TEST_P(FileSystemTest, TruncateModeEmptiesFile) {
  Write(P("f"), "abcdef");
  Write(P("f"), "xy", OpenMode::kTruncate);
  EXPECT_EQ(Read(P("f")), "xy");
}

TEST_P(FileSystemTest, ExclusiveFailsWhenFileExists) {
  Write(P("f"), "abc");
  auto file = fs().NewWritableFile(P("f"), OpenMode::kExclusive);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kAlreadyExists);
  EXPECT_NE(file.status().message().find(P("f")), std::string::npos) << file.status().message();
  EXPECT_EQ(Read(P("f")), "abc");
}

TEST_P(FileSystemTest, CreatingAFileNeedsItsParent) {
  auto file = fs().NewWritableFile(P("missing/f"), OpenMode::kTruncate);
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), StatusCode::kNotFound);
  Write(P("plain"), "x");
  EXPECT_FALSE(fs().NewWritableFile(P("plain/f"), OpenMode::kTruncate).ok());
}

TEST_P(FileSystemTest, OpeningADirectoryFails) {
  ASSERT_TRUE(fs().CreateDirs(P("d")).ok());
  EXPECT_FALSE(fs().NewWritableFile(P("d"), OpenMode::kAppend).ok());
  EXPECT_FALSE(fs().NewReadableFile(P("d")).ok());
  EXPECT_FALSE(fs().FileSize(P("d")).ok());
}

TEST_P(FileSystemTest, ReadAtHandlesOffsetsAndEnd) {
  Write(P("f"), "0123456789");
  auto file = fs().NewReadableFile(P("f"));
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->Size().value_or(0), 10u);
  std::vector<std::uint8_t> buf(4);
  EXPECT_EQ((*file)->ReadAt(2, buf).value_or(99), 4u);
  EXPECT_EQ(std::string(buf.begin(), buf.end()), "2345");
  EXPECT_EQ((*file)->ReadAt(8, buf).value_or(99), 2u);
  EXPECT_EQ((*file)->ReadAt(10, buf).value_or(99), 0u);
  EXPECT_EQ((*file)->ReadAt(1000, buf).value_or(99), 0u);
}

TEST_P(FileSystemTest, MissingFilesAreNotFound) {
  EXPECT_EQ(fs().NewReadableFile(P("nope")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs().Exists(P("nope")).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs().FileSize(P("nope")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs().ListDir(P("nope")).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs().RemoveFile(P("nope")).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs().RemoveDir(P("nope")).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs().Rename(P("nope"), P("other")).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs().Truncate(P("nope"), 0).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs().SyncDir(P("nope")).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs().SetPermissions(P("nope"), 0600).code(), StatusCode::kNotFound);
  EXPECT_EQ(fs().ReadFile(P("nope")).status().code(), StatusCode::kNotFound);
}

TEST_P(FileSystemTest, ExistsForFilesAndDirectories) {
  Write(P("f"), "");
  ASSERT_TRUE(fs().CreateDirs(P("d")).ok());
  EXPECT_TRUE(fs().Exists(P("f")).ok());
  EXPECT_TRUE(fs().Exists(P("d")).ok());
  EXPECT_TRUE(fs().Exists(root_).ok());
  EXPECT_EQ(Read(P("f")), "");
}

TEST_P(FileSystemTest, ListDirIsSortedAndMarksDirectories) {
  Write(P("b"), "1");
  Write(P("a"), "2");
  Write(P("C"), "3");
  ASSERT_TRUE(fs().CreateDirs(P("d/inner")).ok());
  Write(P("d/inner/x"), "4");
  Write(P("a-b"), "5");
  EXPECT_EQ(Names(root_), (std::vector<std::string>{"C", "a", "a-b", "b", "d/"}));
  EXPECT_EQ(Names(P("d")), (std::vector<std::string>{"inner/"}));
}

TEST_P(FileSystemTest, ListDirOfAFileFails) {
  Write(P("f"), "x");
  EXPECT_FALSE(fs().ListDir(P("f")).ok());
}

TEST_P(FileSystemTest, CreateDirsMakesParentsAndIsIdempotent) {
  ASSERT_TRUE(fs().CreateDirs(P("x/y/z")).ok());
  ASSERT_TRUE(fs().CreateDirs(P("x/y/z")).ok());
  ASSERT_TRUE(fs().CreateDirs(P("x/y/z/")).ok());
  Write(P("x/y/z/f"), "ok");
  EXPECT_EQ(Read(P("x/y/z/f")), "ok");
  Write(P("file"), "");
  Status s = fs().CreateDirs(P("file"));
  EXPECT_EQ(s.code(), StatusCode::kAlreadyExists) << s.ToString();
  EXPECT_FALSE(fs().CreateDirs(P("file/sub")).ok());
}

TEST_P(FileSystemTest, RemoveFileAndDir) {
  Write(P("f"), "x");
  ASSERT_TRUE(fs().RemoveFile(P("f")).ok());
  EXPECT_TRUE(fs().Exists(P("f")).IsNotFound());
  ASSERT_TRUE(fs().CreateDirs(P("d")).ok());
  EXPECT_FALSE(fs().RemoveFile(P("d")).ok());
  Write(P("d/f"), "x");
  EXPECT_FALSE(fs().RemoveDir(P("d")).ok());    // not empty
  EXPECT_FALSE(fs().RemoveDir(P("d/f")).ok());  // not a directory
  ASSERT_TRUE(fs().RemoveFile(P("d/f")).ok());
  ASSERT_TRUE(fs().RemoveDir(P("d")).ok());
  EXPECT_TRUE(fs().Exists(P("d")).IsNotFound());
}

TEST_P(FileSystemTest, RenameReplacesDestination) {
  Write(P("a"), "new");
  Write(P("b"), "old");
  ASSERT_TRUE(fs().Rename(P("a"), P("b")).ok());
  EXPECT_TRUE(fs().Exists(P("a")).IsNotFound());
  EXPECT_EQ(Read(P("b")), "new");
  ASSERT_TRUE(fs().Rename(P("b"), P("b")).ok());  // same name: no-op
  EXPECT_EQ(Read(P("b")), "new");
}

TEST_P(FileSystemTest, RenameAcrossDirectoriesAndOfDirectories) {
  ASSERT_TRUE(fs().CreateDirs(P("d1/sub")).ok());
  ASSERT_TRUE(fs().CreateDirs(P("d2")).ok());
  Write(P("d1/sub/f"), "deep");
  ASSERT_TRUE(fs().Rename(P("d1/sub/f"), P("d2/g")).ok());
  EXPECT_EQ(Read(P("d2/g")), "deep");
  ASSERT_TRUE(fs().Rename(P("d2"), P("d1/sub/d3")).ok());
  EXPECT_EQ(Read(P("d1/sub/d3/g")), "deep");
  EXPECT_TRUE(fs().Exists(P("d2")).IsNotFound());
  EXPECT_FALSE(fs().Rename(P("d1"), P("d1/sub/inside")).ok());  // into itself
  EXPECT_EQ(fs().Rename(P("d1/sub/d3/g"), P("missing/g")).code(), StatusCode::kNotFound);
  Write(P("file"), "x");
  EXPECT_FALSE(fs().Rename(P("file"), P("d1")).ok());  // a file cannot replace a directory
  EXPECT_FALSE(fs().Rename(P("d1"), P("file")).ok());  // nor a directory a file
}

TEST_P(FileSystemTest, TruncateShrinksAndExtendsWithZeros) {
  Write(P("f"), "abcdef");
  ASSERT_TRUE(fs().Truncate(P("f"), 2).ok());
  EXPECT_EQ(Read(P("f")), "ab");
  ASSERT_TRUE(fs().Truncate(P("f"), 4).ok());
  EXPECT_EQ(Read(P("f")), std::string("ab\0\0", 4));
}

TEST_P(FileSystemTest, SyncDirAndSetPermissions) {
  ASSERT_TRUE(fs().CreateDirs(P("d")).ok());
  EXPECT_TRUE(fs().SyncDir(P("d")).ok());
  EXPECT_TRUE(fs().SyncDir(root_).ok());
  Write(P("d/f"), "x");
  EXPECT_FALSE(fs().SyncDir(P("d/f")).ok());
  EXPECT_TRUE(fs().SetPermissions(P("d/f"), 0600).ok());
  EXPECT_EQ(Read(P("d/f")), "x");
}

TEST_P(FileSystemTest, ClosedFileRejectsCalls) {
  auto file = fs().NewWritableFile(P("f"), OpenMode::kTruncate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("abc").ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_FALSE((*file)->Append("x").ok());
  EXPECT_FALSE((*file)->Sync().ok());
  EXPECT_FALSE((*file)->Close().ok());
  EXPECT_EQ((*file)->Size(), 3u);
  EXPECT_EQ(Read(P("f")), "abc");
}

TEST_P(FileSystemTest, DestructorClosesAndFlushes) {
  {
    auto file = fs().NewWritableFile(P("f"), OpenMode::kTruncate);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append("unflushed").ok());
  }
  EXPECT_EQ(Read(P("f")), "unflushed");
}

TEST_P(FileSystemTest, OpenFilesFollowTheirInodeAcrossRenameAndRemove) {
  auto writer = fs().NewWritableFile(P("f"), OpenMode::kTruncate);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("one").ok());
  ASSERT_TRUE((*writer)->Sync().ok());
  ASSERT_TRUE(fs().Rename(P("f"), P("g")).ok());
  ASSERT_TRUE((*writer)->Append("two").ok());
  ASSERT_TRUE((*writer)->Close().ok());
  EXPECT_EQ(Read(P("g")), "onetwo");

  auto reader = fs().NewReadableFile(P("g"));
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(fs().RemoveFile(P("g")).ok());
  std::vector<std::uint8_t> buf(6);
  EXPECT_EQ((*reader)->ReadAt(0, buf).value_or(0), 6u);
}

TEST_P(FileSystemTest, PathsAreNormalised) {
  ASSERT_TRUE(fs().CreateDirs(P("d")).ok());
  Write(root_ + "//d/./f", "x");
  EXPECT_EQ(Read(P("d/f")), "x");
  EXPECT_EQ(Names(root_ + "/d/"), (std::vector<std::string>{"f"}));
}

TEST_P(FileSystemTest, ConcurrentWritersInDifferentFiles) {
  constexpr int kThreads = 4;
  constexpr int kFilesPerThread = 20;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([this, t] {
      const std::string dir = P("t" + std::to_string(t));
      EXPECT_TRUE(fs().CreateDirs(dir).ok());
      for (int i = 0; i < kFilesPerThread; ++i) {
        const std::string path = JoinPath(dir, "f" + std::to_string(i));
        auto file = fs().NewWritableFile(path, OpenMode::kExclusive);
        ASSERT_TRUE(file.ok());
        EXPECT_TRUE((*file)->Append(path).ok());
        EXPECT_TRUE((*file)->Close().ok());
        EXPECT_EQ(fs().ReadFile(path).value_or(""), path);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(Names(P("t" + std::to_string(t))).size(), static_cast<std::size_t>(kFilesPerThread));
  }
}

INSTANTIATE_TEST_SUITE_P(
    AllFileSystems, FileSystemTest,
    ::testing::Values(
        Impl{"Posix", [] { return std::unique_ptr<FsUnderTest>(new PosixUnderTest()); }},
        Impl{"Mem", [] { return std::unique_ptr<FsUnderTest>(new MemUnderTest()); }},
        Impl{"FaultOverMem",
             [] { return std::unique_ptr<FsUnderTest>(new FaultOver<MemUnderTest>()); }},
        Impl{"FaultOverPosix",
             [] { return std::unique_ptr<FsUnderTest>(new FaultOver<PosixUnderTest>()); }}),
    [](const ::testing::TestParamInfo<Impl>& info) { return info.param.name; });

}  // namespace
}  // namespace klio::env
