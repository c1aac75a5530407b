# AEAD, hashing and key derivation primitives for data at rest (the Tier 1 WAL archive):
# AES-256-GCM, SHA-256, HMAC-SHA256, HKDF-SHA256 and the archive EncryptionKey.
# Added to klio_crypto (defined in CMakeLists.txt beside this file).
if(TARGET klio_crypto)
  target_sources(klio_crypto PRIVATE
    ${CMAKE_CURRENT_LIST_DIR}/aead.cc
    ${CMAKE_CURRENT_LIST_DIR}/kdf.cc)
  target_link_libraries(klio_crypto PUBLIC OpenSSL::Crypto)

  klio_test(crypto_aead_test
    SRCS
      ${CMAKE_CURRENT_LIST_DIR}/aead_test.cc
      ${CMAKE_CURRENT_LIST_DIR}/kdf_test.cc
    DEPS klio_crypto klio_testing)
endif()
