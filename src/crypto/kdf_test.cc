// Known-answer tests for SHA-256 (FIPS 180-2 examples), HMAC-SHA256 (RFC 4231) and
// HKDF-SHA256 (RFC 5869 appendix A).
#include "crypto/kdf.h"

#include <gtest/gtest.h>

#include <string>

#include "base/hex.h"

namespace klio::crypto {
namespace {

std::string Hex(ByteView b) { return HexEncode(b); }
Bytes Repeat(std::uint8_t byte, std::size_t n) { return Bytes(n, byte); }
Bytes Range(int from, int to) {
  Bytes b;
  for (int i = from; i < to; ++i) b.push_back(static_cast<std::uint8_t>(i));
  return b;
}

TEST(Sha256Test, KnownAnswers) {
  EXPECT_EQ(Hex(Sha256({})), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Hex(Sha256(AsBytes("abc"))),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Hex(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, HasherMatchesOneShotAndResets) {
  Sha256Hasher hasher;
  hasher.Update(AsBytes("ab"));
  hasher.Update({});
  hasher.Update(AsBytes("c"));
  EXPECT_EQ(hasher.Finish(), Sha256(AsBytes("abc")));
  // Finish() starts a new message.
  hasher.Update(AsBytes("abc"));
  EXPECT_EQ(hasher.Finish(), Sha256(AsBytes("abc")));
  EXPECT_EQ(hasher.Finish(), Sha256({}));
}

TEST(HmacSha256Test, Rfc4231) {
  // Test case 1
  EXPECT_EQ(Hex(HmacSha256(Repeat(0x0b, 20), AsBytes("Hi There"))),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  // Test case 2
  EXPECT_EQ(Hex(HmacSha256(AsBytes("Jefe"), AsBytes("what do ya want for nothing?"))),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Test case 3
  EXPECT_EQ(Hex(HmacSha256(Repeat(0xaa, 20), Repeat(0xdd, 50))),
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
  // Test case 4
  EXPECT_EQ(Hex(HmacSha256(Range(1, 26), Repeat(0xcd, 50))),
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
  // Test case 5 (truncated to 128 bits)
  EXPECT_EQ(Hex(HmacSha256(Repeat(0x0c, 20), AsBytes("Test With Truncation"))).substr(0, 32),
            "a3b6167473100ee06e0c796c2955552b");
  // Test case 6: key longer than the block size
  EXPECT_EQ(Hex(HmacSha256(Repeat(0xaa, 131),
                           AsBytes("Test Using Larger Than Block-Size Key - Hash Key First"))),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  // Test case 7
  EXPECT_EQ(Hex(HmacSha256(Repeat(0xaa, 131),
                           AsBytes("This is a test using a larger than block-size key and a "
                                   "larger than block-size data. The key needs to be hashed "
                                   "before being used by the HMAC algorithm."))),
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST(HkdfSha256Test, Rfc5869) {
  // A.1: basic
  EXPECT_EQ(Hex(HkdfSha256(Repeat(0x0b, 22), Range(0x00, 0x0d), Range(0xf0, 0xfa), 42).value()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
  // A.2: longer inputs and outputs
  EXPECT_EQ(Hex(HkdfSha256(Range(0x00, 0x50), Range(0x60, 0xb0), Range(0xb0, 0x100), 82).value()),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
            "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
            "cc30c58179ec3e87c14c01d5c1f3434f1d87");
  // A.3: zero-length salt and info
  EXPECT_EQ(Hex(HkdfSha256(Repeat(0x0b, 22), {}, {}, 42).value()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(HkdfSha256Test, RejectsBadLengths) {
  EXPECT_EQ(HkdfSha256(Repeat(1, 32), {}, {}, 0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(HkdfSha256(Repeat(1, 32), {}, {}, 255 * 32 + 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(HkdfSha256(Repeat(1, 32), {}, {}, 255 * 32).value().size(), 255u * 32);
}

}  // namespace
}  // namespace klio::crypto
