// Authenticated encryption for data at rest: AES-256-GCM with an explicit 12-byte nonce and
// additional authenticated data (AAD), and the archive's EncryptionKey read from a key file.
//
// Implements the cryptography of docs/design/wal-archive.md §3: the key file format, the key
// id, and the AEAD used for every frame. Nonces are the caller's business: Aes256Gcm never
// picks one, and sealing two messages under one key with one nonce destroys both
// confidentiality and integrity (the WAL archive's nonce rules are in the design doc).
//
// Thread-safety: an Aes256Gcm object reuses one OpenSSL cipher context and is used by one
// thread at a time; use one object per thread. EncryptionKey is an immutable value, safe to
// share between threads. The free functions are safe from any thread.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/bytes.h"
#include "base/result.h"
#include "base/status.h"
#include "env/file_system.h"

namespace klio::crypto {

// Fills `out` with bytes from OpenSSL's CSPRNG (for salts and nonces). Returns Internal when
// the generator fails (it never returns predictable bytes).
Status SecureRandomBytes(std::span<std::uint8_t> out);

// AES-256-GCM with 96-bit nonces and 128-bit tags. The key schedule is set up once per object;
// each Seal/Open only sets the nonce, so per-message cost is the cipher itself (AES-NI).
class Aes256Gcm {
 public:
  static constexpr std::size_t kKeySize = 32;
  static constexpr std::size_t kNonceSize = 12;
  static constexpr std::size_t kTagSize = 16;

  // Returns a cipher for `key` (exactly 32 bytes, else InvalidArgument), or Internal when
  // OpenSSL cannot set it up. The key bytes are not kept by this object beyond OpenSSL's key
  // schedule.
  static Result<std::unique_ptr<Aes256Gcm>> Create(ByteView key);
  ~Aes256Gcm();
  Aes256Gcm(const Aes256Gcm&) = delete;
  Aes256Gcm& operator=(const Aes256Gcm&) = delete;

  // Encrypts `plaintext` into `ciphertext` (same size; the two may be the same buffer, not
  // otherwise overlapping) and writes the 16-byte tag over `aad` and the ciphertext to `tag`.
  // Returns InvalidArgument for wrong buffer sizes, Internal when OpenSSL fails.
  Status Seal(ByteView nonce, ByteView aad, ByteView plaintext, std::span<std::uint8_t> ciphertext,
              std::span<std::uint8_t> tag);

  // Decrypts `ciphertext` into `plaintext` (same size; may be the same buffer) after checking
  // `tag`. Returns Corruption "authentication failed" when the tag does not match `aad`,
  // `nonce` and `ciphertext` — then `plaintext` is zeroed, so unauthenticated bytes are never
  // left for the caller. InvalidArgument for wrong sizes, Internal when OpenSSL fails.
  Status Open(ByteView nonce, ByteView aad, ByteView ciphertext, ByteView tag,
              std::span<std::uint8_t> plaintext);

  // Convenience forms: Seal returns ciphertext ‖ tag; Open takes ciphertext ‖ tag and returns
  // the plaintext (errors as above; Corruption also when the input is shorter than a tag).
  Result<Bytes> Seal(ByteView nonce, ByteView aad, ByteView plaintext);
  Result<Bytes> Open(ByteView nonce, ByteView aad, ByteView sealed);

 private:
  struct CtxDeleter {
    void operator()(EVP_CIPHER_CTX* p) const { EVP_CIPHER_CTX_free(p); }
  };
  Aes256Gcm() = default;

  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> enc_;
  std::unique_ptr<EVP_CIPHER_CTX, CtxDeleter> dec_;
};

// The archive master key: 32 bytes, and its public 8-byte id
// (the first 8 bytes of HMAC-SHA256(key, "klio key id v1"), design doc §3). The id names the
// key in file headers and error messages without revealing it. The bytes are wiped when the
// object is destroyed.
class EncryptionKey {
 public:
  static constexpr std::size_t kSize = 32;
  static constexpr std::size_t kIdSize = 8;
  using Id = std::array<std::uint8_t, kIdSize>;

  // A key from exactly 32 raw bytes; InvalidArgument otherwise.
  static Result<EncryptionKey> FromBytes(ByteView raw);

  // Parses the content of a key file: exactly 32 raw bytes, or 64 hex digits (either case)
  // optionally followed by one "\n" or "\r\n". Anything else is InvalidArgument naming
  // `file_name` and the reason (length, non-hex character position); key bytes never appear
  // in the message.
  static Result<EncryptionKey> Parse(std::string_view content, std::string_view file_name);

  EncryptionKey(const EncryptionKey& other);
  EncryptionKey& operator=(const EncryptionKey& other);
  ~EncryptionKey();

  ByteView bytes() const { return ByteView(key_); }
  const Id& id() const { return id_; }
  // The id as 16 lowercase hex digits, for messages and logs.
  std::string IdHex() const;

 private:
  EncryptionKey() = default;

  std::array<std::uint8_t, kSize> key_{};
  Id id_{};
};

// A key file's key and what the caller should warn about.
struct KeyFile {
  EncryptionKey key;
  // OK, or FailedPrecondition "key file <path> is readable by group or others (mode 0644);
  // restrict it with chmod 600 <path>" — a warning for the caller to log, not a failure.
  Status permission_warning;
};

// Reads and parses a key file through `fs` (errors from the file system keep their codes and
// name the path; parse errors as EncryptionKey::Parse). The permission check needs the file
// mode, which FileSystem cannot report, so it runs only when `fs` is a PosixFileSystem (stat(2)
// on `path`); on other file systems permission_warning is OK. Blocking (one small read).
Result<KeyFile> LoadKeyFile(env::FileSystem& fs, const std::string& path);

// The permission warning for a key file at `path` with permission bits `mode`: OK when neither
// group nor others have any access bit, else the FailedPrecondition described at KeyFile.
Status KeyFilePermissionWarning(std::string_view path, unsigned mode);

}  // namespace klio::crypto
