#include "wal/segment_file.h"

#include <algorithm>
#include <cstring>

namespace klio::wal {
namespace {

constexpr std::size_t kZeroCheckChunk = std::size_t{64} * 1024;

// Reads exactly out.size() bytes at `offset`; Corruption-free: a short file is the caller's
// concern, so a premature end is reported as IoError (the caller sized the read from Size()).
Status ReadFully(env::ReadableFile& file, std::uint64_t offset, std::span<std::uint8_t> out,
                 const std::string& path) {
  std::size_t done = 0;
  while (done < out.size()) {
    KLIO_ASSIGN_OR_RETURN(std::size_t n, file.ReadAt(offset + done, out.subspan(done)));
    if (n == 0) {
      return Status::IoError(path + ": file shrank while reading at offset " +
                             std::to_string(offset + done));
    }
    done += n;
  }
  return Status::Ok();
}

// True when every byte in [from, to) is zero.
Result<bool> AllZero(env::ReadableFile& file, std::uint64_t from, std::uint64_t to,
                     const std::string& path) {
  Bytes buf;
  for (std::uint64_t pos = from; pos < to;) {
    buf.resize(static_cast<std::size_t>(std::min<std::uint64_t>(kZeroCheckChunk, to - pos)));
    KLIO_RETURN_IF_ERROR(ReadFully(file, pos, buf, path));
    if (std::any_of(buf.begin(), buf.end(), [](std::uint8_t b) { return b != 0; })) return false;
    pos += buf.size();
  }
  return true;
}

enum class FrameState { kEnd, kFrame, kIncomplete, kBad };

struct FrameOutcome {
  FrameState state = FrameState::kEnd;
  bool header_plausible = false;  // kBad: whether the frame's extent is known
  FrameHeader header;
  std::string reason;
};

// Reads and verifies the frame at `offset` (the `index`-th, after `expected_offset` logical
// bytes) into `buf`. Errors are I/O errors only; a bad frame is an outcome.
Result<FrameOutcome> ReadFrame(env::ReadableFile& file, FrameCodec& codec, std::uint64_t file_size,
                               std::uint64_t offset, std::uint64_t index,
                               std::uint64_t expected_offset, Bytes* buf, const std::string& path) {
  FrameOutcome out;
  if (offset == file_size) return out;
  if (file_size - offset < kFrameHeaderSize) {
    out.state = FrameState::kIncomplete;
    out.reason = "truncated frame header (" + std::to_string(file_size - offset) + " bytes)";
    return out;
  }
  buf->resize(kFrameHeaderSize);
  KLIO_RETURN_IF_ERROR(ReadFully(file, offset, *buf, path));
  out.header = FrameHeader::Decode(buf->data());
  out.reason = codec.CheckPlausible(out.header, expected_offset);
  if (!out.reason.empty()) {
    out.state = FrameState::kBad;
    return out;
  }
  out.header_plausible = true;
  const std::uint64_t size = out.header.frame_size();
  if (size > file_size - offset) {
    out.state = FrameState::kIncomplete;
    out.reason = "truncated: frame of " + std::to_string(size) + " bytes, file ends after " +
                 std::to_string(file_size - offset);
    return out;
  }
  buf->resize(size);
  KLIO_RETURN_IF_ERROR(
      ReadFully(file, offset + kFrameHeaderSize, std::span(*buf).subspan(kFrameHeaderSize), path));
  Status st = codec.OpenFrame(index, *buf);
  if (!st.ok()) {
    if (!st.IsCorruption()) return st;
    out.state = FrameState::kBad;
    out.reason = st.message();
    return out;
  }
  out.state = FrameState::kFrame;
  return out;
}

std::string FrameWhere(std::uint64_t index, std::uint64_t offset) {
  return "frame " + std::to_string(index) + " at offset " + std::to_string(offset);
}

struct ScanResult {
  std::uint64_t frames = 0;
  std::uint64_t logical = 0;
  std::uint64_t valid_end = kFileHeaderSize;
  std::optional<TailRepair> repair;
};

// Verifies every frame of an open file and classifies what follows the last good one
// (design doc §4): nothing, a torn tail (reported in `repair`), or Corruption.
Result<ScanResult> ScanFrames(env::ReadableFile& file, FrameCodec& codec, std::uint64_t size,
                              const std::string& path) {
  ScanResult scan;
  scan.valid_end = kFileHeaderSize;
  Bytes buf;
  while (true) {
    KLIO_ASSIGN_OR_RETURN(FrameOutcome f, ReadFrame(file, codec, size, scan.valid_end, scan.frames,
                                                    scan.logical, &buf, path));
    if (f.state == FrameState::kEnd) return scan;
    if (f.state == FrameState::kFrame) {
      scan.valid_end += f.header.frame_size();
      scan.logical += f.header.raw_len;
      ++scan.frames;
      continue;
    }
    const std::string where = FrameWhere(scan.frames, scan.valid_end) + ": " + f.reason;
    bool torn = f.state == FrameState::kIncomplete;
    if (!torn) {
      // A bad frame is torn only if nothing but zeros follows: after its known extent when its
      // header is plausible, else from its start (a file extended with zeros by a crash).
      const std::uint64_t from =
          f.header_plausible ? scan.valid_end + f.header.frame_size() : scan.valid_end;
      KLIO_ASSIGN_OR_RETURN(torn, AllZero(file, from, size, path));
    }
    if (!torn) {
      return Status::Corruption(path + ": " + where + ", and " +
                                std::to_string(size - scan.valid_end) +
                                " bytes follow it; not repairing a bad frame that is not the "
                                "tail");
    }
    scan.repair = TailRepair{size, scan.valid_end, scan.frames, where};
    return scan;
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// SegmentWriter

SegmentWriter::SegmentWriter(std::string path, std::unique_ptr<FrameCodec> codec)
    : path_(std::move(path)), codec_(std::move(codec)) {}

SegmentWriter::~SegmentWriter() {
  if (file_ != nullptr && !closed_) (void)file_->Close();
}

Status SegmentWriter::Init(std::unique_ptr<env::WritableFile> file, std::uint64_t frames,
                           std::uint64_t logical) {
  file_ = std::move(file);
  next_frame_ = frames;
  written_ = logical;
  durable_ = logical;
  // A fresh random nonce prefix per writer session: after a torn tail is cut and a frame index
  // reused, the new frame still gets a nonce never used with this file key.
  KLIO_RETURN_IF_ERROR(crypto::SecureRandomBytes(std::span(nonce_.data(), 8)));
  buffer_.reserve(max_frame_bytes_);
  return Status::Ok();
}

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::Create(env::FileSystem& fs, std::string path,
                                                             std::string_view file_id,
                                                             std::uint32_t segment_size,
                                                             const CodecOptions& options) {
  if (options.max_frame_bytes == 0 || options.max_frame_bytes > kMaxFrameRawBytes) {
    return Status::InvalidArgument("max_frame_bytes must be 1.." +
                                   std::to_string(kMaxFrameRawBytes));
  }
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<FrameCodec> codec,
                        FrameCodec::ForNewFile(file_id, segment_size, options));
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<env::WritableFile> file,
                        fs.NewWritableFile(path, env::OpenMode::kExclusive));
  std::unique_ptr<SegmentWriter> w(new SegmentWriter(std::move(path), std::move(codec)));
  w->max_frame_bytes_ = options.max_frame_bytes;
  KLIO_RETURN_IF_ERROR(w->Init(std::move(file), 0, 0));
  KLIO_RETURN_IF_ERROR(w->Fail(fs.SetPermissions(w->path_, 0600)));
  KLIO_RETURN_IF_ERROR(w->Fail(w->file_->Append(w->codec_->header_bytes())));
  KLIO_RETURN_IF_ERROR(w->Fail(w->file_->Sync()));
  KLIO_RETURN_IF_ERROR(w->Fail(fs.SyncDir(env::ParentDir(w->path_))));
  return w;
}

Result<std::unique_ptr<SegmentWriter>> SegmentWriter::OpenForAppend(
    env::FileSystem& fs, std::string path, std::string_view file_id, std::uint32_t segment_size,
    const CodecOptions& options, std::optional<TailRepair>* repair) {
  if (repair != nullptr) repair->reset();
  if (options.max_frame_bytes == 0 || options.max_frame_bytes > kMaxFrameRawBytes) {
    return Status::InvalidArgument("max_frame_bytes must be 1.." +
                                   std::to_string(kMaxFrameRawBytes));
  }
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<env::ReadableFile> in, fs.NewReadableFile(path));
  KLIO_ASSIGN_OR_RETURN(std::uint64_t size, in->Size());

