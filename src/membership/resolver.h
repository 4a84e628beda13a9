#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace zaman::membership {

// The roles a zaman process can run (`--services`).
enum class Role { kFrontend, kHistory, kMatching, kWorker };
const char* RoleName(Role role);

// Who owns what in the cluster: for each role, a consistent-hash ring over
// its live hosts. Keys are history shard ids and task-queue partitions.
// Thread-safe.
class Resolver {
 public:
  virtual ~Resolver() = default;
  // The address ("ip:port") of the live `role` host that owns `key`;
  // Unavailable while no such host is live.
  virtual absl::StatusOr<std::string> Owner(Role role, const std::string& key) = 0;
  // A call found that the owner it was told of is not (or not yet) one:
  // the view is read again soon.
  virtual void Refresh() = 0;
};

}  // namespace zaman::membership
