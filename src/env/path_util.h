// Lexical path helpers shared by the in-memory and fault-injecting file systems.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace klio::env {

// Returns `path` cleaned lexically: repeated '/' collapsed, "." components and trailing '/'
// dropped, "name/.." pairs folded (".." at the root of an absolute path is dropped). Empty
// becomes ".". Symlinks are not consulted, so this is only for naming, never for security.
std::string CleanPath(std::string_view path);

// True when `path` is `prefix` itself or lies below it (both already cleaned).
bool PathIsUnder(std::string_view path, std::string_view prefix);

}  // namespace klio::env
