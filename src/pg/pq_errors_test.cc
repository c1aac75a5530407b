#include "pg/pq_errors.h"

#include <gtest/gtest.h>

namespace klio::pg {
namespace {

TEST(PqErrorsTest, MapsSqlStatesToCodes) {
  struct Case {
    const char* sqlstate;
    StatusCode code;
  };
  for (const Case& c : {
           Case{"", StatusCode::kUnavailable},             // libpq's own: connection trouble
           Case{"08006", StatusCode::kUnavailable},        // connection_failure
           Case{"57P01", StatusCode::kUnavailable},        // admin_shutdown
           Case{"57P03", StatusCode::kUnavailable},        // cannot_connect_now (starting up)
           Case{"53300", StatusCode::kUnavailable},        // too_many_connections
           Case{"55006", StatusCode::kUnavailable},        // slot active for another PID
           Case{"53400", StatusCode::kResourceExhausted},  // all replication slots in use
           Case{"28P01", StatusCode::kPermissionDenied},   // invalid_password
           Case{"42501", StatusCode::kPermissionDenied},
           Case{"42704", StatusCode::kNotFound},       // slot does not exist
           Case{"42710", StatusCode::kAlreadyExists},  // slot already exists
           Case{"42601", StatusCode::kInvalidArgument},
           Case{"58P01", StatusCode::kFailedPrecondition},  // WAL segment already removed
           Case{"XX000", StatusCode::kFailedPrecondition},  // start point ahead / not in history
       }) {
    EXPECT_EQ(StatusCodeForSqlState(c.sqlstate), c.code) << c.sqlstate;
  }
}

}  // namespace
}  // namespace klio::pg
