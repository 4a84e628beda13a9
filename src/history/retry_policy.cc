#include "history/retry_policy.h"

#include <algorithm>
#include <cmath>

#include <google/protobuf/util/time_util.h>

namespace zaman::history {

using ::google::protobuf::util::TimeUtil;
namespace enums = ::temporal::api::enums::v1;

namespace {

absl::Duration FromProto(const google::protobuf::Duration& d) {
  return absl::Nanoseconds(TimeUtil::DurationToNanoseconds(d));
}

google::protobuf::Duration ToProto(absl::Duration d) {
  return TimeUtil::NanosecondsToDuration(absl::ToInt64Nanoseconds(d));
}

// The failure type name the retry policy's non_retryable_error_types match.
std::string FailureType(const temporal::api::failure::v1::Failure& failure) {
  if (failure.has_application_failure_info()) return failure.application_failure_info().type();
  if (failure.has_timeout_failure_info()) {
    switch (failure.timeout_failure_info().timeout_type()) {
      case enums::TIMEOUT_TYPE_START_TO_CLOSE: return "TemporalTimeout:StartToClose";
      case enums::TIMEOUT_TYPE_HEARTBEAT: return "TemporalTimeout:Heartbeat";
      case enums::TIMEOUT_TYPE_SCHEDULE_TO_START: return "TemporalTimeout:ScheduleToStart";
      case enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE: return "TemporalTimeout:ScheduleToClose";
      default: return "";
    }
  }
  return "";
}

}  // namespace

void ApplyRetryDefaults(temporal::api::common::v1::RetryPolicy& policy) {
  if (FromProto(policy.initial_interval()) <= absl::ZeroDuration()) {
    *policy.mutable_initial_interval() = ToProto(absl::Seconds(1));
  }
  if (policy.backoff_coefficient() == 0) policy.set_backoff_coefficient(2.0);
  if (FromProto(policy.maximum_interval()) <= absl::ZeroDuration()) {
    *policy.mutable_maximum_interval() = ToProto(100 * FromProto(policy.initial_interval()));
  }
}

RetryDecision DecideRetry(const temporal::api::common::v1::RetryPolicy& policy, int32_t attempt,
                          const temporal::api::failure::v1::Failure& failure, absl::Time now,
                          std::optional<absl::Time> expiration) {
  if (failure.has_application_failure_info() && failure.application_failure_info().non_retryable()) {
    return {std::nullopt, enums::RETRY_STATE_NON_RETRYABLE_FAILURE};
  }
  if (failure.has_timeout_failure_info()) {
    auto type = failure.timeout_failure_info().timeout_type();
    if (type == enums::TIMEOUT_TYPE_SCHEDULE_TO_START || type == enums::TIMEOUT_TYPE_SCHEDULE_TO_CLOSE) {
      return {std::nullopt, enums::RETRY_STATE_TIMEOUT};
    }
  }
  if (failure.has_canceled_failure_info() || failure.has_terminated_failure_info()) {
    return {std::nullopt, enums::RETRY_STATE_NON_RETRYABLE_FAILURE};
  }
  std::string type = FailureType(failure);
  for (const std::string& non_retryable : policy.non_retryable_error_types()) {
    if (!type.empty() && non_retryable == type) return {std::nullopt, enums::RETRY_STATE_NON_RETRYABLE_FAILURE};
  }
  if (policy.maximum_attempts() > 0 && attempt >= policy.maximum_attempts()) {
    return {std::nullopt, enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED};
  }
  absl::Duration initial = FromProto(policy.initial_interval());
  absl::Duration maximum = FromProto(policy.maximum_interval());
  double factor = std::pow(std::max(policy.backoff_coefficient(), 1.0), std::max(attempt - 1, 0));
  absl::Duration delay = std::min(initial * factor, maximum);
  if (failure.has_application_failure_info() && failure.application_failure_info().has_next_retry_delay()) {
    delay = FromProto(failure.application_failure_info().next_retry_delay());
  }
  if (expiration && now + delay > *expiration) return {std::nullopt, enums::RETRY_STATE_TIMEOUT};
  return {delay, enums::RETRY_STATE_IN_PROGRESS};
}

}  // namespace zaman::history
