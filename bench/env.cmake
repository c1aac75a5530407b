# Benchmarks of src/env on the real disk (temp dir under /tmp).
klio_bench(env_bench SRCS env_bench.cc DEPS klio_env)
