#pragma once

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace zaman::rpc {

// Whether a call to another host may be made again, there or elsewhere:
// the host did not own what was asked for (yet, or any more), or could not
// be reached.
bool Retryable(const absl::Status& status);

// The pause before attempt `attempt` (1, 2, ...): 50 ms doubling to 1 s.
absl::Duration RetryBackoff(int attempt);

// How long a routed call keeps trying before it gives up with the last
// error; long polls keep trying until their own deadline.
inline constexpr absl::Duration kRoutingBudget = absl::Seconds(20);

}  // namespace zaman::rpc
