#pragma once

#include <cstdint>
#include <string>

namespace zaman::history {

// The shard a workflow id lives on. Every host computes the same answer
// (a fixed hash, FNV-1a, not absl::Hash, which is seeded per process); the
// shard count is fixed when the store is created.
inline int32_t ShardOfWorkflow(const std::string& namespace_id, const std::string& workflow_id, int num_shards) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
    h ^= 0xff;
    h *= 1099511628211ull;
  };
  mix(namespace_id);
  mix(workflow_id);
  return static_cast<int32_t>(h % static_cast<uint64_t>(num_shards));
}

}  // namespace zaman::history
