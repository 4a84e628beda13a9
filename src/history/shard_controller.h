#pragma once

#include <string>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "history/history_engine.h"
#include "membership/membership.h"

namespace zaman::history {

// Keeps this history host's shards what the history ring says: takes the
// shards the ring gives it (bumping their range id fences the previous
// owner, whose next commit fails), gives back the ones it moved away, and
// takes back a shard another host stole while the ring still says it is
// ours. Runs on a thread of its own: on every ring change and every few
// seconds.
class ShardController {
 public:
  ShardController(HistoryEngine& engine, membership::Membership& membership, std::string self_address);
  ~ShardController();

  void Start();
  // Gives back every shard at once (a graceful leave hands them off).
  void Stop();

 private:
  void Loop();
  void Reconcile();

  HistoryEngine& engine_;
  membership::Membership& membership_;
  const std::string self_address_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool changed_ ABSL_GUARDED_BY(mu_) = true;
  std::thread thread_;
};

}  // namespace zaman::history
