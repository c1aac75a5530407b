// Hashing and key derivation on OpenSSL 3: SHA-256, HMAC-SHA256 and HKDF-SHA256 (RFC 5869).
//
// These are the primitives behind the Tier 1 WAL archive's key id, per-file keys and the
// integrity tags of unencrypted files (docs/design/wal-archive.md §3).
//
// Thread-safety: the free functions are safe from any thread. A Sha256Hasher is used by one
// thread at a time.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "base/bytes.h"
#include "base/result.h"
#include "base/status.h"

namespace klio::crypto {

inline constexpr std::size_t kSha256Size = 32;
using Sha256Digest = std::array<std::uint8_t, kSha256Size>;

// Returns SHA-256(data). Never fails (OpenSSL fails only when it cannot allocate, which aborts).
Sha256Digest Sha256(ByteView data);

// Returns HMAC-SHA256(key, data) (RFC 2104; any key length). Never fails (see Sha256).
Sha256Digest HmacSha256(ByteView key, ByteView data);

// HKDF-SHA256 (RFC 5869, extract then expand): `length` bytes of output keying material from
// `ikm`, `salt` (may be empty) and `info`. Returns InvalidArgument when length is 0 or above
// 255 * 32 bytes; Internal when OpenSSL fails.
Result<Bytes> HkdfSha256(ByteView ikm, ByteView salt, ByteView info, std::size_t length);

// Incremental SHA-256, to hash several pieces without concatenating them. Reusable: Finish()
// resets the state for the next message.
class Sha256Hasher {
 public:
  Sha256Hasher();
  // Adds `data` to the message.
  void Update(ByteView data);
  // Returns the digest of everything added since construction or the last Finish().
  Sha256Digest Finish();

 private:
  struct CtxDeleter {
    void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
  };
  std::unique_ptr<EVP_MD_CTX, CtxDeleter> ctx_;
};

}  // namespace klio::crypto
