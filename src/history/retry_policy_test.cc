#include "history/retry_policy.h"

#include <gtest/gtest.h>

namespace zaman::history {
namespace {

namespace enums = ::temporal::api::enums::v1;
using temporal::api::common::v1::RetryPolicy;
using temporal::api::failure::v1::Failure;

Failure AppFailure(const std::string& type, bool non_retryable = false) {
  Failure failure;
  failure.set_message("boom");
  failure.mutable_application_failure_info()->set_type(type);
  failure.mutable_application_failure_info()->set_non_retryable(non_retryable);
  return failure;
}

RetryPolicy Defaults() {
  RetryPolicy policy;
  ApplyRetryDefaults(policy);
  return policy;
}

TEST(RetryPolicyTest, DefaultsAreTemporals) {
  RetryPolicy policy = Defaults();
  EXPECT_EQ(policy.initial_interval().seconds(), 1);
  EXPECT_EQ(policy.backoff_coefficient(), 2.0);
  EXPECT_EQ(policy.maximum_interval().seconds(), 100);
  EXPECT_EQ(policy.maximum_attempts(), 0);
}

TEST(RetryPolicyTest, BackoffGrowsAndIsCapped) {
  RetryPolicy policy = Defaults();
  absl::Time now = absl::FromUnixSeconds(1000);
  EXPECT_EQ(DecideRetry(policy, 1, AppFailure("E"), now, std::nullopt).delay, absl::Seconds(1));
  EXPECT_EQ(DecideRetry(policy, 2, AppFailure("E"), now, std::nullopt).delay, absl::Seconds(2));
  EXPECT_EQ(DecideRetry(policy, 4, AppFailure("E"), now, std::nullopt).delay, absl::Seconds(8));
  EXPECT_EQ(DecideRetry(policy, 30, AppFailure("E"), now, std::nullopt).delay, absl::Seconds(100));
}

TEST(RetryPolicyTest, StopsAtMaximumAttempts) {
  RetryPolicy policy = Defaults();
  policy.set_maximum_attempts(3);
  absl::Time now = absl::FromUnixSeconds(1000);
  EXPECT_TRUE(DecideRetry(policy, 2, AppFailure("E"), now, std::nullopt).delay.has_value());
  RetryDecision last = DecideRetry(policy, 3, AppFailure("E"), now, std::nullopt);
  EXPECT_FALSE(last.delay.has_value());
  EXPECT_EQ(last.state, enums::RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED);
}

TEST(RetryPolicyTest, NonRetryableTypesAndFlagsStop) {
  RetryPolicy policy = Defaults();
  policy.add_non_retryable_error_types("Fatal");
  absl::Time now = absl::FromUnixSeconds(1000);
  EXPECT_EQ(DecideRetry(policy, 1, AppFailure("Fatal"), now, std::nullopt).state,
            enums::RETRY_STATE_NON_RETRYABLE_FAILURE);
  EXPECT_EQ(DecideRetry(policy, 1, AppFailure("Other", true), now, std::nullopt).state,
            enums::RETRY_STATE_NON_RETRYABLE_FAILURE);
  EXPECT_EQ(DecideRetry(policy, 1, AppFailure("Other"), now, std::nullopt).state,
            enums::RETRY_STATE_IN_PROGRESS);
}

TEST(RetryPolicyTest, ExpirationEndsRetries) {
  RetryPolicy policy = Defaults();
  absl::Time now = absl::FromUnixSeconds(1000);
  RetryDecision decision = DecideRetry(policy, 3, AppFailure("E"), now, now + absl::Seconds(2));
  EXPECT_FALSE(decision.delay.has_value());
  EXPECT_EQ(decision.state, enums::RETRY_STATE_TIMEOUT);
}

TEST(RetryPolicyTest, NextRetryDelayOverrides) {
  RetryPolicy policy = Defaults();
  Failure failure = AppFailure("E");
  failure.mutable_application_failure_info()->mutable_next_retry_delay()->set_seconds(42);
  EXPECT_EQ(DecideRetry(policy, 1, failure, absl::FromUnixSeconds(0), std::nullopt).delay, absl::Seconds(42));
}

}  // namespace
}  // namespace zaman::history
