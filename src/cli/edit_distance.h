// Edit distance between short strings, for "did you mean ...?" hints on unknown keys and
// commands.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace klio::cli {

// The optimal-string-alignment distance between `a` and `b`: insertions, deletions,
// substitutions and transpositions of two adjacent characters each cost 1. ASCII letters
// are compared case-insensitively.
std::size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is close enough to be a plausible typo (at most
// max(2, word.size() / 4) edits); ties go to the earliest candidate. Empty when none is.
std::string ClosestMatch(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace klio::cli
