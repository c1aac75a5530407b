// AES-256-GCM known answers (the AES-256 cases 13-16 of McGrew & Viega's GCM specification,
// which NIST's GCM validation uses) and tamper checks; EncryptionKey parsing and loading.
#include "crypto/aead.h"

#include <gtest/gtest.h>

#include <string>

#include "base/hex.h"
#include "crypto/kdf.h"
#include "env/atomic_write.h"
#include "env/mem_file_system.h"
#include "env/posix_file_system.h"
#include "testing/process.h"

namespace klio::crypto {
namespace {

Bytes H(std::string_view hex) { return HexDecode(hex).value(); }

struct GcmVector {
  const char* key;
  const char* nonce;
  const char* aad;
  const char* plaintext;
  const char* ciphertext;
  const char* tag;
};

constexpr char kKey15[] = "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308";
const GcmVector kGcmVectors[] = {
    // Test case 13: empty message.
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "", "", "530f8afbc74536b9a963b4f1c4cb738b"},
    // Test case 14: one zero block.
    {"0000000000000000000000000000000000000000000000000000000000000000", "000000000000000000000000",
     "", "00000000000000000000000000000000", "cea7403d4d606b6e074ec5d3baf39d18",
     "d0d1c8a799996bf0265b98b5d48ab919"},
    // Test case 15: four blocks, no AAD.
    {kKey15, "cafebabefacedbaddecaf888", "",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad",
     "b094dac5d93471bdec1a502270e3cc6c"},
    // Test case 16: 60 bytes with AAD.
    {kKey15, "cafebabefacedbaddecaf888", "feedfacedeadbeeffeedfacedeadbeefabaddad2",
     "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
     "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
     "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
     "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
     "76fc6ece0f4e1768cddf8853bb2d551b"},
};

TEST(Aes256GcmTest, KnownAnswers) {
  for (const GcmVector& v : kGcmVectors) {
    SCOPED_TRACE(v.tag);
    auto gcm = Aes256Gcm::Create(H(v.key)).value();
    Bytes sealed = gcm->Seal(H(v.nonce), H(v.aad), H(v.plaintext)).value();
    EXPECT_EQ(HexEncode(sealed), std::string(v.ciphertext) + v.tag);
    EXPECT_EQ(gcm->Open(H(v.nonce), H(v.aad), sealed).value(), H(v.plaintext));
  }
}

TEST(Aes256GcmTest, ReusedObjectAndInPlace) {
  const GcmVector& v = kGcmVectors[3];
  auto gcm = Aes256Gcm::Create(H(v.key)).value();
  for (int round = 0; round < 3; ++round) {
    Bytes buf = H(v.plaintext);
    Bytes tag(Aes256Gcm::kTagSize);
    ASSERT_TRUE(gcm->Seal(H(v.nonce), H(v.aad), buf, buf, tag).ok());
    EXPECT_EQ(HexEncode(buf), v.ciphertext);
    EXPECT_EQ(HexEncode(tag), v.tag);
    ASSERT_TRUE(gcm->Open(H(v.nonce), H(v.aad), buf, tag, buf).ok());
    EXPECT_EQ(buf, H(v.plaintext));
  }
}

TEST(Aes256GcmTest, AnyChangeFailsAuthenticationAndZeroesOutput) {
  const GcmVector& v = kGcmVectors[3];
  auto gcm = Aes256Gcm::Create(H(v.key)).value();
  const Bytes nonce = H(v.nonce);
  const Bytes aad = H(v.aad);
  const Bytes sealed = gcm->Seal(nonce, aad, H(v.plaintext)).value();

  auto expect_rejected = [&](const Bytes& n, const Bytes& a, const Bytes& s) {
    const std::size_t ct_size = s.size() >= 16 ? s.size() - 16 : 0;
    Bytes out(ct_size, 0x55);
    Status st = gcm->Open(n, a, ByteView(s).first(ct_size), ByteView(s).subspan(ct_size), out);
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
    EXPECT_EQ(out, Bytes(ct_size, 0));
  };
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    Bytes s = sealed;
    s[i] ^= 0x01;
    expect_rejected(nonce, aad, s);
  }
  for (std::size_t i = 0; i < aad.size(); ++i) {
    Bytes a = aad;
    a[i] ^= 0x80;
    expect_rejected(nonce, a, sealed);
  }
  Bytes n = nonce;
  n[11] ^= 1;
  expect_rejected(n, aad, sealed);
  expect_rejected(nonce, {}, sealed);
  EXPECT_EQ(gcm->Open(nonce, aad, Bytes(15)).status().code(), StatusCode::kCorruption);
}

TEST(Aes256GcmTest, RejectsWrongSizes) {
  EXPECT_EQ(Aes256Gcm::Create(Bytes(31)).status().code(), StatusCode::kInvalidArgument);
  auto gcm = Aes256Gcm::Create(Bytes(32)).value();
  EXPECT_EQ(gcm->Seal(Bytes(8), {}, Bytes(4)).status().code(), StatusCode::kInvalidArgument);
  Bytes out(3);
  Bytes tag(16);
  EXPECT_EQ(gcm->Seal(Bytes(12), {}, Bytes(4), out, tag).code(), StatusCode::kInvalidArgument);
}

