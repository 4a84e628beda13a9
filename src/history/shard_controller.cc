#include "history/shard_controller.h"

#include <spdlog/spdlog.h>

namespace zaman::history {
namespace {

// How often ownership is checked without a ring change (a shard stolen
// back and forth, an acquisition that failed).
constexpr absl::Duration kReconcileInterval = absl::Seconds(5);

}  // namespace

ShardController::ShardController(HistoryEngine& engine, membership::Membership& membership,
                                 std::string self_address)
    : engine_(engine), membership_(membership), self_address_(std::move(self_address)) {}

ShardController::~ShardController() { Stop(); }

void ShardController::Start() {
  membership_.OnChange([this](membership::Role role) {
    if (role != membership::Role::kHistory) return;
    absl::MutexLock lock(&mu_);
    changed_ = true;
  });
  thread_ = std::thread([this] { Loop(); });
}

void ShardController::Stop() {
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
  for (int i = 0; i < engine_.num_shards(); ++i) engine_.ReleaseShard(i);
}

void ShardController::Loop() {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_ || changed_; };
      mu_.AwaitWithTimeout(absl::Condition(&wake), kReconcileInterval);
      if (stopping_) return;
      changed_ = false;
    }
    Reconcile();
  }
}

void ShardController::Reconcile() {
  int acquired = 0;
  int released = 0;
  // Give back first: the new owners can take those at once.
  std::vector<int32_t> mine;
  for (int32_t shard = 0; shard < engine_.num_shards(); ++shard) {
    absl::StatusOr<std::string> owner = membership_.Owner(membership::Role::kHistory, std::to_string(shard));
    if (!owner.ok()) return;  // not even this host is in the ring yet
    if (*owner == self_address_) {
      mine.push_back(shard);
    } else if (engine_.ShardRunning(shard)) {  // owned, or lost and not yet stopped
      engine_.ReleaseShard(shard);
      ++released;
    }
  }
  for (int32_t shard : mine) {
    if (engine_.OwnsShard(shard)) continue;
    if (absl::Status s = engine_.AcquireShard(shard); !s.ok()) {
      spdlog::warn("shard {}: could not take it: {}", shard, s.ToString());
      continue;
    }
    ++acquired;
  }
  if (acquired > 0 || released > 0) {
    spdlog::info("history shards: took {}, gave back {}; this host owns {} of {}", acquired, released, mine.size(),
                 engine_.num_shards());
  }
}

}  // namespace zaman::history
