// Segment files: appending WAL to one Tier 1 archive file and reading it back, in the at-rest
// format of docs/design/wal-archive.md §2-§4 (framing, compression, encryption: see
// segment_format.h). All I/O goes through env::FileSystem.
//
// SegmentWriter appends WAL bytes into frames of at most 1 MiB and acknowledges them only
// through Sync(), which returns the durable logical size. Opening an existing file for append
// scans every frame and repairs a torn tail (design doc §4); a bad frame followed by more data
// is Corruption and is never repaired. SegmentReader checks the key before anything else, then
// verifies each frame before returning its bytes.
//
// Thread-safety: a SegmentWriter or SegmentReader is used by one thread at a time. One file has
// at most one writer (the archive enforces this, archive.h); readers may run while it appends
// and see a prefix of the frames (set ReaderOptions::allow_incomplete_tail for that).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "base/bytes.h"
#include "base/result.h"
#include "base/status.h"
#include "env/file_system.h"
#include "wal/segment_format.h"

namespace klio::wal {

// What OpenForAppend cut off an existing file (nothing of it was ever acknowledged).
struct TailRepair {
  std::uint64_t size_before = 0;  // file bytes before the repair
  std::uint64_t size_after = 0;   // file bytes kept
  std::uint64_t first_frame = 0;  // index of the first frame dropped
  std::string reason;             // "frame 7 at offset 123: truncated", "torn header", ...
};

class SegmentWriter {
 public:
  // Creates `path` (AlreadyExists when it exists) with permissions 0600, writes a fresh header
  // for a file of `segment_size` logical bytes (0: no limit, for history/backup files) bound to
  // `file_id` (FileIdentity), fsyncs the file and its directory. Blocking. On error the file
  // may remain (empty or with a partial header); OpenForAppend and the archive's Recover()
  // treat that as a torn header.
  static Result<std::unique_ptr<SegmentWriter>> Create(env::FileSystem& fs, std::string path,
                                                       std::string_view file_id,
                                                       std::uint32_t segment_size,
                                                       const CodecOptions& options);

  // Opens an existing file to append to it. Checks the header (wrong key: FailedPrecondition,
  // see FrameCodec::ForExistingFile; a header for another segment size: Corruption), verifies
  // every frame, and when the file ends in a torn tail — an incomplete last frame, a last frame
  // that fails its check with only zero bytes after it, or zero bytes where a frame should
  // start — truncates the tail and describes it in `*repair` (left nullopt when nothing was
  // cut). A file too short to hold a header, or all zero, is a torn header: it is emptied and
  // given a fresh header. A bad frame followed by other data is Corruption naming the file and
  // the frame, and nothing is changed. Finally fsyncs the file, so logical_size() ==
  // durable_size() on return. Blocking: reads and decrypts the whole file.
  static Result<std::unique_ptr<SegmentWriter>> OpenForAppend(
      env::FileSystem& fs, std::string path, std::string_view file_id, std::uint32_t segment_size,
      const CodecOptions& options, std::optional<TailRepair>* repair = nullptr);

  // Closes the file without syncing when Close() was not called.
  ~SegmentWriter();
  SegmentWriter(const SegmentWriter&) = delete;
  SegmentWriter& operator=(const SegmentWriter&) = delete;

  // Buffers `data`; each full frame is compressed, sealed and handed to the file (written, not
  // fsynced). InvalidArgument when the data would pass segment_size() (nothing is appended).
  // After any I/O error the writer is unusable: this and every later call except Close()
  // return FailedPrecondition carrying the first error; reopen with OpenForAppend.
  Status Append(ByteView data);

  // Seals the buffered bytes into a frame, writes it and fsyncs the file (fdatasync). Returns
  // the durable logical size: every byte below it survives a crash. Blocking.
  Result<std::uint64_t> Sync();

  // Sync() and close the file; later calls fail. Repeating it returns OK only when the
  // first Close() succeeded. Blocking.
  Status Close();

