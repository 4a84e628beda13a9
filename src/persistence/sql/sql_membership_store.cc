#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "persistence/sql/sql_stores.h"

namespace zaman::persistence::sql {
namespace {

int64_t Millis(absl::Time t) { return static_cast<int64_t>(absl::ToUnixMillis(t)); }

// A heartbeat is idempotent, so a commit whose outcome is unknown needs no
// reading back: the host's next heartbeat writes the row again.
class SqlMembershipStore final : public MembershipStore {
 public:
  explicit SqlMembershipStore(ConnectionPool& pool) : pool_(pool) {}

  absl::Status Heartbeat(const HostRecord& host) override {
    // Delete and insert rather than a dialect's upsert: only the host itself
    // writes its row, so the two never race with another writer.
    return pool_.Transaction([&](Connection& c) -> absl::Status {
      absl::StatusOr<Result> r =
          c.Run("DELETE FROM cluster_membership WHERE role = ? AND host_id = ?", {host.role, host.host_id});
      if (r.ok()) {
        r = c.Run(
            "INSERT INTO cluster_membership (role, host_id, rpc_address, session_start_ms, last_heartbeat_ms,"
            " expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)",
            {host.role, host.host_id, host.rpc_address, Millis(host.session_start), Millis(host.last_heartbeat),
             Millis(host.expires_at)});
      }
      return r.status();
    });
  }

  absl::StatusOr<std::vector<HostRecord>> LiveHosts(absl::string_view role, absl::Time alive_at) override {
    absl::StatusOr<Result> r = pool_.Query(
        "SELECT host_id, rpc_address, session_start_ms, last_heartbeat_ms, expires_at_ms FROM cluster_membership"
        " WHERE role = ? AND expires_at_ms > ? ORDER BY host_id",
        {std::string(role), Millis(alive_at)});
    if (!r.ok()) return r.status();
    std::vector<HostRecord> hosts;
    for (size_t i = 0; i < r->rows(); ++i) {
      HostRecord& host = hosts.emplace_back();
      host.host_id = r->Bytes(i, 0);
      host.role = std::string(role);
      host.rpc_address = r->Bytes(i, 1);
      host.session_start = absl::FromUnixMillis(r->Int(i, 2));
      host.last_heartbeat = absl::FromUnixMillis(r->Int(i, 3));
      host.expires_at = absl::FromUnixMillis(r->Int(i, 4));
    }
    return hosts;
  }

  absl::Status Leave(absl::string_view role, absl::string_view host_id) override {
    return pool_.Transaction([&](Connection& c) {
      return c.Run("DELETE FROM cluster_membership WHERE role = ? AND host_id = ?",
                   {std::string(role), std::string(host_id)})
          .status();
    });
  }

  absl::Status PruneExpired(absl::Time before) override {
    return pool_.Transaction([&](Connection& c) {
      return c.Run("DELETE FROM cluster_membership WHERE expires_at_ms < ?", {Millis(before)}).status();
    });
  }

 private:
  ConnectionPool& pool_;
};

}  // namespace

std::unique_ptr<MembershipStore> NewMembershipStore(ConnectionPool& pool) {
  return std::make_unique<SqlMembershipStore>(pool);
}

}  // namespace zaman::persistence::sql
