// Result<T>: either a value of T or a non-OK Status (the shape of std::expected<T, Status>).
//
// Thread-safety: a value type; no shared state.
#pragma once

#include <cassert>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

#include "base/status.h"

namespace klio {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_same_v<std::remove_cvref_t<T>, Status>, "Result<Status> is meaningless");

 public:
  // A non-OK status. Constructing from an OK status is a programming error and becomes
  // an Internal error, so a Result never claims success without a value.
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("result constructed from ok status");
  }
  Result(const T& value) : v_(value) {}        // NOLINT(google-explicit-constructor)
  Result(T&& value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  template <typename U,
            typename = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                        !std::is_same_v<std::remove_cvref_t<U>, Status> &&
                                        !std::is_same_v<std::remove_cvref_t<U>, T> &&
                                        !std::is_same_v<std::remove_cvref_t<U>, Result>>>
  Result(U&& value) : v_(T(std::forward<U>(value))) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  // The status: OK when a value is held.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // Accessors to the value; calling them on an error aborts (a programming error).
  T& value() & { return Checked(); }
  const T& value() const& { return const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(Checked()); }
  T& operator*() & { return Checked(); }
  const T& operator*() const& { return const_cast<Result*>(this)->Checked(); }
  T&& operator*() && { return std::move(Checked()); }
  T* operator->() { return &Checked(); }
  const T* operator->() const { return &const_cast<Result*>(this)->Checked(); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(v_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  T& Checked() {
    if (!ok()) std::abort();
    return std::get<0>(v_);
  }
  std::variant<T, Status> v_;
};

}  // namespace klio

#define KLIO_CONCAT_INNER_(a, b) a##b
#define KLIO_CONCAT_(a, b) KLIO_CONCAT_INNER_(a, b)

// KLIO_ASSIGN_OR_RETURN(auto x, F()); — declares/assigns the value or returns the status.
#define KLIO_ASSIGN_OR_RETURN(lhs, expr) \
  KLIO_ASSIGN_OR_RETURN_IMPL_(KLIO_CONCAT_(klio_result_tmp_, __LINE__), lhs, expr)
#define KLIO_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()
