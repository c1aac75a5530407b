// The messages PostgreSQL's physical streaming replication exchanges inside COPY BOTH: a pure
// codec, no I/O and no libpq.
//
// Server → client (each is the payload of one CopyData message):
//   'w' XLogData           dataStart(8) walEnd(8) sendTime(8) WAL bytes...
//   'k' primary keepalive  walEnd(8) sendTime(8) replyRequested(1)
// Client → server:
//   'r' standby status     write(8) flush(8) apply(8) clientTime(8) replyRequested(1)
// All integers are big-endian; times are signed microseconds since 2000-01-01 00:00:00 UTC
// (PostgreSQL's TimestampTz). Hot-standby feedback ('h') is not used by klio.
// docs/design/pg-replication.md §2 describes the layouts with a worked example.
//
// Decoders accept only exactly the documented layout: a short or over-long message, an
// unknown tag, a replyRequested byte other than 0/1 or a payload that would run past the
// largest LSN are Status::Corruption naming the message and the reason. They never read
// outside the given bytes (fuzzed in replication_protocol_test.cc).
//
// Thread-safety: pure functions and value types.
#pragma once

#include <chrono>
#include <cstdint>
#include <variant>

#include "base/bytes.h"
#include "base/lsn.h"
#include "base/result.h"

namespace klio::pg {

// Message tags (the first byte of each CopyData payload).
inline constexpr uint8_t kXLogDataTag = 'w';
inline constexpr uint8_t kKeepaliveTag = 'k';
inline constexpr uint8_t kStandbyStatusTag = 'r';

// Header sizes, tag included.
inline constexpr size_t kXLogDataHeaderSize = 1 + 8 + 8 + 8;
inline constexpr size_t kKeepaliveSize = 1 + 8 + 8 + 1;
inline constexpr size_t kStandbyStatusSize = 1 + 8 + 8 + 8 + 8 + 1;

// Seconds from the Unix epoch to PostgreSQL's epoch (2000-01-01T00:00:00Z).
inline constexpr std::chrono::seconds kPostgresEpochOffset{946684800};

// Microseconds since 2000-01-01 for `t` (negative before it). Truncates toward zero.
int64_t ToPostgresTimestamp(std::chrono::system_clock::time_point t);
// The inverse of ToPostgresTimestamp. Values beyond what a system_clock::time_point holds
// (about ±292 years around 1970) are clamped to its range rather than overflowing.
std::chrono::system_clock::time_point FromPostgresTimestamp(int64_t micros);

// 'w': a run of WAL bytes. `payload` views the decoded message: valid while its bytes are.
struct XLogData {
  Lsn data_start;         // LSN of payload[0]
  Lsn wal_end;            // the server's end of WAL when it sent this (informational)
  int64_t send_time = 0;  // server clock, µs since 2000-01-01
  ByteView payload;

  // The LSN just past the payload (data_start + payload.size()).
  Lsn data_end() const { return data_start + payload.size(); }
};

// 'k': the server is alive; when reply_requested it wants a standby status update now
// (otherwise wal_sender_timeout eventually ends the connection).
struct PrimaryKeepalive {
  Lsn wal_end;
  int64_t send_time = 0;
  bool reply_requested = false;

  friend bool operator==(const PrimaryKeepalive&, const PrimaryKeepalive&) = default;
};

// 'r': what the client reports. PostgreSQL moves a physical slot's restart_lsn to `flush`
// even backwards, so callers must never report a lower flush than before
// (docs/design/pg-replication.md §3).
struct StandbyStatusUpdate {
  Lsn write;
  Lsn flush;
  Lsn apply;
  int64_t client_time = 0;  // µs since 2000-01-01
  bool reply_requested = false;

  friend bool operator==(const StandbyStatusUpdate&, const StandbyStatusUpdate&) = default;
};

// One decoded server → client message.
using ServerMessage = std::variant<XLogData, PrimaryKeepalive>;

// Decodes a whole CopyData payload sent by the server ('w' or 'k'). Corruption for an empty
// message, an unknown tag, or a malformed body (see ParseXLogData / ParseKeepalive).
Result<ServerMessage> ParseServerMessage(ByteView message);

// Decodes an XLogData message, tag included. Corruption when it is shorter than the header,
// the tag is not 'w', or data_start + payload length passes the largest LSN. The payload
// may be empty.
Result<XLogData> ParseXLogData(ByteView message);

// Decodes a primary keepalive, tag included. Corruption unless it is exactly
// kKeepaliveSize bytes with tag 'k' and a replyRequested byte of 0 or 1.
Result<PrimaryKeepalive> ParseKeepalive(ByteView message);

// Encodes a standby status update (kStandbyStatusSize bytes, tag included).
Bytes BuildStandbyStatusUpdate(const StandbyStatusUpdate& update);

// Decodes a standby status update (for fakes of the server side and tests). Same rules as
// ParseKeepalive.
Result<StandbyStatusUpdate> ParseStandbyStatusUpdate(ByteView message);

// Encoders for the server's messages, used by fakes and tests.
Bytes BuildXLogData(Lsn data_start, Lsn wal_end, int64_t send_time, ByteView payload);
Bytes BuildKeepalive(const PrimaryKeepalive& keepalive);

}  // namespace klio::pg