  Bytes header(kFileHeaderSize);
  bool torn_header = size < kFileHeaderSize;
  if (!torn_header) {
    KLIO_RETURN_IF_ERROR(ReadFully(*in, 0, header, path));
    KLIO_ASSIGN_OR_RETURN(torn_header, AllZero(*in, 0, size, path));
  }
  if (torn_header) {
    // Create() syncs the header before anyone can append, so a file without one never held
    // acknowledged data: start it over.
    in.reset();
    KLIO_ASSIGN_OR_RETURN(std::unique_ptr<FrameCodec> codec,
                          FrameCodec::ForNewFile(file_id, segment_size, options));
    KLIO_ASSIGN_OR_RETURN(std::unique_ptr<env::WritableFile> file,
                          fs.NewWritableFile(path, env::OpenMode::kTruncate));
    std::unique_ptr<SegmentWriter> w(new SegmentWriter(std::move(path), std::move(codec)));
    w->max_frame_bytes_ = options.max_frame_bytes;
    KLIO_RETURN_IF_ERROR(w->Init(std::move(file), 0, 0));
    KLIO_RETURN_IF_ERROR(w->Fail(w->file_->Append(w->codec_->header_bytes())));
    KLIO_RETURN_IF_ERROR(w->Fail(w->file_->Sync()));
    if (repair != nullptr) *repair = TailRepair{size, kFileHeaderSize, 0, "torn header"};
    return w;
  }

  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<FrameCodec> codec,
                        FrameCodec::ForExistingFile(header, file_id, options.key, path));
  if (codec->segment_size() != segment_size) {
    return Status::Corruption(path + ": header says segment size " +
                              std::to_string(codec->segment_size()) + ", expected " +
                              std::to_string(segment_size));
  }
  KLIO_ASSIGN_OR_RETURN(ScanResult scan, ScanFrames(*in, *codec, size, path));
  in.reset();
  if (scan.repair.has_value()) {
    KLIO_RETURN_IF_ERROR(fs.Truncate(path, scan.valid_end));
  }
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<env::WritableFile> file,
                        fs.NewWritableFile(path, env::OpenMode::kAppend));
  std::unique_ptr<SegmentWriter> w(new SegmentWriter(std::move(path), std::move(codec)));
  w->max_frame_bytes_ = options.max_frame_bytes;
  KLIO_RETURN_IF_ERROR(w->Init(std::move(file), scan.frames, scan.logical));
  // The bytes found may have been written but never fsynced (a previous process that exited
  // without Sync): make them durable before reporting them as such, and the truncation too.
  KLIO_RETURN_IF_ERROR(w->Fail(w->file_->Sync()));
  if (repair != nullptr) *repair = std::move(scan.repair);
  return w;
}

