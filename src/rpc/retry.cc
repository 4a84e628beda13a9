#include "rpc/retry.h"

#include <algorithm>

#include "common/errors.h"

namespace zaman::rpc {

bool Retryable(const absl::Status& status) {
  return errors::IsShardOwnershipLost(status) || status.code() == absl::StatusCode::kUnavailable;
}

absl::Duration RetryBackoff(int attempt) {
  return std::min(absl::Milliseconds(50) * (1 << std::min(attempt - 1, 5)), absl::Seconds(1));
}

}  // namespace zaman::rpc
