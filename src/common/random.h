#pragma once

#include <cstdint>
#include <random>
#include <string>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace zaman {

// The only source of randomness for server logic (architecture.md,
// invariant 5). Thread-safe.
class Random {
 public:
  // A generator seeded from the operating system.
  Random();
  // A deterministic generator, for tests and simulations.
  explicit Random(uint64_t seed);

  uint64_t Next();

  // A random (version 4) UUID in its canonical text form.
  std::string NewUuid();
  // A time-ordered (version 7) UUID for `now`: what Temporal gives run ids.
  std::string NewUuidV7(absl::Time now);

 private:
  absl::Mutex mu_;
  std::mt19937_64 engine_ ABSL_GUARDED_BY(mu_);
};

}  // namespace zaman