Status SegmentWriter::Fail(Status status) {
  if (!status.ok() && failed_.ok()) failed_ = status;
  return status;
}

Status SegmentWriter::CheckUsable() const {
  if (!failed_.ok()) {
    return Status::FailedPrecondition(
        path_ + ": writer unusable after an earlier error: " + failed_.ToString());
  }
  if (closed_) return Status::FailedPrecondition(path_ + ": writer is closed");
  return Status::Ok();
}

Status SegmentWriter::EmitFrame(ByteView raw) {
  if (next_frame_ > UINT32_MAX) {
    return Fail(Status::ResourceExhausted(path_ + ": too many frames in one file"));
  }
  const auto index = static_cast<std::uint32_t>(next_frame_);
  nonce_[8] = static_cast<std::uint8_t>(index >> 24);
  nonce_[9] = static_cast<std::uint8_t>(index >> 16);
  nonce_[10] = static_cast<std::uint8_t>(index >> 8);
  nonce_[11] = static_cast<std::uint8_t>(index);
  out_.clear();
  KLIO_RETURN_IF_ERROR(Fail(codec_->EncodeFrame(next_frame_, written_, raw, nonce_, &out_)));
  KLIO_RETURN_IF_ERROR(Fail(file_->Append(out_)));
  ++next_frame_;
  written_ += raw.size();
  return Status::Ok();
}

