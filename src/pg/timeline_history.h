// Timeline history files (TTTTTTTT.history): which timelines a timeline descends from and
// where each ancestor was switched away from. PostgreSQL writes one per timeline > 1; klio
// reads them (TIMELINE_HISTORY) to follow a failover and stores them beside the WAL.
//
// Format (one line per ancestor, oldest first; blank lines and lines starting with '#' are
// ignored, leading whitespace is skipped):
//   <parent timeline, decimal> TAB <switch point LSN, "X/Y"> TAB <free-text reason> NEWLINE
// e.g. the file of timeline 3:
//   1	0/3000000	no recovery target specified
//   2	0/5000000	before 2024-01-01 00:00:00+00
// says timeline 1 holds WAL up to 0/3000000, timeline 2 from there up to 0/5000000, and
// timeline 3 from 0/5000000 on. docs/design/pg-replication.md §4.
//
// Thread-safety: pure functions and value types.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "base/lsn.h"
#include "base/result.h"
#include "base/timeline.h"

namespace klio::pg {

// One ancestor: `timeline` holds the WAL before `end`, where its child begins.
struct TimelineHistoryEntry {
  TimelineId timeline;
  Lsn end;

  friend bool operator==(const TimelineHistoryEntry&, const TimelineHistoryEntry&) = default;
};

// Parses the history file of timeline `tip`. Returns the ancestors oldest first (empty for a
// file without entries). Corruption naming the line for a malformed line, a timeline that is
// 0, not increasing, or not below `tip`, or a switch point lower than the previous one.
Result<std::vector<TimelineHistoryEntry>> ParseTimelineHistory(std::string_view content,
                                                               TimelineId tip);

// Where `timeline` ends in the history of `tip`: its switch point, Lsn::kMax for `tip`
// itself, nullopt when `timeline` is not in the history.
std::optional<Lsn> TimelineEnd(const std::vector<TimelineHistoryEntry>& history, TimelineId tip,
                               TimelineId timeline);

// The timeline that follows `timeline` in the history of `tip` (the child it switched to),
// nullopt for `tip` itself or a timeline not in the history.
std::optional<TimelineId> NextTimeline(const std::vector<TimelineHistoryEntry>& history,
                                       TimelineId tip, TimelineId timeline);

}  // namespace klio::pg