  // Logical bytes appended so far, buffered ones included.
  std::uint64_t logical_size() const { return written_ + buffer_.size(); }
  // Logical bytes made durable by the last successful Sync() (or found at open).
  std::uint64_t durable_size() const { return durable_; }
  // The logical size of the complete file (0: no limit).
  std::uint32_t segment_size() const { return codec_->segment_size(); }
  // True when the segment holds all segment_size() bytes.
  bool full() const { return segment_size() != 0 && logical_size() == segment_size(); }
  const std::string& path() const { return path_; }

 private:
  SegmentWriter(std::string path, std::unique_ptr<FrameCodec> codec);
  Status Init(std::unique_ptr<env::WritableFile> file, std::uint64_t frames, std::uint64_t logical);
  // Seals `raw` as the next frame and writes it to the file.
  Status EmitFrame(ByteView raw);
  Status Fail(Status status);
  Status CheckUsable() const;

  std::string path_;
  std::unique_ptr<FrameCodec> codec_;
  std::unique_ptr<env::WritableFile> file_;
  std::size_t max_frame_bytes_ = kMaxFrameRawBytes;
  std::array<std::uint8_t, kFrameNonceSize> nonce_{};  // random 8 bytes ‖ frame index u32
  std::uint64_t next_frame_ = 0;
  std::uint64_t written_ = 0;  // logical bytes in frames handed to the file
  std::uint64_t durable_ = 0;
  Bytes buffer_;  // logical bytes not yet in a frame
  Bytes out_;     // encoded frames on their way to the file
  Status failed_;
  bool closed_ = false;
};

struct ReaderOptions {
  // Treat a last frame cut short by the end of the file as the end (a .partial being written
  // concurrently, or not yet recovered). Default false: Corruption.
  bool allow_incomplete_tail = false;
  // Require exactly segment_size() logical bytes at the end (a complete segment); a file cut at
  // a frame boundary is Corruption. Default false.
  bool require_complete = false;
  // When set, a header with another segment size is Corruption. Default: not checked.
  std::optional<std::uint32_t> expected_segment_size;
};

class SegmentReader {
 public:
  // Opens `path` and checks its header and key (errors as FrameCodec::ForExistingFile; also
  // Corruption when the file is shorter than a header). Reads only the header. The file's size
  // is taken now: bytes appended later are not read.
  static Result<std::unique_ptr<SegmentReader>> Open(
      env::FileSystem& fs, const std::string& path, std::string_view file_id,
      const std::optional<crypto::EncryptionKey>& key, const ReaderOptions& options = {});

  // Appends the WAL bytes of the next frame to `out` and returns true, or returns false at the
  // end. Any failed check is Corruption "<path>: frame <n> at offset <o>: <reason>" and no byte
  // of that frame is appended; the reader then keeps returning that error. Blocking (reads).
  Result<bool> ReadChunk(Bytes* out);

  // Everything from the current position to the end (errors as ReadChunk; on error nothing is
  // returned).
  Result<Bytes> ReadAll();

  std::uint32_t segment_size() const { return codec_->segment_size(); }
  // Logical bytes returned so far.
  std::uint64_t position() const { return logical_; }
  const std::string& path() const { return path_; }

 private:
  SegmentReader() = default;
  Status FrameError(std::string_view reason);

  std::string path_;
  ReaderOptions options_;
  std::unique_ptr<env::ReadableFile> file_;
  std::unique_ptr<FrameCodec> codec_;
  std::uint64_t file_size_ = 0;
  std::uint64_t offset_ = kFileHeaderSize;
  std::uint64_t frame_ = 0;
  std::uint64_t logical_ = 0;
  Bytes frame_buf_;
  Status failed_;
  bool done_ = false;
};

// Encodes a whole small file (history, backup) in memory: a header with segment size 0 and the
// data in frames. The caller writes it atomically. Internal on library failure.
Result<Bytes> EncodeWholeFile(std::string_view file_id, ByteView data, const CodecOptions& options);

}  // namespace klio::wal
