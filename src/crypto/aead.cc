#include "crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>

#include <climits>
#include <cstdio>
#include <cstring>

#include "base/hex.h"
#include "crypto/kdf.h"
#include "crypto/openssl_util.h"
#include "env/posix_file_system.h"

namespace klio::crypto {
namespace {

constexpr std::string_view kKeyIdLabel = "klio key id v1";

// GCM messages here are at most a few MiB; OpenSSL takes int lengths.
bool FitsInt(std::size_t n) { return n <= static_cast<std::size_t>(INT_MAX); }

Status CheckSizes(ByteView nonce, std::size_t in, std::size_t out, std::size_t tag,
                  std::size_t aad) {
  if (nonce.size() != Aes256Gcm::kNonceSize) {
    return Status::InvalidArgument("aes-256-gcm: nonce must be 12 bytes, got " +
                                   std::to_string(nonce.size()));
  }
  if (tag != Aes256Gcm::kTagSize) {
    return Status::InvalidArgument("aes-256-gcm: tag must be 16 bytes, got " + std::to_string(tag));
  }
  if (in != out) {
    return Status::InvalidArgument("aes-256-gcm: output is " + std::to_string(out) + " bytes for " +
                                   std::to_string(in) + " bytes of input");
  }
  if (!FitsInt(in) || !FitsInt(aad)) return Status::InvalidArgument("aes-256-gcm: too large");
  return Status::Ok();
}

}  // namespace

Status SecureRandomBytes(std::span<std::uint8_t> out) {
  if (out.empty()) return Status::Ok();
  if (!FitsInt(out.size()) || RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    return OpenSslFailure("random bytes");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Aes256Gcm

Result<std::unique_ptr<Aes256Gcm>> Aes256Gcm::Create(ByteView key) {
  if (key.size() != kKeySize) {
    return Status::InvalidArgument("aes-256-gcm: key must be 32 bytes, got " +
                                   std::to_string(key.size()));
  }
  std::unique_ptr<Aes256Gcm> gcm(new Aes256Gcm());
  gcm->enc_.reset(EVP_CIPHER_CTX_new());
  gcm->dec_.reset(EVP_CIPHER_CTX_new());
  if (gcm->enc_ == nullptr || gcm->dec_ == nullptr) return OpenSslFailure("aes-256-gcm: new");
  // Set cipher and key once; every message only sets its IV (the expensive key schedule and
  // the GHASH table are computed here).
  if (EVP_EncryptInit_ex(gcm->enc_.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1 ||
      EVP_DecryptInit_ex(gcm->dec_.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1) {
    return OpenSslFailure("aes-256-gcm: init");
  }
  return gcm;
}

Aes256Gcm::~Aes256Gcm() = default;

Status Aes256Gcm::Seal(ByteView nonce, ByteView aad, ByteView plaintext,
                       std::span<std::uint8_t> ciphertext, std::span<std::uint8_t> tag) {
  KLIO_RETURN_IF_ERROR(
      CheckSizes(nonce, plaintext.size(), ciphertext.size(), tag.size(), aad.size()));
  EVP_CIPHER_CTX* ctx = enc_.get();
  int len = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1) {
    return OpenSslFailure("aes-256-gcm: set nonce");
  }
  if (!aad.empty() &&
      EVP_EncryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return OpenSslFailure("aes-256-gcm: aad");
  }
  if (!plaintext.empty() && EVP_EncryptUpdate(ctx, ciphertext.data(), &len, plaintext.data(),
                                              static_cast<int>(plaintext.size())) != 1) {
    return OpenSslFailure("aes-256-gcm: encrypt");
  }
  std::uint8_t final_block[16];
  if (EVP_EncryptFinal_ex(ctx, final_block, &len) != 1) {
    return OpenSslFailure("aes-256-gcm: final");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagSize, tag.data()) != 1) {
    return OpenSslFailure("aes-256-gcm: get tag");
  }
  return Status::Ok();
}

Status Aes256Gcm::Open(ByteView nonce, ByteView aad, ByteView ciphertext, ByteView tag,
                       std::span<std::uint8_t> plaintext) {
  KLIO_RETURN_IF_ERROR(
      CheckSizes(nonce, ciphertext.size(), plaintext.size(), tag.size(), aad.size()));
  EVP_CIPHER_CTX* ctx = dec_.get();
  int len = 0;
  if (EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, nonce.data()) != 1) {
    return OpenSslFailure("aes-256-gcm: set nonce");
  }
  if (!aad.empty() &&
      EVP_DecryptUpdate(ctx, nullptr, &len, aad.data(), static_cast<int>(aad.size())) != 1) {
    return OpenSslFailure("aes-256-gcm: aad");
  }
  if (!ciphertext.empty() && EVP_DecryptUpdate(ctx, plaintext.data(), &len, ciphertext.data(),
                                               static_cast<int>(ciphertext.size())) != 1) {
    return OpenSslFailure("aes-256-gcm: decrypt");
  }
  if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, kTagSize,
                          const_cast<std::uint8_t*>(tag.data())) != 1) {
    return OpenSslFailure("aes-256-gcm: set tag");
  }
  std::uint8_t final_block[16];
  if (EVP_DecryptFinal_ex(ctx, final_block, &len) != 1) {
    // A tag mismatch leaves no error on the queue in OpenSSL 3, but clear it to be sure the
    // next unrelated failure is not blamed on this one.
    (void)DrainOpenSslErrors();
    if (!plaintext.empty()) OPENSSL_cleanse(plaintext.data(), plaintext.size());
    return Status::Corruption("authentication failed");
  }
  return Status::Ok();
}

