#include "telemetry/sdk/attribute_set.h"

#include <algorithm>
#include <bit>
#include <functional>
#include <string_view>
#include <type_traits>
#include <variant>

namespace klio::telemetry::sdk {
namespace {

// A cheap 64-bit mixer (multiply, then fold the high half down); the inputs are already hashes
// or small integers, so one round spreads them well enough for an open-addressing table.
inline std::uint64_t Mix(std::uint64_t h, std::uint64_t v) noexcept {
  h = (h ^ v) * 0x9E3779B97F4A7C15ULL;
  return h ^ (h >> 32);
}

inline std::uint64_t HashString(std::string_view s) noexcept {
  return std::hash<std::string_view>{}(s);
}

std::uint64_t HashValue(const AttributeValue& value) {
  return std::visit(
      [](const auto& v) -> std::uint64_t {
        using V = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<V, bool>) {
          return v ? 0x51ULL : 0x50ULL;
        } else if constexpr (std::is_same_v<V, std::int64_t>) {
          return static_cast<std::uint64_t>(v);
        } else if constexpr (std::is_same_v<V, double>) {
          if (v != v) return 0x7FF8ULL;                           // every NaN alike
          return std::bit_cast<std::uint64_t>(v == 0 ? 0.0 : v);  // -0.0 == 0.0
        } else if constexpr (std::is_same_v<V, std::string>) {
          return HashString(v);
        } else {
          std::uint64_t h = v.size();
          for (const auto& e : v) {
            using E = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<E, std::string>) {
              h = Mix(h, HashString(e));
            } else if constexpr (std::is_same_v<E, double>) {
              h = Mix(h, std::bit_cast<std::uint64_t>(e == 0 ? 0.0 : e));
            } else {
              h = Mix(h, static_cast<std::uint64_t>(e));
            }
          }
          return h;
        }
      },
      value);
}

// Like ==, except that a double equals itself even when NaN (a NaN attribute must still find
// its series again).
bool SameValue(const AttributeValue& a, const AttributeValue& b) {
  if (a.index() != b.index()) return false;
  if (const double* x = std::get_if<double>(&a)) {
    const double y = std::get<double>(b);
    return *x == y || (*x != *x && y != y);
  }
  return a == b;
}

}  // namespace

std::uint64_t HashAttributes(std::span<const KeyValue> attributes) {
  std::uint64_t h = 0x6A09E667F3BCC908ULL ^ attributes.size();
  for (const KeyValue& kv : attributes) {
    h = Mix(h, HashString(kv.key));
    h = Mix(h, HashValue(kv.value) + kv.value.index());
  }
  return h;
}

bool SameAttributes(std::span<const KeyValue> a, std::span<const KeyValue> b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || !SameValue(a[i].value, b[i].value)) return false;
  }
  return true;
}

Attributes NormalizeAttributes(std::span<const KeyValue> attributes) {
  Attributes out;
  out.reserve(attributes.size());
  for (const KeyValue& kv : attributes) {
    if (!kv.key.empty()) out.push_back(kv);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const KeyValue& a, const KeyValue& b) { return a.key < b.key; });
  // Keep the last of each run of equal keys (the stable sort kept the given order).
  std::size_t w = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    if (i + 1 < out.size() && out[i + 1].key == out[i].key) continue;
    if (w != i) out[w] = std::move(out[i]);
    ++w;
  }
  out.erase(out.begin() + static_cast<std::ptrdiff_t>(w), out.end());
  return out;
}

}  // namespace klio::telemetry::sdk
