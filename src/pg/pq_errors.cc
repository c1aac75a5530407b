#include "pg/pq_errors.h"

namespace klio::pg {

StatusCode StatusCodeForSqlState(std::string_view sqlstate) {
  if (sqlstate.empty()) return StatusCode::kUnavailable;
  const std::string_view cls = sqlstate.substr(0, 2);
  // connection_exception, admin/crash shutdown, cannot_connect_now, too_many_connections, and
  // object_in_use ("replication slot is active for PID n": the walsender of a connection we
  // lost has not noticed yet).
  if (cls == "08" || sqlstate == "57P01" || sqlstate == "57P02" || sqlstate == "57P03" ||
      sqlstate == "53300" || sqlstate == "55006") {
    return StatusCode::kUnavailable;
  }
  if (cls == "53") return StatusCode::kResourceExhausted;
  if (cls == "28" || sqlstate == "42501") return StatusCode::kPermissionDenied;
  if (sqlstate == "42704") return StatusCode::kNotFound;
  if (sqlstate == "42710") return StatusCode::kAlreadyExists;
  if (sqlstate == "42601" || sqlstate == "42602" || sqlstate == "22023") {
    return StatusCode::kInvalidArgument;
  }
  return StatusCode::kFailedPrecondition;
}

}  // namespace klio::pg