constexpr char kHexKey[] = "00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF";

TEST(EncryptionKeyTest, ParsesRawAndHexForms) {
  const Bytes raw = H(kHexKey);
  auto from_raw = EncryptionKey::Parse(AsStringView(raw), "k").value();
  EXPECT_EQ(Bytes(from_raw.bytes().begin(), from_raw.bytes().end()), raw);
  for (std::string suffix : {"", "\n", "\r\n"}) {
    auto key = EncryptionKey::Parse(std::string(kHexKey) + suffix, "k");
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    EXPECT_EQ(key->id(), from_raw.id());
    EXPECT_EQ(Bytes(key->bytes().begin(), key->bytes().end()), raw);
  }
}

TEST(EncryptionKeyTest, KeyIdIsTruncatedHmacOfLabel) {
  auto key = EncryptionKey::FromBytes(H(kHexKey)).value();
  const Sha256Digest mac = HmacSha256(H(kHexKey), AsBytes("klio key id v1"));
  EXPECT_EQ(HexEncode(key.id()), HexEncode(ByteView(mac).first(8)));
  EXPECT_EQ(key.IdHex(), HexEncode(key.id()));
  EXPECT_EQ(key.IdHex().size(), 16u);
}

TEST(EncryptionKeyTest, RejectsMalformedFilesWithoutEchoingKeyMaterial) {
  const std::string hex(kHexKey);
  const std::string bad_inputs[] = {
      "",
      hex.substr(0, 63),
      hex + "\n\n",
      hex + " ",
      " " + hex,
      hex.substr(0, 40) + "zz" + hex.substr(42),
      std::string(33, 'a'),
      hex + hex,
  };
  for (const std::string& input : bad_inputs) {
    auto key = EncryptionKey::Parse(input, "/etc/klio/wal.key");
    ASSERT_FALSE(key.ok()) << input;
    EXPECT_EQ(key.status().code(), StatusCode::kInvalidArgument);
    const std::string msg = key.status().message();
    EXPECT_NE(msg.find("/etc/klio/wal.key"), std::string::npos) << msg;
    // No run of key characters leaks into the message.
    EXPECT_EQ(msg.find(hex.substr(0, 8)), std::string::npos) << msg;
    EXPECT_EQ(msg.find("zz"), std::string::npos) << msg;
  }
  auto key = EncryptionKey::Parse(hex.substr(0, 40) + "zz" + hex.substr(42), "f");
  EXPECT_NE(key.status().message().find("offset 40"), std::string::npos);
}

TEST(EncryptionKeyTest, LoadKeyFileThroughFileSystem) {
  env::MemFileSystem fs;
  ASSERT_TRUE(fs.CreateDirs("/etc").ok());
  ASSERT_TRUE(env::WriteFileAtomically(fs, "/etc/wal.key", std::string(kHexKey) + "\n").ok());
  auto loaded = LoadKeyFile(fs, "/etc/wal.key");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->permission_warning.ok());  // not checked off the real disk
  EXPECT_EQ(loaded->key.id(), EncryptionKey::FromBytes(H(kHexKey))->id());
  EXPECT_EQ(LoadKeyFile(fs, "/etc/missing.key").status().code(), StatusCode::kNotFound);
}

TEST(EncryptionKeyTest, PermissionWarningOnRealDisk) {
  testing::TempDir dir;
  env::FileSystem& fs = env::DefaultFileSystem();
  const std::string path = dir.Join("wal.key");
  ASSERT_TRUE(env::WriteFileAtomically(fs, path, kHexKey, {.permissions = 0600}).ok());
  auto loaded = LoadKeyFile(fs, path);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_TRUE(loaded->permission_warning.ok()) << loaded->permission_warning.ToString();

  ASSERT_TRUE(fs.SetPermissions(path, 0640).ok());
  loaded = LoadKeyFile(fs, path);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->permission_warning.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(loaded->permission_warning.message().find("mode 0640"), std::string::npos);
  EXPECT_NE(loaded->permission_warning.message().find(path), std::string::npos);
}

TEST(EncryptionKeyTest, PermissionWarningBits) {
  EXPECT_TRUE(KeyFilePermissionWarning("k", 0600).ok());
  EXPECT_TRUE(KeyFilePermissionWarning("k", 0400).ok());
  EXPECT_FALSE(KeyFilePermissionWarning("k", 0604).ok());
  EXPECT_FALSE(KeyFilePermissionWarning("k", 0610).ok());
  EXPECT_FALSE(KeyFilePermissionWarning("k", 0644).ok());
}

TEST(SecureRandomBytesTest, FillsBuffers) {
  Bytes a(32), b(32);
  ASSERT_TRUE(SecureRandomBytes(a).ok());
  ASSERT_TRUE(SecureRandomBytes(b).ok());
  EXPECT_NE(a, b);
  EXPECT_TRUE(SecureRandomBytes({}).ok());
}

}  // namespace
}  // namespace klio::crypto
