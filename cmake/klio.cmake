# Helpers shared by every folder.
#
# klio_library(NAME SRCS ... DEPS ...)  one static library per src/ folder; DEPS are the
#   folders (klio_<folder>) or third-party targets it may use — the link graph is the layering.
# klio_test(NAME SRCS ... DEPS ... [LABELS ...])  a gtest binary registered with ctest.
# klio_bench(NAME SRCS ... DEPS ...)  a Google Benchmark binary (not run by ctest).

function(klio_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src ${PROJECT_BINARY_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

function(klio_test name)
  if(NOT KLIO_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
               ENVIRONMENT "KLIO_SOURCE_DIR=${PROJECT_SOURCE_DIR};KLIO_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()

function(klio_bench name)
  if(NOT KLIO_BUILD_BENCH)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark benchmark::benchmark_main)
endfunction()
