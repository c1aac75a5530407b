# Benchmarks for src/base: WAL file name and LSN parsing and formatting.
klio_bench(base_bench SRCS base_bench.cc DEPS klio_base)
