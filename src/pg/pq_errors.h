// How PostgreSQL's errors become klio Status codes (docs/design/pg-replication.md §6).
//
// Retry decisions look at the code, so the mapping decides what send-wal retries: connection
// trouble, a server shutting down, and a slot still held by a previous connection are
// Unavailable (retryable); refusals that need a person (WAL already removed, start point not
// in the server's history) are FailedPrecondition with the server's text.
//
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "base/status.h"

namespace klio::pg {

// The code for an ErrorResponse with `sqlstate` (five characters; empty when libpq produced
// the error itself, which is treated like a lost connection: Unavailable).
//   08xxx, 57P01-57P03, 53300, 55006  → Unavailable
//   53xxx (other)                     → ResourceExhausted
//   28xxx, 42501                      → PermissionDenied
//   42704                             → NotFound
//   42710                             → AlreadyExists
//   42601, 42602, 22023               → InvalidArgument
//   anything else                     → FailedPrecondition
StatusCode StatusCodeForSqlState(std::string_view sqlstate);

}  // namespace klio::pg
