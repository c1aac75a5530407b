// Field: one typed key/value pair attached to a log line, e.g. {"bytes", n}.
//
// A Field is a *view*: it does not own its key, its string value or its Status. It is meant to
// be built inside the logging call, where the temporaries it points to live until the end of
// the full expression:
//   logger.Info("wal segment archived", {{"cluster_name", name}, {"bytes", n}});
// Do not store a Field that points to a temporary. A bare Status converts to a field named
// "error" whose value is "<code>: <message>".
//
// Thread-safety: a plain value type.
// Design: docs/design/logging.md §3 (line schema, field types).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace klio::log {

namespace internal {
// Integers other than bool and char (which have their own overloads).
template <typename T>
concept SignedInteger = std::signed_integral<T> && !std::same_as<T, char>;
template <typename T>
concept UnsignedInteger =
    std::unsigned_integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>;
}  // namespace internal

// The key used for a bare Status field.
inline constexpr std::string_view kErrorKey = "error";

class Field {
 public:
  enum class Type : std::uint8_t { kString, kInt, kUint, kDouble, kBool, kStatus };

  Field(std::string_view key, std::string_view value)
      : key_(key), type_(Type::kString), str_{value.data(), value.size()} {}
  Field(std::string_view key, const std::string& value) : Field(key, std::string_view(value)) {}
  // A null pointer is logged as an empty string.
  Field(std::string_view key, const char* value)
      : Field(key, value != nullptr ? std::string_view(value) : std::string_view()) {}
  Field(std::string_view key, bool value) : key_(key), type_(Type::kBool) { b_ = value; }
  // A char is ambiguous (a letter or a small number?): convert it explicitly.
  Field(std::string_view key, char value) = delete;
  template <internal::SignedInteger T>
  Field(std::string_view key, T value) : key_(key), type_(Type::kInt) {
    i_ = static_cast<std::int64_t>(value);
  }
  template <internal::UnsignedInteger T>
  Field(std::string_view key, T value) : key_(key), type_(Type::kUint) {
    u_ = static_cast<std::uint64_t>(value);
  }
  template <std::floating_point T>
  Field(std::string_view key, T value) : key_(key), type_(Type::kDouble) {
    d_ = static_cast<double>(value);
  }
  // An OK status is logged as "ok".
  Field(std::string_view key, const Status& status) : key_(key), type_(Type::kStatus) {
    status_ = &status;
  }
  Field(const Status& status) : Field(kErrorKey, status) {}  // NOLINT(google-explicit-constructor)

  std::string_view key() const { return key_; }
  Type type() const { return type_; }

  // Each accessor is valid only for its type (anything else returns a zero value).
  std::string_view string_value() const {
    return type_ == Type::kString ? std::string_view(str_.data, str_.size) : std::string_view();
  }
  std::int64_t int_value() const { return type_ == Type::kInt ? i_ : 0; }
  std::uint64_t uint_value() const { return type_ == Type::kUint ? u_ : 0; }
  double double_value() const { return type_ == Type::kDouble ? d_ : 0.0; }
  bool bool_value() const { return type_ == Type::kBool && b_; }
  const Status* status_value() const { return type_ == Type::kStatus ? status_ : nullptr; }

  // A copy with a different key.
  Field WithKey(std::string_view key) const {
    Field f = *this;
    f.key_ = key;
    return f;
  }

 private:
  struct StringRef {
    const char* data;
    std::size_t size;
  };

  std::string_view key_;
  Type type_;
  union {
    StringRef str_;
    std::int64_t i_;
    std::uint64_t u_;
    double d_;
    bool b_;
    const Status* status_;
  };
};

// Renders a Status the way the `error` field shows it: "ok" or "<code>: <message>".
std::string StatusFieldText(const Status& status);

// A field that owns its key and value (used by ScopedContext, which outlives the call that
// built it). Status values are stored as their rendered text.
class OwnedField {
 public:
  explicit OwnedField(const Field& field);

  // A view of this field; valid while this OwnedField lives and is not modified.
  Field view() const;
  const std::string& key() const { return key_; }
  // Replaces the value with a string (used to store a redacted value).
  void SetString(std::string value);

 private:
  std::string key_;
  Field::Type type_;
  std::string str_;  // kString
  union {
    std::int64_t i_;
    std::uint64_t u_;
    double d_;
    bool b_;
  };
};

}  // namespace klio::log
