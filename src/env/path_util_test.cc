#include "env/path_util.h"

#include <gtest/gtest.h>

#include "env/file_system.h"

namespace klio::env {
namespace {

TEST(PathTest, ParentDir) {
  EXPECT_EQ(ParentDir("a/b/c"), "a/b");
  EXPECT_EQ(ParentDir("c"), ".");
  EXPECT_EQ(ParentDir("/c"), "/");
  EXPECT_EQ(ParentDir("/"), "/");
  EXPECT_EQ(ParentDir("a/b/"), "a");
  EXPECT_EQ(ParentDir("/a//b"), "/a");
  EXPECT_EQ(ParentDir(""), ".");
}

TEST(PathTest, BaseName) {
  EXPECT_EQ(BaseName("a/b/c"), "c");
  EXPECT_EQ(BaseName("c"), "c");
  EXPECT_EQ(BaseName("a/b/"), "b");
  EXPECT_EQ(BaseName("/"), "/");
  EXPECT_EQ(BaseName(""), "");
}

TEST(PathTest, JoinPath) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("a", "/b"), "a/b");  // never escapes `a`
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("a", ""), "a");
  EXPECT_EQ(JoinPath(ParentDir("x/y"), BaseName("x/y")), "x/y");
}

TEST(PathTest, CleanPath) {
  EXPECT_EQ(CleanPath("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(CleanPath("a/../b"), "b");
  EXPECT_EQ(CleanPath("/../a"), "/a");
  EXPECT_EQ(CleanPath("../a"), "../a");
  EXPECT_EQ(CleanPath("a/.."), ".");
  EXPECT_EQ(CleanPath(""), ".");
  EXPECT_EQ(CleanPath("///"), "/");
}

TEST(PathTest, PathIsUnder) {
  EXPECT_TRUE(PathIsUnder("/a/b", "/a"));
  EXPECT_TRUE(PathIsUnder("/a", "/a"));
  EXPECT_FALSE(PathIsUnder("/ab", "/a"));
  EXPECT_TRUE(PathIsUnder("/x", "/"));
  EXPECT_TRUE(PathIsUnder("x/y", "."));
  EXPECT_FALSE(PathIsUnder("../x", "."));
  EXPECT_FALSE(PathIsUnder("/x", "."));
}

}  // namespace
}  // namespace klio::env