Status SegmentWriter::Append(ByteView data) {
  KLIO_RETURN_IF_ERROR(CheckUsable());
  if (segment_size() != 0 && data.size() > segment_size() - logical_size()) {
    return Status::InvalidArgument(path_ + ": appending " + std::to_string(data.size()) +
                                   " bytes at logical offset " + std::to_string(logical_size()) +
                                   " passes the segment size " + std::to_string(segment_size()));
  }
  while (!data.empty()) {
    if (buffer_.empty() && data.size() >= max_frame_bytes_) {
      // Whole frames straight from the caller's bytes, without a copy into the buffer.
      KLIO_RETURN_IF_ERROR(EmitFrame(data.first(max_frame_bytes_)));
      data = data.subspan(max_frame_bytes_);
      continue;
    }
    const std::size_t n = std::min(data.size(), max_frame_bytes_ - buffer_.size());
    buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<std::ptrdiff_t>(n));
    data = data.subspan(n);
    if (buffer_.size() == max_frame_bytes_) {
      KLIO_RETURN_IF_ERROR(EmitFrame(buffer_));
      buffer_.clear();
    }
  }
  return Status::Ok();
}

Result<std::uint64_t> SegmentWriter::Sync() {
  KLIO_RETURN_IF_ERROR(CheckUsable());
  if (!buffer_.empty()) {
    KLIO_RETURN_IF_ERROR(EmitFrame(buffer_));
    buffer_.clear();
  }
  KLIO_RETURN_IF_ERROR(Fail(file_->Sync()));
  durable_ = written_;
  return durable_;
}

Status SegmentWriter::Close() {
  // A writer whose last sync failed must never look cleanly closed (CompleteSegment would
  // then rename unsynced data into place).
  if (closed_) return failed_.ok() ? Status::Ok() : CheckUsable();
  Status st = failed_.ok() ? Sync().status() : CheckUsable();
  closed_ = true;
  Status close = file_->Close();
  if (st.ok() && !close.ok()) st = Fail(close);
  return st;
}

// ---------------------------------------------------------------------------------------------
// SegmentReader

Result<std::unique_ptr<SegmentReader>> SegmentReader::Open(
    env::FileSystem& fs, const std::string& path, std::string_view file_id,
    const std::optional<crypto::EncryptionKey>& key, const ReaderOptions& options) {
  std::unique_ptr<SegmentReader> r(new SegmentReader());
  r->path_ = path;
  r->options_ = options;
  KLIO_ASSIGN_OR_RETURN(r->file_, fs.NewReadableFile(path));
  KLIO_ASSIGN_OR_RETURN(r->file_size_, r->file_->Size());
  if (r->file_size_ < kFileHeaderSize) {
    return Status::Corruption(path + ": file of " + std::to_string(r->file_size_) +
                              " bytes is too short for a header");
  }
  Bytes header(kFileHeaderSize);
  KLIO_RETURN_IF_ERROR(ReadFully(*r->file_, 0, header, path));
  KLIO_ASSIGN_OR_RETURN(r->codec_, FrameCodec::ForExistingFile(header, file_id, key, path));
  if (options.expected_segment_size.has_value() &&
      *options.expected_segment_size != r->codec_->segment_size()) {
    return Status::Corruption(path + ": header says segment size " +
                              std::to_string(r->codec_->segment_size()) + ", expected " +
                              std::to_string(*options.expected_segment_size));
  }
  return r;
}

