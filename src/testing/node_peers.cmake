# Fixtures for the Node.js test peers in test/peers/ (the S3 front over s3rver and the OTLP
# receiver), part of klio_testing. The peers' npm dependencies are pinned by
# test/peers/package-lock.json and installed by scripts/install-deps.sh.
target_sources(klio_testing PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/node_peer.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/s3_fixture.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/otlp_fixture.cc)
target_link_libraries(klio_testing PUBLIC CURL::libcurl nlohmann_json::nlohmann_json)

klio_test(testing_s3_fixture_test
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/s3_fixture_test.cc
  DEPS klio_testing OpenSSL::Crypto
  LABELS peer)

klio_test(testing_otlp_fixture_test
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/otlp_fixture_test.cc
  DEPS klio_testing gRPC::grpc++ ZLIB::ZLIB
  LABELS peer)

# The S3 front must accept everything the official AWS SDK signs correctly (queries, batch
# delete, multipart, presigned URLs) and refuse tampered requests.
if(KLIO_BUILD_TESTS)
  find_program(KLIO_NODE_EXECUTABLE node)
  if(KLIO_NODE_EXECUTABLE)
    add_test(NAME testing_s3_front_sdk_selftest
      COMMAND ${KLIO_NODE_EXECUTABLE} ${PROJECT_SOURCE_DIR}/test/peers/s3-front-selftest.js)
    set_tests_properties(testing_s3_front_sdk_selftest PROPERTIES
      LABELS peer TIMEOUT 120
      ENVIRONMENT "NODE_OPTIONS=--openssl-legacy-provider")
  endif()
endif()
