#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace zaman::persistence {

// One running host of one role, as it last announced itself.
struct HostRecord {
  std::string host_id;      // unique per process start (a uuid)
  std::string role;         // "frontend", "history", "matching", "worker"
  std::string rpc_address;  // "ip:port" other hosts dial
  absl::Time session_start;
  absl::Time last_heartbeat;
  absl::Time expires_at;  // a host is live while expires_at > now
};

// The cluster's host registry (`cluster_membership`): each host rewrites its
// own row every few seconds, and everyone reads the live rows to build the
// ring. Times are kept to the millisecond. Thread-safe; calls block on I/O.
class MembershipStore {
 public:
  virtual ~MembershipStore() = default;

  // Inserts or replaces the row for (role, host_id).
  virtual absl::Status Heartbeat(const HostRecord& host) = 0;
  // Hosts of `role` with expires_at > alive_at, ordered by host_id.
  virtual absl::StatusOr<std::vector<HostRecord>> LiveHosts(absl::string_view role, absl::Time alive_at) = 0;
  // A graceful leave: the row is removed. OK when there is none.
  virtual absl::Status Leave(absl::string_view role, absl::string_view host_id) = 0;
  // Removes rows that expired before `before` (housekeeping).
  virtual absl::Status PruneExpired(absl::Time before) = 0;
};

}  // namespace zaman::persistence
