#include "wal/segment_format.h"

#include <cstring>

#include "base/hex.h"
#include "crypto/kdf.h"

namespace klio::wal {
namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'K', 'L', 'I', 'O', 'W', 'A', 'L', 0x01};
constexpr std::string_view kFileKeyInfo = "klio wal v1";
constexpr std::size_t kSaltOffset = 24;
constexpr std::size_t kSaltSize = 32;
constexpr std::size_t kCheckOffset = 60;

void StoreBE16(std::uint8_t* p, std::uint16_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void StoreBE32(std::uint8_t* p, std::uint32_t v) {
  for (int i = 3; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}
void StoreBE64(std::uint8_t* p, std::uint64_t v) {
  for (int i = 7; i >= 0; --i, v >>= 8) p[i] = static_cast<std::uint8_t>(v);
}

std::uint32_t HeaderCheck(const std::uint8_t* header) {
  return LoadBE32(crypto::Sha256(ByteView(header, kCheckOffset)).data());
}

}  // namespace

FrameHeader FrameHeader::Decode(const std::uint8_t* p) {
  FrameHeader h;
  h.stored_len = LoadBE32(p);
  const std::uint32_t raw = LoadBE32(p + 4);
  h.compressed = (raw & kCompressedBit) != 0;
  h.raw_len = raw & ~kCompressedBit;
  h.logical_offset = LoadBE64(p + 8);
  std::memcpy(h.nonce.data(), p + 16, kFrameNonceSize);
  return h;
}

Result<std::unique_ptr<FrameCodec>> FrameCodec::ForNewFile(std::string_view file_id,
                                                           std::uint32_t segment_size,
                                                           const CodecOptions& options) {
  std::unique_ptr<FrameCodec> codec(new FrameCodec());
  std::uint8_t* h = codec->header_.data();
  std::memcpy(h, kMagic.data(), kMagic.size());
  StoreBE16(h + 8, kFormatVersion);
  std::uint16_t flags = options.compress ? kFlagCompression : 0;
  if (options.key.has_value()) flags |= kFlagEncrypted;
  StoreBE16(h + 10, flags);
  StoreBE32(h + 12, segment_size);
  if (options.key.has_value()) std::memcpy(h + 16, options.key->id().data(), 8);
  KLIO_RETURN_IF_ERROR(crypto::SecureRandomBytes(std::span(h + kSaltOffset, kSaltSize)));
  StoreBE32(h + kCheckOffset, HeaderCheck(h));
  codec->segment_size_ = segment_size;
  codec->compress_ = options.compress;
  codec->zstd_level_ = options.zstd_level;
  KLIO_RETURN_IF_ERROR(codec->Init(file_id, options.key));
  return codec;
}

Result<std::unique_ptr<FrameCodec>> FrameCodec::ForExistingFile(
    ByteView header, std::string_view file_id, const std::optional<crypto::EncryptionKey>& key,
    std::string_view what) {
  const std::string prefix = std::string(what) + ": ";
  if (header.size() != kFileHeaderSize) {
    return Status::Corruption(prefix + "file header is " + std::to_string(header.size()) +
                              " bytes, expected 64");
  }
  const std::uint8_t* h = header.data();
  if (std::memcmp(h, kMagic.data(), kMagic.size()) != 0) {
    return Status::Corruption(prefix + "not a klio wal archive file (bad magic)");
  }
  if (LoadBE32(h + kCheckOffset) != HeaderCheck(h)) {
    return Status::Corruption(prefix + "file header check mismatch");
  }
  const std::uint16_t version = LoadBE16(h + 8);
  if (version != kFormatVersion) {
    return Status::Corruption(prefix + "unsupported format version " + std::to_string(version));
  }
  const std::uint16_t flags = LoadBE16(h + 10);
  if ((flags & ~(kFlagCompression | kFlagEncrypted)) != 0) {
    return Status::Corruption(prefix + "unknown header flags " + std::to_string(flags));
  }
  if (LoadBE32(h + 56) != 0) return Status::Corruption(prefix + "reserved header field set");

  const bool encrypted = (flags & kFlagEncrypted) != 0;
  const std::string file_key_id = HexEncode(header.subspan(16, 8));
  if (encrypted && !key.has_value()) {
    return Status::FailedPrecondition(prefix + "file is encrypted with key " + file_key_id +
                                      " but no encryption key is configured");
  }
  if (!encrypted && key.has_value()) {
    return Status::FailedPrecondition(
        prefix + "file is not encrypted but encryption key " + key->IdHex() +
        " is configured; refusing data that only carries an unkeyed integrity tag");
  }
  if (encrypted && std::memcmp(h + 16, key->id().data(), 8) != 0) {
    return Status::FailedPrecondition("wrong encryption key: " + std::string(what) +
                                      " was encrypted with key " + file_key_id +
                                      ", the configured key is " + key->IdHex());
  }

  std::unique_ptr<FrameCodec> codec(new FrameCodec());
  std::memcpy(codec->header_.data(), h, kFileHeaderSize);
  codec->segment_size_ = LoadBE32(h + 12);
  KLIO_RETURN_IF_ERROR(codec->Init(file_id, key));
  return codec;
}

FrameCodec::~FrameCodec() {
  ZSTD_freeCCtx(cctx_);
  ZSTD_freeDCtx(dctx_);
}

Status FrameCodec::Init(std::string_view file_id, const std::optional<crypto::EncryptionKey>& key) {
  if (file_id.size() > UINT16_MAX) return Status::InvalidArgument("file identity too long");
  aad_.assign(header_.begin(), header_.end());
  PutBE16(&aad_, static_cast<std::uint16_t>(file_id.size()));
  PutBytes(&aad_, AsBytes(file_id));
  aad_prefix_ = aad_.size();

  if (key.has_value()) {
    // A key per file (random 256-bit salt): frames of different files can never share a
    // (key, nonce) pair, and a frame moved to another file fails authentication.
    KLIO_ASSIGN_OR_RETURN(
        Bytes file_key,
        crypto::HkdfSha256(key->bytes(), ByteView(header_).subspan(kSaltOffset, kSaltSize),
                           AsBytes(kFileKeyInfo), crypto::Aes256Gcm::kKeySize));
    auto gcm = crypto::Aes256Gcm::Create(file_key);
    std::fill(file_key.begin(), file_key.end(), 0);
    if (!gcm.ok()) return gcm.status();
    gcm_ = *std::move(gcm);
  }
  return Status::Ok();
}

void FrameCodec::BuildAad(std::uint64_t index, const std::uint8_t* frame_header) {
  aad_.resize(aad_prefix_);
  aad_.insert(aad_.end(), frame_header, frame_header + kFrameHeaderSize);
  PutBE64(&aad_, index);
}

std::array<std::uint8_t, kFrameTagSize> FrameCodec::IntegrityTag(ByteView payload) {
  hasher_.Update(aad_);
  hasher_.Update(payload);
  const crypto::Sha256Digest digest = hasher_.Finish();
  std::array<std::uint8_t, kFrameTagSize> tag;
  std::memcpy(tag.data(), digest.data(), tag.size());
  return tag;
}

Status FrameCodec::EncodeFrame(std::uint64_t index, std::uint64_t logical_offset, ByteView raw,
                               ByteView nonce, Bytes* out) {
  if (raw.empty() || raw.size() > kMaxFrameRawBytes || nonce.size() != kFrameNonceSize) {
    return Status::Internal("frame of " + std::to_string(raw.size()) + " bytes");
  }
  ByteView payload = raw;
  bool compressed = false;
  if (compress_) {
    if (cctx_ == nullptr && (cctx_ = ZSTD_createCCtx()) == nullptr) {
      return Status::Internal("zstd: cannot create compression context");
    }
    scratch_.resize(ZSTD_compressBound(raw.size()));
    const std::size_t n = ZSTD_compressCCtx(cctx_, scratch_.data(), scratch_.size(), raw.data(),
                                            raw.size(), zstd_level_);
    // Stored raw when compression does not shrink the frame (random or encrypted WAL data).
    if (!ZSTD_isError(n) && n < raw.size()) {
      payload = ByteView(scratch_.data(), n);
      compressed = true;
    }
  }

  const std::size_t start = out->size();
  out->resize(start + kFrameOverhead + payload.size());
  std::uint8_t* p = out->data() + start;
  StoreBE32(p, static_cast<std::uint32_t>(payload.size()));
  StoreBE32(p + 4, static_cast<std::uint32_t>(raw.size()) | (compressed ? kCompressedBit : 0));
  StoreBE64(p + 8, logical_offset);
  std::memcpy(p + 16, nonce.data(), kFrameNonceSize);
  BuildAad(index, p);

  std::span<std::uint8_t> body(p + kFrameHeaderSize, payload.size());
  std::span<std::uint8_t> tag(p + kFrameHeaderSize + payload.size(), kFrameTagSize);
  if (gcm_ != nullptr) return gcm_->Seal(nonce, aad_, payload, body, tag);
  std::memcpy(body.data(), payload.data(), payload.size());
  const auto t = IntegrityTag(payload);
  std::memcpy(tag.data(), t.data(), t.size());
  return Status::Ok();
}

std::string FrameCodec::CheckPlausible(const FrameHeader& h, std::uint64_t expected_offset) const {
  if (h.stored_len == 0 || h.raw_len == 0) return "empty frame";
  if (h.raw_len > kMaxFrameRawBytes) {
    return "frame of " + std::to_string(h.raw_len) + " bytes exceeds the 1 MiB limit";
  }
  if (h.compressed ? h.stored_len >= h.raw_len : h.stored_len != h.raw_len) {
    return "stored length " + std::to_string(h.stored_len) + " does not fit raw length " +
           std::to_string(h.raw_len);
  }
  if (h.logical_offset != expected_offset) {
    return "logical offset " + std::to_string(h.logical_offset) + " where " +
           std::to_string(expected_offset) + " was expected";
  }
  if (segment_size_ != 0 && expected_offset + h.raw_len > segment_size_) {
    return "frame ends at " + std::to_string(expected_offset + h.raw_len) +
           ", past the segment size " + std::to_string(segment_size_);
  }
  return {};
}

Status FrameCodec::OpenFrame(std::uint64_t index, std::span<std::uint8_t> frame) {
  const FrameHeader h = FrameHeader::Decode(frame.data());
  if (frame.size() != h.frame_size()) return Status::Internal("frame buffer size mismatch");
  BuildAad(index, frame.data());
  std::span<std::uint8_t> body = frame.subspan(kFrameHeaderSize, h.stored_len);
  ByteView tag = frame.subspan(kFrameHeaderSize + h.stored_len, kFrameTagSize);
  if (gcm_ != nullptr) return gcm_->Open(h.nonce, aad_, body, tag, body);
  const auto expected = IntegrityTag(body);
  if (std::memcmp(expected.data(), tag.data(), kFrameTagSize) != 0) {
    std::fill(body.begin(), body.end(), 0);
    return Status::Corruption("integrity check failed");
  }
  return Status::Ok();
}

Status FrameCodec::AppendFrameData(const FrameHeader& h, ByteView payload, Bytes* out) {
  if (!h.compressed) {
    PutBytes(out, payload);
    return Status::Ok();
  }
  if (dctx_ == nullptr && (dctx_ = ZSTD_createDCtx()) == nullptr) {
    return Status::Internal("zstd: cannot create decompression context");
  }
  const std::size_t start = out->size();
  out->resize(start + h.raw_len);
  const std::size_t n =
      ZSTD_decompressDCtx(dctx_, out->data() + start, h.raw_len, payload.data(), payload.size());
  if (ZSTD_isError(n) || n != h.raw_len) {
    out->resize(start);
    return Status::Corruption(ZSTD_isError(n)
                                  ? std::string("zstd: ") + ZSTD_getErrorName(n)
                                  : "decompressed to " + std::to_string(n) + " bytes, expected " +
                                        std::to_string(h.raw_len));
  }
  return Status::Ok();
}

}  // namespace klio::wal
