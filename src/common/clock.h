#pragma once

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace zaman {

// The only source of wall-clock time for server logic (architecture.md,
// invariant 5). Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() const = 0;

  // The process-wide real clock.
  static Clock& Real();
};

// A clock that only moves when told to. For tests and simulations.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1700000000));

  absl::Time Now() const override;
  void Advance(absl::Duration d);
  void Set(absl::Time t);

 private:
  mutable absl::Mutex mu_;
  absl::Time now_ ABSL_GUARDED_BY(mu_);
};

}  // namespace zaman
