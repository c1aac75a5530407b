// Child process for log_test.cc: `log_test_helper exit|abort N` configures klio::log to write
// JSON to stdout (batched, the default), logs N info lines {"i": 0..N-1}, then returns from
// main (the exit flush must write them) or calls abort() (the fatal-signal flush should).
#include <cstdlib>
#include <string_view>

#include "telemetry/log.h"

int main(int argc, char** argv) {
  if (argc != 3) return 2;
  const std::string_view mode = argv[1];
  const int n = std::atoi(argv[2]);
  klio::log::Configure(klio::log::Options{.fd = 1});
  const klio::log::Logger logger = klio::log::GetLogger("klio.test");
  for (int i = 0; i < n; ++i) logger.Info("child line", {{"i", i}});
  if (mode == "abort") std::abort();
  return 0;
}