Result<Bytes> Aes256Gcm::Seal(ByteView nonce, ByteView aad, ByteView plaintext) {
  Bytes out(plaintext.size() + kTagSize);
  std::span<std::uint8_t> all(out);
  KLIO_RETURN_IF_ERROR(
      Seal(nonce, aad, plaintext, all.first(plaintext.size()), all.subspan(plaintext.size())));
  return out;
}

Result<Bytes> Aes256Gcm::Open(ByteView nonce, ByteView aad, ByteView sealed) {
  if (sealed.size() < kTagSize) {
    return Status::Corruption("authentication failed: " + std::to_string(sealed.size()) +
                              " bytes is shorter than a tag");
  }
  const std::size_t n = sealed.size() - kTagSize;
  Bytes out(n);
  KLIO_RETURN_IF_ERROR(Open(nonce, aad, sealed.first(n), sealed.subspan(n), out));
  return out;
}

// ---------------------------------------------------------------------------------------------
// EncryptionKey

Result<EncryptionKey> EncryptionKey::FromBytes(ByteView raw) {
  if (raw.size() != kSize) {
    return Status::InvalidArgument("encryption key must be 32 bytes, got " +
                                   std::to_string(raw.size()));
  }
  EncryptionKey key;
  std::memcpy(key.key_.data(), raw.data(), kSize);
  const Sha256Digest mac = HmacSha256(raw, AsBytes(kKeyIdLabel));
  std::memcpy(key.id_.data(), mac.data(), kIdSize);
  return key;
}

Result<EncryptionKey> EncryptionKey::Parse(std::string_view content, std::string_view file_name) {
  const std::string where = "key file " + std::string(file_name);
  if (content.size() == kSize) return FromBytes(AsBytes(content));

  std::string_view hex = content;
  if (hex.ends_with("\r\n")) {
    hex.remove_suffix(2);
  } else if (hex.ends_with('\n')) {
    hex.remove_suffix(1);
  }
  if (hex.size() != 2 * kSize) {
    return Status::InvalidArgument(
        where +
        ": expected 32 raw bytes or 64 hex digits (optionally followed by a newline), "
        "found " +
        std::to_string(content.size()) + " bytes");
  }
  std::array<std::uint8_t, kSize> raw{};
  for (std::size_t i = 0; i < kSize; ++i) {
    const int hi = HexDigitValue(hex[2 * i]);
    const int lo = HexDigitValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      OPENSSL_cleanse(raw.data(), raw.size());
      const std::size_t pos = hi < 0 ? 2 * i : 2 * i + 1;
      // Name the position only: the character itself could be part of the key.
      return Status::InvalidArgument(where + ": character at offset " + std::to_string(pos) +
                                     " is not a hex digit");
    }
    raw[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  Result<EncryptionKey> key = FromBytes(raw);
  OPENSSL_cleanse(raw.data(), raw.size());
  return key;
}

EncryptionKey::EncryptionKey(const EncryptionKey& other) = default;
EncryptionKey& EncryptionKey::operator=(const EncryptionKey& other) = default;

EncryptionKey::~EncryptionKey() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::string EncryptionKey::IdHex() const { return HexEncode(id_); }

Status KeyFilePermissionWarning(std::string_view path, unsigned mode) {
  if ((mode & 077) == 0) return Status::Ok();
  char octal[8];
  std::snprintf(octal, sizeof(octal), "%04o", mode & 07777);
  return Status::FailedPrecondition("key file " + std::string(path) +
                                    " is readable by group or others (mode " + octal +
                                    "); restrict it with chmod 600 " + std::string(path));
}

Result<KeyFile> LoadKeyFile(env::FileSystem& fs, const std::string& path) {
  Result<std::string> content = fs.ReadFile(path);
  if (!content.ok()) return content.status();
  Result<EncryptionKey> key = EncryptionKey::Parse(*content, path);
  if (!content->empty()) OPENSSL_cleanse(content->data(), content->size());
  if (!key.ok()) return key.status();

  Status warning;
  if (dynamic_cast<env::PosixFileSystem*>(&fs) != nullptr) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) warning = KeyFilePermissionWarning(path, st.st_mode);
  }
  return KeyFile{*std::move(key), std::move(warning)};
}

}  // namespace klio::crypto
