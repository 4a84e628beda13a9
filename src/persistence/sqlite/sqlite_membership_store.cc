#include "persistence/sqlite/sqlite_membership_store.h"

#include <string>
#include <vector>

#include <SQLiteCpp/SQLiteCpp.h>

namespace zaman::persistence::sqlite {
namespace {

int64_t Millis(absl::Time t) { return static_cast<int64_t>(absl::ToUnixMillis(t)); }

class SqliteMembershipStore final : public MembershipStore {
 public:
  explicit SqliteMembershipStore(Database& db) : db_(db) {}

  absl::Status Heartbeat(const HostRecord& host) override {
    return db_.Run("membership heartbeat", [&](SQLite::Database&) -> absl::Status {
      PreparedStatement upsert = db_.Prepare(
          "INSERT OR REPLACE INTO cluster_membership (role, host_id, rpc_address, session_start_ms,"
          " last_heartbeat_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?)");
      (*upsert).bind(1, host.role);
      (*upsert).bind(2, host.host_id);
      (*upsert).bind(3, host.rpc_address);
      (*upsert).bind(4, Millis(host.session_start));
      (*upsert).bind(5, Millis(host.last_heartbeat));
      (*upsert).bind(6, Millis(host.expires_at));
      (*upsert).exec();
      return absl::OkStatus();
    });
  }

  absl::StatusOr<std::vector<HostRecord>> LiveHosts(absl::string_view role, absl::Time alive_at) override {
    std::vector<HostRecord> hosts;
    absl::Status status = db_.Run("read live hosts", [&](SQLite::Database&) -> absl::Status {
      PreparedStatement q = db_.Prepare(
          "SELECT host_id, rpc_address, session_start_ms, last_heartbeat_ms, expires_at_ms FROM cluster_membership"
          " WHERE role = ? AND expires_at_ms > ? ORDER BY host_id");
      (*q).bind(1, std::string(role));
      (*q).bind(2, Millis(alive_at));
      while ((*q).executeStep()) {
        HostRecord& host = hosts.emplace_back();
        host.host_id = (*q).getColumn(0).getString();
        host.role = std::string(role);
        host.rpc_address = (*q).getColumn(1).getString();
        host.session_start = absl::FromUnixMillis((*q).getColumn(2).getInt64());
        host.last_heartbeat = absl::FromUnixMillis((*q).getColumn(3).getInt64());
        host.expires_at = absl::FromUnixMillis((*q).getColumn(4).getInt64());
      }
      return absl::OkStatus();
    });
    if (!status.ok()) return status;
    return hosts;
  }

  absl::Status Leave(absl::string_view role, absl::string_view host_id) override {
    return db_.Run("membership leave", [&](SQLite::Database&) -> absl::Status {
      PreparedStatement del = db_.Prepare("DELETE FROM cluster_membership WHERE role = ? AND host_id = ?");
      (*del).bind(1, std::string(role));
      (*del).bind(2, std::string(host_id));
      (*del).exec();
      return absl::OkStatus();
    });
  }

  absl::Status PruneExpired(absl::Time before) override {
    return db_.Run("prune expired hosts", [&](SQLite::Database&) -> absl::Status {
      PreparedStatement del = db_.Prepare("DELETE FROM cluster_membership WHERE expires_at_ms < ?");
      (*del).bind(1, Millis(before));
      (*del).exec();
      return absl::OkStatus();
    });
  }

 private:
  Database& db_;
};

}  // namespace

std::unique_ptr<MembershipStore> NewMembershipStore(Database& db) {
  return std::make_unique<SqliteMembershipStore>(db);
}

}  // namespace zaman::persistence::sqlite
