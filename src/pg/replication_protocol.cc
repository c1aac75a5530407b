#include "pg/replication_protocol.h"

#include <string>

namespace klio::pg {
namespace {

using std::chrono::microseconds;

constexpr int64_t kEpochOffsetMicros = int64_t{946684800} * 1000000;

std::string TagName(uint8_t tag) {
  if (tag >= 0x21 && tag <= 0x7E) return std::string("'") + static_cast<char>(tag) + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("0x") + kHex[tag >> 4] + kHex[tag & 0xF];
}

// Reads the tag and checks it; the reader's context names the message.
Status ExpectTag(ByteReader& in, uint8_t want, std::string_view what) {
  auto tag = in.ReadU8();
  if (!tag.ok()) return tag.status();
  if (*tag != want) {
    return Status::Corruption(std::string(what) + ": tag " + TagName(*tag) + ", expected " +
                              TagName(want));
  }
  return Status::Ok();
}

Result<bool> ReadBool(ByteReader& in, std::string_view what) {
  KLIO_ASSIGN_OR_RETURN(uint8_t b, in.ReadU8());
  if (b > 1) {
    return Status::Corruption(std::string(what) + ": replyRequested byte is " + std::to_string(b) +
                              ", expected 0 or 1");
  }
  return b == 1;
}

}  // namespace

int64_t ToPostgresTimestamp(std::chrono::system_clock::time_point t) {
  // A system_clock count in µs is far from int64's limits, so the subtraction cannot wrap.
  return std::chrono::duration_cast<microseconds>(t.time_since_epoch()).count() -
         kEpochOffsetMicros;
}

std::chrono::system_clock::time_point FromPostgresTimestamp(int64_t micros) {
  using Tp = std::chrono::system_clock::time_point;
  constexpr int64_t kMaxMicros =
      std::chrono::duration_cast<microseconds>(Tp::max().time_since_epoch()).count();
  constexpr int64_t kMinMicros =
      std::chrono::duration_cast<microseconds>(Tp::min().time_since_epoch()).count();
  int64_t unix_micros;
  if (micros > kMaxMicros - kEpochOffsetMicros) {
    unix_micros = kMaxMicros;
  } else if (micros < kMinMicros - kEpochOffsetMicros) {
    unix_micros = kMinMicros;
  } else {
    unix_micros = micros + kEpochOffsetMicros;
  }
  return Tp(std::chrono::duration_cast<Tp::duration>(microseconds(unix_micros)));
}

Result<ServerMessage> ParseServerMessage(ByteView message) {
  if (message.empty()) return Status::Corruption("replication message: empty CopyData");
  switch (message[0]) {
    case kXLogDataTag: {
      KLIO_ASSIGN_OR_RETURN(XLogData data, ParseXLogData(message));
      return ServerMessage(data);
    }
    case kKeepaliveTag: {
      KLIO_ASSIGN_OR_RETURN(PrimaryKeepalive k, ParseKeepalive(message));
      return ServerMessage(k);
    }
    default:
      return Status::Corruption("replication message: unknown tag " + TagName(message[0]) +
                                " in a " + std::to_string(message.size()) +
                                "-byte CopyData (expected 'w' or 'k')");
  }
}

Result<XLogData> ParseXLogData(ByteView message) {
  ByteReader in(message, "XLogData message");
  KLIO_RETURN_IF_ERROR(ExpectTag(in, kXLogDataTag, "XLogData message"));
  XLogData out;
  KLIO_ASSIGN_OR_RETURN(uint64_t start, in.ReadBE64());
  KLIO_ASSIGN_OR_RETURN(uint64_t end, in.ReadBE64());
  KLIO_ASSIGN_OR_RETURN(out.send_time, in.ReadBEI64());
  out.data_start = Lsn(start);
  out.wal_end = Lsn(end);
  out.payload = in.ReadRest();
  if (out.payload.size() > UINT64_MAX - start) {
    return Status::Corruption("XLogData message: " + std::to_string(out.payload.size()) +
                              " bytes at " + out.data_start.ToString() +
                              " run past the largest LSN");
  }
  return out;
}

Result<PrimaryKeepalive> ParseKeepalive(ByteView message) {
  ByteReader in(message, "keepalive message");
  KLIO_RETURN_IF_ERROR(ExpectTag(in, kKeepaliveTag, "keepalive message"));
  PrimaryKeepalive out;
  KLIO_ASSIGN_OR_RETURN(uint64_t end, in.ReadBE64());
  KLIO_ASSIGN_OR_RETURN(out.send_time, in.ReadBEI64());
  KLIO_ASSIGN_OR_RETURN(out.reply_requested, ReadBool(in, "keepalive message"));
  KLIO_RETURN_IF_ERROR(in.ExpectEnd());
  out.wal_end = Lsn(end);
  return out;
}

Bytes BuildStandbyStatusUpdate(const StandbyStatusUpdate& update) {
  Bytes out;
  out.reserve(kStandbyStatusSize);
  out.push_back(kStandbyStatusTag);
  PutBE64(&out, update.write.value());
  PutBE64(&out, update.flush.value());
  PutBE64(&out, update.apply.value());
  PutBE64(&out, static_cast<uint64_t>(update.client_time));
  out.push_back(update.reply_requested ? 1 : 0);
  return out;
}

Result<StandbyStatusUpdate> ParseStandbyStatusUpdate(ByteView message) {
  ByteReader in(message, "standby status update");
  KLIO_RETURN_IF_ERROR(ExpectTag(in, kStandbyStatusTag, "standby status update"));
  StandbyStatusUpdate out;
  KLIO_ASSIGN_OR_RETURN(uint64_t write, in.ReadBE64());
  KLIO_ASSIGN_OR_RETURN(uint64_t flush, in.ReadBE64());
  KLIO_ASSIGN_OR_RETURN(uint64_t apply, in.ReadBE64());
  KLIO_ASSIGN_OR_RETURN(out.client_time, in.ReadBEI64());
  KLIO_ASSIGN_OR_RETURN(out.reply_requested, ReadBool(in, "standby status update"));
  KLIO_RETURN_IF_ERROR(in.ExpectEnd());
  out.write = Lsn(write);
  out.flush = Lsn(flush);
  out.apply = Lsn(apply);
  return out;
}

Bytes BuildXLogData(Lsn data_start, Lsn wal_end, int64_t send_time, ByteView payload) {
  Bytes out;
  out.reserve(kXLogDataHeaderSize + payload.size());
  out.push_back(kXLogDataTag);
  PutBE64(&out, data_start.value());
  PutBE64(&out, wal_end.value());
  PutBE64(&out, static_cast<uint64_t>(send_time));
  PutBytes(&out, payload);
  return out;
}

Bytes BuildKeepalive(const PrimaryKeepalive& keepalive) {
  Bytes out;
  out.reserve(kKeepaliveSize);
  out.push_back(kKeepaliveTag);
  PutBE64(&out, keepalive.wal_end.value());
  PutBE64(&out, static_cast<uint64_t>(keepalive.send_time));
  out.push_back(keepalive.reply_requested ? 1 : 0);
  return out;
}

}  // namespace klio::pg
