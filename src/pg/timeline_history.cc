#include "pg/timeline_history.h"

#include <string>

#include "base/escape.h"

namespace klio::pg {

Result<std::vector<TimelineHistoryEntry>> ParseTimelineHistory(std::string_view content,
                                                               TimelineId tip) {
  std::vector<TimelineHistoryEntry> out;
  const std::string file = "history file of timeline " + tip.ToString();
  if (!tip.valid()) return Status::Corruption(file + ": timeline 0 has no history");
  size_t line_no = 0;
  while (!content.empty()) {
    ++line_no;
    const size_t nl = content.find('\n');
    std::string_view line = content.substr(0, nl);
    content = nl == std::string_view::npos ? std::string_view() : content.substr(nl + 1);
    const size_t first = line.find_first_not_of(" \t\r\f\v");
    if (first == std::string_view::npos || line[first] == '#') continue;
    line = line.substr(first);
    auto bad = [&](std::string_view why) {
      return Status::Corruption(file + ", line " + std::to_string(line_no) + " " +
                                EscapeForMessage(line) + ": " + std::string(why));
    };
    const size_t tab1 = line.find('\t');
    if (tab1 == std::string_view::npos) return bad("expected <timeline> TAB <switch point>");
    const size_t tab2 = line.find('\t', tab1 + 1);
    auto tli = TimelineId::ParseDecimal(line.substr(0, tab1));
    if (!tli.ok()) return bad("bad timeline");
    const std::string_view lsn_text = line.substr(
        tab1 + 1, tab2 == std::string_view::npos ? std::string_view::npos : tab2 - tab1 - 1);
    auto lsn = Lsn::Parse(lsn_text);
    if (!lsn.ok()) return bad("bad switch point");
    if (!out.empty() && *tli <= out.back().timeline) return bad("timelines must increase");
    if (*tli >= tip) return bad("an ancestor must be below timeline " + tip.ToString());
    if (!out.empty() && *lsn < out.back().end) return bad("switch points must not decrease");
    out.push_back({*tli, *lsn});
  }
  return out;
}

std::optional<Lsn> TimelineEnd(const std::vector<TimelineHistoryEntry>& history, TimelineId tip,
                               TimelineId timeline) {
  if (timeline == tip) return Lsn::kMax;
  for (const auto& e : history) {
    if (e.timeline == timeline) return e.end;
  }
  return std::nullopt;
}

std::optional<TimelineId> NextTimeline(const std::vector<TimelineHistoryEntry>& history,
                                       TimelineId tip, TimelineId timeline) {
  for (size_t i = 0; i < history.size(); ++i) {
    if (history[i].timeline == timeline) {
      return i + 1 < history.size() ? history[i + 1].timeline : tip;
    }
  }
  return std::nullopt;
}

}  // namespace klio::pg
