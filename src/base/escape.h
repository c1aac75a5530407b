// Quoting untrusted text for error messages and logs.
//
// Names and strings that arrive from the network or from users may hold control characters,
// NUL bytes, escape sequences or megabytes of junk. EscapeForMessage turns any byte string into
// a short, printable, unambiguous quoted form so that an error message can name the input
// without letting it forge log lines or flood them.
//
// Thread-safety: pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace klio {

// The longest input prefix EscapeForMessage shows before it truncates.
inline constexpr size_t kEscapeMaxShownBytes = 64;

// Returns `text` in double quotes with printable ASCII kept as is, `"` and `\` backslashed,
// and every other byte as \xNN (uppercase hex). Input longer than kEscapeMaxShownBytes is cut
// and marked after the closing quote: "<first 64 bytes>"... (1000 bytes). Never fails.
std::string EscapeForMessage(std::string_view text);

}  // namespace klio
