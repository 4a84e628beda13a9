#pragma once

#include <functional>
#include <map>
#include <set>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "membership/resolver.h"
#include "membership/ring.h"
#include "persistence/membership_store.h"

namespace zaman::membership {

struct MembershipOptions {
  // How often this host rewrites its rows, and how long a row lives
  // without one: a host that stops heartbeating (killed, cut off) drops out
  // of every ring `ttl` after its last heartbeat at the latest.
  absl::Duration heartbeat_interval = absl::Seconds(3);
  absl::Duration ttl = absl::Seconds(10);
  // How often the live hosts are read (the rings rebuilt when they change).
  absl::Duration refresh_interval = absl::Seconds(1);
};

// This host in the cluster, through the store's membership table: it
// registers the roles it runs (with the address each listens on),
// heartbeats, and keeps a ring per role over the live hosts. No gossip: the
// table is the truth, read every second. Thread-safe.
class Membership final : public Resolver {
 public:
  Membership(persistence::MembershipStore& store, std::string host_id, MembershipOptions options = {});
  ~Membership() override;

  // A role this process runs, with the address it listens on for it
  // (before Start).
  void AddRole(Role role, std::string address) { roles_[role] = std::move(address); }
  // Registers this host and reads the others (blocking), then keeps doing
  // so on a thread of its own.
  absl::Status Start();
  // Leaves at once (the rows removed, so that the others move this host's
  // keys now rather than at expiry), then stops.
  void Leave();

  // Called after a role's ring changed, on the membership thread.
  void OnChange(std::function<void(Role)> listener);

  // Resolver.
  absl::StatusOr<std::string> Owner(Role role, const std::string& key) override;
  void Refresh() override;
  void Unreachable(const std::string& address) override;

  const std::string& host_id() const { return host_id_; }

 private:
  absl::Status Heartbeat();
  // Reads the live hosts; the roles whose ring changed.
  absl::StatusOr<std::vector<Role>> ReadRings();
  void Loop();
  // Checks the addresses calls could not reach (membership thread).
  void ProbeUnreachable();

  persistence::MembershipStore& store_;
  const std::string host_id_;
  std::map<Role, std::string> roles_;
  const MembershipOptions options_;
  const absl::Time session_start_;

  absl::Mutex mu_;
  std::map<Role, std::shared_ptr<const HashRing>> rings_ ABSL_GUARDED_BY(mu_);
  std::vector<std::function<void(Role)>> listeners_ ABSL_GUARDED_BY(mu_);
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  bool refresh_now_ ABSL_GUARDED_BY(mu_) = false;
  // Addresses found unreachable, with the heartbeat their row had then:
  // left out of the rings until the row shows a later one.
  std::map<std::string, absl::Time> unreachable_ ABSL_GUARDED_BY(mu_);
  std::set<std::string> to_probe_ ABSL_GUARDED_BY(mu_);
  // Rows as last read, for the heartbeat an unreachable address had.
  std::map<std::string, absl::Time> last_heartbeat_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace zaman::membership
