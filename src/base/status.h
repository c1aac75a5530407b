// Status: the outcome of an operation — OK, or an error code plus a message.
//
// Thread-safety: a Status is an immutable value; copies are independent.
// The codes are a small closed set. Each says whether retrying can help and which exit code
// the CLI uses for it (docs/design/errors.md). Retry decisions look at the code, never the
// message. Messages are lowercase, name the object and the reason, and never hold a secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace klio {

enum class StatusCode : std::uint8_t {
  kOk = 0,
  kNotFound,
  kAlreadyExists,
  kInvalidArgument,
  kFailedPrecondition,
  kCorruption,
  kIoError,
  kUnavailable,  // retryable, as are kDeadlineExceeded and kResourceExhausted (IsRetryable)
  kDeadlineExceeded,
  kCancelled,
  kPermissionDenied,
  kResourceExhausted,
  kUnimplemented,
  kInternal,
};

// Returns the stable lowercase name of `code` ("not_found", "corruption", ...).
std::string_view StatusCodeName(StatusCode code);

// Process exit codes shared by every command (documented in docs/design/errors.md).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;       // any failure without a more specific code
inline constexpr int kExitUsage = 2;       // bad flag, bad config key or value
inline constexpr int kExitNotFound = 3;    // the object asked for does not exist
inline constexpr int kExitCorruption = 4;  // data failed an integrity check
inline constexpr int kExitUnavailable = 5; // a peer could not be reached in time

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {
    if (code_ == StatusCode::kOk) message_.clear();
  }

  static Status Ok() { return Status(); }
  static Status NotFound(std::string msg) { return {StatusCode::kNotFound, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) {
    return {StatusCode::kAlreadyExists, std::move(msg)};
  }
  static Status InvalidArgument(std::string msg) {
    return {StatusCode::kInvalidArgument, std::move(msg)};
  }
  static Status FailedPrecondition(std::string msg) {
    return {StatusCode::kFailedPrecondition, std::move(msg)};
  }
  static Status Corruption(std::string msg) { return {StatusCode::kCorruption, std::move(msg)}; }
  static Status IoError(std::string msg) { return {StatusCode::kIoError, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {StatusCode::kUnavailable, std::move(msg)}; }
  static Status DeadlineExceeded(std::string msg) {
    return {StatusCode::kDeadlineExceeded, std::move(msg)};
  }
  static Status Cancelled(std::string msg) { return {StatusCode::kCancelled, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) {
    return {StatusCode::kPermissionDenied, std::move(msg)};
  }
  static Status ResourceExhausted(std::string msg) {
    return {StatusCode::kResourceExhausted, std::move(msg)};
  }
  static Status Unimplemented(std::string msg) {
    return {StatusCode::kUnimplemented, std::move(msg)};
  }
  static Status Internal(std::string msg) { return {StatusCode::kInternal, std::move(msg)}; }

  // An IoError (or NotFound/PermissionDenied/AlreadyExists for the matching errno) whose
  // message is "<context>: <strerror(err)>".
  static Status FromErrno(int err, std::string_view context);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsNotFound() const { return code_ == StatusCode::kNotFound; }
  bool IsCorruption() const { return code_ == StatusCode::kCorruption; }
  // True when the same call may succeed later (Unavailable, DeadlineExceeded, ResourceExhausted).
  bool IsRetryable() const;
  // The process exit code a command returns when it fails with this status.
  int ExitCode() const;

  // "ok" or "<code name>: <message>".
  std::string ToString() const;

  // The same status with "<context>: " prefixed to the message (OK stays OK).
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace klio

// Returns early from the enclosing function when `expr` (a Status) is not OK.
#define KLIO_RETURN_IF_ERROR(expr)                  \
  do {                                              \
    ::klio::Status klio_status_tmp_ = (expr);       \
    if (!klio_status_tmp_.ok()) return klio_status_tmp_; \
  } while (0)