Status SegmentReader::FrameError(std::string_view reason) {
  failed_ =
      Status::Corruption(path_ + ": " + FrameWhere(frame_, offset_) + ": " + std::string(reason));
  return failed_;
}

Result<bool> SegmentReader::ReadChunk(Bytes* out) {
  if (!failed_.ok()) return failed_;
  if (done_) return false;
  KLIO_ASSIGN_OR_RETURN(FrameOutcome f, ReadFrame(*file_, *codec_, file_size_, offset_, frame_,
                                                  logical_, &frame_buf_, path_));
  switch (f.state) {
    case FrameState::kFrame: {
      const ByteView payload = ByteView(frame_buf_).subspan(kFrameHeaderSize, f.header.stored_len);
      Status st = codec_->AppendFrameData(f.header, payload, out);
      if (!st.ok()) return FrameError(st.message());
      offset_ += f.header.frame_size();
      logical_ += f.header.raw_len;
      ++frame_;
      return true;
    }
    case FrameState::kBad:
      return FrameError(f.reason);
    case FrameState::kIncomplete:
      if (!options_.allow_incomplete_tail) return FrameError(f.reason);
      break;
    case FrameState::kEnd:
      break;
  }
  if (options_.require_complete && logical_ != codec_->segment_size()) {
    failed_ = Status::Corruption(path_ + ": holds " + std::to_string(logical_) +
                                 " bytes of WAL, a complete segment holds " +
                                 std::to_string(codec_->segment_size()));
    return failed_;
  }
  done_ = true;
  return false;
}

Result<Bytes> SegmentReader::ReadAll() {
  Bytes out;
  if (codec_->segment_size() != 0 && logical_ == 0) out.reserve(codec_->segment_size());
  while (true) {
    KLIO_ASSIGN_OR_RETURN(bool more, ReadChunk(&out));
    if (!more) return out;
  }
}

// ---------------------------------------------------------------------------------------------

Result<Bytes> EncodeWholeFile(std::string_view file_id, ByteView data,
                              const CodecOptions& options) {
  if (options.max_frame_bytes == 0 || options.max_frame_bytes > kMaxFrameRawBytes) {
    return Status::InvalidArgument("max_frame_bytes must be 1.." +
                                   std::to_string(kMaxFrameRawBytes));
  }
  KLIO_ASSIGN_OR_RETURN(std::unique_ptr<FrameCodec> codec,
                        FrameCodec::ForNewFile(file_id, 0, options));
  std::array<std::uint8_t, kFrameNonceSize> nonce{};
  KLIO_RETURN_IF_ERROR(crypto::SecureRandomBytes(std::span(nonce.data(), 8)));
  Bytes out(codec->header_bytes().begin(), codec->header_bytes().end());
  std::uint64_t index = 0;
  for (std::uint64_t pos = 0; pos < data.size(); ++index) {
    const std::size_t n = static_cast<std::size_t>(
        std::min<std::uint64_t>(options.max_frame_bytes, data.size() - pos));
    for (int i = 0; i < 4; ++i) nonce[8 + i] = static_cast<std::uint8_t>(index >> (24 - 8 * i));
    KLIO_RETURN_IF_ERROR(codec->EncodeFrame(index, pos, data.subspan(pos, n), nonce, &out));
    pos += n;
  }
  return out;
}

}  // namespace klio::wal
