# Real-peer fixtures for PostgreSQL 15 and nats-server (JetStream), part of klio_testing.
target_sources(klio_testing PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/postgres_fixture.cc
  ${CMAKE_CURRENT_SOURCE_DIR}/nats_fixture.cc)
target_link_libraries(klio_testing PUBLIC PkgConfig::LIBPQ PkgConfig::NATS)

klio_test(testing_postgres_fixture_test
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/postgres_fixture_test.cc
  DEPS klio_testing
  LABELS peer)

klio_test(testing_nats_fixture_test
  SRCS ${CMAKE_CURRENT_SOURCE_DIR}/nats_fixture_test.cc
  DEPS klio_testing
  LABELS peer)
