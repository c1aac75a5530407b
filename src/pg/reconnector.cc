#include "pg/reconnector.h"

#include <algorithm>
#include <cmath>

namespace klio::pg {

using std::chrono::milliseconds;

Reconnector::Reconnector(BackoffOptions options, env::Clock& clock, env::Random& random)
    : options_(options), clock_(clock), random_(random) {}

milliseconds Reconnector::NextDelay() {
  const double base = static_cast<double>(options_.initial_delay.count()) *
                      std::pow(std::max(options_.multiplier, 1.0), failures_);
  const double capped = std::min(base, static_cast<double>(options_.max_delay.count()));
  const double jitter = std::clamp(options_.jitter, 0.0, 1.0);
  const double factor = 1.0 - jitter + 2.0 * jitter * random_.NextDouble();
  // Stop growing once capped, so failures_ cannot overflow pow() into infinity.
  if (base < static_cast<double>(options_.max_delay.count())) ++failures_;
  return milliseconds(static_cast<int64_t>(std::llround(capped * factor)));
}

Status Reconnector::Run(const Attempt& attempt, const std::stop_token& stop) {
  uint32_t failed_in_a_row = 0;
  while (!stop.stop_requested()) {
    bool progressed = false;
    ++attempts_;
    Status s = attempt(&progressed);
    if (s.ok() || !s.IsRetryable()) return s;
    if (progressed) {
      Reset();
      failed_in_a_row = 0;
    }
    if (options_.max_attempts != 0 && ++failed_in_a_row >= options_.max_attempts) return s;
    auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(NextDelay());
    while (left > std::chrono::nanoseconds(0) && !stop.stop_requested()) {
      const auto slice = std::min<std::chrono::nanoseconds>(left, milliseconds(100));
      clock_.SleepFor(slice);
      left -= slice;
    }
  }
  return Status::Ok();
}

}  // namespace klio::pg
