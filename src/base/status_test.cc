#include "base/status.h"

#include <cerrno>
#include <memory>

#include <gtest/gtest.h>

#include "base/result.h"

namespace klio {
namespace {

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
  EXPECT_EQ(s.ExitCode(), kExitOk);
}

TEST(StatusTest, CodesNamesAndExitCodes) {
  EXPECT_EQ(Status::NotFound("x").ExitCode(), kExitNotFound);
  EXPECT_EQ(Status::InvalidArgument("x").ExitCode(), kExitUsage);
  EXPECT_EQ(Status::Corruption("x").ExitCode(), kExitCorruption);
  EXPECT_EQ(Status::Unavailable("x").ExitCode(), kExitUnavailable);
  EXPECT_EQ(Status::IoError("x").ExitCode(), kExitError);
  EXPECT_EQ(Status::Corruption("segment 1: checksum mismatch").ToString(),
            "corruption: segment 1: checksum mismatch");
  EXPECT_TRUE(Status::Unavailable("").IsRetryable());
  EXPECT_FALSE(Status::Corruption("").IsRetryable());
  EXPECT_FALSE(Status::InvalidArgument("").IsRetryable());
}

TEST(StatusTest, OkCodeDropsMessage) {
  Status s(StatusCode::kOk, "ignored");
  EXPECT_TRUE(s.ok());
  EXPECT_TRUE(s.message().empty());
}

TEST(StatusTest, WithContextPrefixes) {
  EXPECT_EQ(Status::IoError("disk full").WithContext("write a").message(), "write a: disk full");
  EXPECT_TRUE(Status::Ok().WithContext("x").ok());
}

TEST(StatusTest, FromErrnoMapsCodes) {
  EXPECT_EQ(Status::FromErrno(ENOENT, "open /x").code(), StatusCode::kNotFound);
  EXPECT_EQ(Status::FromErrno(ENOENT, "open /x").message(), "open /x: No such file or directory");
  EXPECT_EQ(Status::FromErrno(EACCES, "a").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(Status::FromErrno(ENOSPC, "a").code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(Status::FromErrno(EIO, "a").code(), StatusCode::kIoError);
}

Result<int> Half(int x) {
  if (x % 2) return Status::InvalidArgument("odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  KLIO_ASSIGN_OR_RETURN(int h, Half(x));
  KLIO_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  KLIO_RETURN_IF_ERROR(Half(x).status());
  return Status::Ok();
}

TEST(ResultTest, ValueAndError) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_FALSE(Quarter(6).ok());
  EXPECT_EQ(Quarter(6).status().message(), "odd");
  EXPECT_EQ(Quarter(6).value_or(-1), -1);
  EXPECT_TRUE(CheckEven(2).ok());
  EXPECT_FALSE(CheckEven(3).ok());
}

TEST(ResultTest, OkStatusBecomesInternal) {
  Result<int> r(Status::Ok());
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

TEST(ResultTest, MoveOnlyValues) {
  Result<std::unique_ptr<int>> r(std::make_unique<int>(7));
  ASSERT_TRUE(r.ok());
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(ResultDeathTest, ValueOnErrorAborts) {
  Result<int> r(Status::NotFound("x"));
  EXPECT_DEATH((void)r.value(), "");
}

}  // namespace
}  // namespace klio
