// The `klio` executable: everything but the process boundary lives in cli/app.h.
#include <csignal>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "base/status.h"
#include "cli/app.h"
#include "env/clock.h"
#include "env/file_system.h"

int main(int argc, char** argv) {
  // A closed stdout/stderr pipe (e.g. `klio ... | head`) must surface as a write error, not
  // kill the process with SIGPIPE in the middle of a log line or a durable write.
  std::signal(SIGPIPE, SIG_IGN);
  try {
    std::vector<std::string> args(argv, argv + argc);
    return klio::cli::RunKlio(args, klio::cli::AppIo{.out = std::cout,
                                                     .err = std::cerr,
                                                     .env = klio::cli::ProcessEnvironment(),
                                                     .fs = klio::env::DefaultFileSystem(),
                                                     .clock = klio::env::RealClock()});
  } catch (const std::exception& e) {
    // Third-party code may throw; klio's own code reports Status instead.
    std::cerr << "klio: error: internal error: " << e.what() << "\n";
    return klio::kExitError;
  }
}
