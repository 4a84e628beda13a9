#pragma once

#include <optional>

#include "absl/time/time.h"
#include "temporal/api/common/v1/message.pb.h"
#include "temporal/api/enums/v1/workflow.pb.h"
#include "temporal/api/failure/v1/message.pb.h"

namespace zaman::history {

// Fills the unset fields of an activity retry policy with Temporal's
// defaults: 1 s initial interval, coefficient 2, maximum 100 x initial,
// unlimited attempts.
void ApplyRetryDefaults(temporal::api::common::v1::RetryPolicy& policy);

// The delay before the next attempt after `attempt` failed with `failure`,
// or the retry state that says why there is none.
struct RetryDecision {
  std::optional<absl::Duration> delay;
  temporal::api::enums::v1::RetryState state;
};
RetryDecision DecideRetry(const temporal::api::common::v1::RetryPolicy& policy, int32_t attempt,
                          const temporal::api::failure::v1::Failure& failure, absl::Time now,
                          std::optional<absl::Time> expiration);

}  // namespace zaman::history
