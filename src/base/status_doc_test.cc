// Keeps docs/design/errors.md and status.h in agreement: every code's name, retry rule and exit
// code in the document's tables must match what Status does.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "base/status.h"

namespace klio {
namespace {

std::string ReadErrorsDoc() {
  const char* env = std::getenv("KLIO_SOURCE_DIR");
  const std::string root = env != nullptr ? env : KLIO_TEST_SOURCE_DIR;
  std::ifstream in(root + "/docs/design/errors.md");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The cells of a markdown table row ("| a | b |" -> {"a", "b"}), trimmed; empty for other lines.
std::vector<std::string> Cells(const std::string& line) {
  std::vector<std::string> cells;
  if (line.size() < 2 || line.front() != '|') return cells;
  std::string cell;
  for (size_t i = 1; i < line.size(); ++i) {
    if (line[i] != '|') {
      cell += line[i];
      continue;
    }
    const size_t b = cell.find_first_not_of(' ');
    const size_t e = cell.find_last_not_of(' ');
    cells.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
    cell.clear();
  }
  return cells;
}

std::string Unquote(const std::string& s) {
  return s.size() >= 2 && s.front() == '`' && s.back() == '`' ? s.substr(1, s.size() - 2) : s;
}

TEST(StatusDocTest, CodeTableMatchesStatus) {
  const std::string doc = ReadErrorsDoc();
  ASSERT_FALSE(doc.empty()) << "docs/design/errors.md not found";
  std::map<std::string, StatusCode> by_name;
  for (int c = 0; c <= static_cast<int>(StatusCode::kInternal); ++c) {
    const auto code = static_cast<StatusCode>(c);
    by_name[std::string(StatusCodeName(code))] = code;
  }
  std::map<std::string, int> seen;
  std::istringstream lines(doc);
  for (std::string line; std::getline(lines, line);) {
    const std::vector<std::string> cells = Cells(line);
    if (cells.size() != 5) continue;  // the code table has 5 columns
    const std::string name = Unquote(cells[1]);
    const auto it = by_name.find(name);
    if (it == by_name.end()) continue;  // header, separator
    SCOPED_TRACE(line);
    ++seen[name];
    const Status s(it->second, "x");
    EXPECT_EQ(std::to_string(s.ExitCode()), cells[4]);
    if (it->second == StatusCode::kOk) continue;
    const bool doc_retryable = cells[3].rfind("**yes**", 0) == 0;
    EXPECT_TRUE(doc_retryable || cells[3] == "no");
    EXPECT_EQ(s.IsRetryable(), doc_retryable);
  }
  for (const auto& [name, code] : by_name) EXPECT_EQ(seen[name], 1) << name;
}

TEST(StatusDocTest, ExitCodeTableMatchesConstants) {
  const std::map<std::string, int> constants = {
      {"kExitOk", kExitOk},
      {"kExitError", kExitError},
      {"kExitUsage", kExitUsage},
      {"kExitNotFound", kExitNotFound},
      {"kExitCorruption", kExitCorruption},
      {"kExitUnavailable", kExitUnavailable},
  };
  std::map<std::string, int> seen;
  std::istringstream lines(ReadErrorsDoc());
  for (std::string line; std::getline(lines, line);) {
    const std::vector<std::string> cells = Cells(line);
    if (cells.size() != 3) continue;
    const auto it = constants.find(Unquote(cells[1]));
    if (it == constants.end()) continue;
    ++seen[it->first];
    EXPECT_EQ(cells[0], std::to_string(it->second)) << line;
  }
  for (const auto& [name, value] : constants) EXPECT_EQ(seen[name], 1) << name;
}

}  // namespace
}  // namespace klio
