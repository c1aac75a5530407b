# Benchmarks of the Tier 1 WAL archive data path (src/wal): ingest (compress + encrypt +
# write, with and without fsync) and read back (decrypt + decompress).
if(TARGET klio_wal)
  klio_bench(wal_archive_bench SRCS wal_archive_bench.cc DEPS klio_wal)
endif()
