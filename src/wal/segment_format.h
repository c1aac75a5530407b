// The byte-level at-rest format of a Tier 1 archive file (docs/design/wal-archive.md §2-§3):
// the 64-byte file header and the sealed frames, without any I/O. SegmentWriter and
// SegmentReader (segment_file.h) do the I/O; this codec turns bytes into frames and back.
//
//   header  magic "KLIOWAL\x01" | version u16 | flags u16 | segment_size u32 | key_id (8)
//           | salt (32) | reserved u32 (0) | check u32 (first 4 bytes of SHA-256 of bytes 0..59)
//   frame   stored_len u32 | raw_len u32 (bit 31: zstd) | logical_offset u64 | nonce (12)
//           | payload (stored_len) | tag (16)
// Integers are big-endian. The AAD of frame n is header ‖ u16 len ‖ file identity ‖ the 28-byte
// frame header ‖ n as u64; encrypted files seal the payload with AES-256-GCM under a per-file
// key, unencrypted ones use the first 16 bytes of SHA-256(AAD ‖ payload) as the tag.
//
// Thread-safety: a FrameCodec holds cipher and compression contexts and is used by one thread
// at a time.
#pragma once

#include <zstd.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/status.h"
#include "crypto/aead.h"
#include "crypto/kdf.h"

namespace klio::wal {

inline constexpr std::size_t kFileHeaderSize = 64;
inline constexpr std::size_t kFrameHeaderSize = 28;
inline constexpr std::size_t kFrameTagSize = 16;
inline constexpr std::size_t kFrameOverhead = kFrameHeaderSize + kFrameTagSize;
inline constexpr std::size_t kFrameNonceSize = 12;
// The most WAL bytes one frame holds; readers reject larger frames.
inline constexpr std::size_t kMaxFrameRawBytes = std::size_t{1} << 20;
inline constexpr std::uint16_t kFormatVersion = 1;
inline constexpr std::uint16_t kFlagCompression = 1u << 0;
inline constexpr std::uint16_t kFlagEncrypted = 1u << 1;
inline constexpr std::uint32_t kCompressedBit = 1u << 31;

// How new files are written.
struct CodecOptions {
  // The archive key; nullopt writes unencrypted files (integrity tags only). Default nullopt.
  std::optional<crypto::EncryptionKey> key;
  // Compress frames with zstd when that makes them smaller. Default true.
  bool compress = true;
  // zstd level. Default 1 (fast; WAL compresses well already at 1).
  int zstd_level = 1;
  // Writers only: the most WAL bytes per frame, 1..kMaxFrameRawBytes. Default 1 MiB; tests
  // use small frames to get many of them.
  std::size_t max_frame_bytes = kMaxFrameRawBytes;
};

// A decoded frame header.
struct FrameHeader {
  std::uint32_t stored_len = 0;
  std::uint32_t raw_len = 0;  // without the compression bit
  bool compressed = false;
  std::uint64_t logical_offset = 0;
  std::array<std::uint8_t, kFrameNonceSize> nonce{};

  // Decodes kFrameHeaderSize bytes at `p`. Never fails; see FrameCodec::CheckPlausible.
  static FrameHeader Decode(const std::uint8_t* p);
  std::size_t frame_size() const { return kFrameOverhead + stored_len; }
};

class FrameCodec {
 public:
  // A codec for a new file: a fresh header with a random salt, bound to `file_id`.
  // `segment_size` is the logical size of the complete file (0 for history/backup files).
  // Internal when randomness or key derivation fails.
  static Result<std::unique_ptr<FrameCodec>> ForNewFile(std::string_view file_id,
                                                        std::uint32_t segment_size,
                                                        const CodecOptions& options);

  // A codec for an existing file whose first kFileHeaderSize bytes are `header`, checked in
  // this order (`what` names the file in messages):
  //   Corruption: bad magic, bad header check, unknown version or flags;
  //   FailedPrecondition "wrong encryption key: <what> was encrypted with key <id>, the
  //   configured key is <id>" — no decryption is attempted; also when the file is encrypted
  //   and no key is configured, or not encrypted although a key is configured (an
  //   unauthenticated file cannot be trusted once encryption is on).
  static Result<std::unique_ptr<FrameCodec>> ForExistingFile(
      ByteView header, std::string_view file_id, const std::optional<crypto::EncryptionKey>& key,
      std::string_view what);

  ~FrameCodec();
  FrameCodec(const FrameCodec&) = delete;
  FrameCodec& operator=(const FrameCodec&) = delete;

  ByteView header_bytes() const { return header_; }
  std::uint32_t segment_size() const { return segment_size_; }
  bool encrypted() const { return gcm_ != nullptr; }
  // The key id in the header (all zero for unencrypted files).
  ByteView key_id() const { return ByteView(header_).subspan(16, 8); }

  // Appends frame `index` holding `raw` (1..kMaxFrameRawBytes bytes) at `logical_offset` to
  // `out`, compressed when that helps, sealed with `nonce`. Internal on library failure.
  Status EncodeFrame(std::uint64_t index, std::uint64_t logical_offset, ByteView raw,
                     ByteView nonce, Bytes* out);

  // Empty when `h` is a frame that may follow `expected_offset` bytes of data, else the reason
  // ("stored length 0", "logical offset 5 where 9 was expected", ...).
  std::string CheckPlausible(const FrameHeader& h, std::uint64_t expected_offset) const;

  // Verifies frame `index`: `frame` holds its header, payload and tag (frame_size() bytes).
  // On success the payload is decrypted in place. Corruption "authentication failed" (for
  // unencrypted files "integrity check failed") otherwise, with the payload zeroed.
  Status OpenFrame(std::uint64_t index, std::span<std::uint8_t> frame);

  // Appends the WAL bytes of an opened frame (see OpenFrame) to `out`, decompressing if
  // needed. Corruption when the payload does not decompress to exactly raw_len bytes.
  Status AppendFrameData(const FrameHeader& h, ByteView payload, Bytes* out);

 private:
  FrameCodec() = default;
  Status Init(std::string_view file_id, const std::optional<crypto::EncryptionKey>& key);
  // Fills aad_ for frame `index` with the given frame header bytes.
  void BuildAad(std::uint64_t index, const std::uint8_t* frame_header);
  std::array<std::uint8_t, kFrameTagSize> IntegrityTag(ByteView payload);

  std::array<std::uint8_t, kFileHeaderSize> header_{};
  std::uint32_t segment_size_ = 0;
  bool compress_ = false;
  int zstd_level_ = 1;
  Bytes aad_;  // header ‖ id length ‖ id, then the per-frame suffix
  std::size_t aad_prefix_ = 0;
  std::unique_ptr<crypto::Aes256Gcm> gcm_;  // null for unencrypted files
  ZSTD_CCtx* cctx_ = nullptr;
  ZSTD_DCtx* dctx_ = nullptr;
  Bytes scratch_;                // compression output
  crypto::Sha256Hasher hasher_;  // integrity tags of unencrypted files
};

}  // namespace klio::wal
