#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace zaman::persistence {

// Facts fixed when a cluster's store is created.
struct ClusterMetadata {
  std::string cluster_name;
  std::string cluster_id;
  int32_t num_shards = 0;
  absl::Time created_at;
};

// Cluster-wide records. Thread-safe; calls may block on I/O.
class ClusterStore {
 public:
  virtual ~ClusterStore() = default;

  // Returns the stored metadata. On a new store, first stores `initial`; on
  // an existing one, `initial` is ignored: num_shards never changes.
  virtual absl::StatusOr<ClusterMetadata> InitClusterMetadata(const ClusterMetadata& initial) = 0;
};

}  // namespace zaman::persistence
