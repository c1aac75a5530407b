// Helpers shared by the klio_wal unit tests (not part of the library).
#pragma once

#include <cstdint>
#include <string>

#include "base/bytes.h"
#include "crypto/aead.h"
#include "env/atomic_write.h"
#include "env/file_system.h"
#include "env/random.h"

namespace klio::wal::test {

// A deterministic key: 32 bytes from `seed`.
inline crypto::EncryptionKey TestKey(std::uint64_t seed) {
  env::SeededRandom rng(seed);
  Bytes raw(32);
  rng.Fill(raw);
  return crypto::EncryptionKey::FromBytes(raw).value();
}

// Whole-file helpers over any FileSystem.
inline Bytes ReadAllBytes(env::FileSystem& fs, const std::string& path) {
  return ToBytes(fs.ReadFile(path).value());
}
inline void WriteAllBytes(env::FileSystem& fs, const std::string& path, ByteView data) {
  Status st = env::WriteFileAtomically(fs, path, data, {.sync = false});
  if (!st.ok()) std::abort();
}

}  // namespace klio::wal::test
