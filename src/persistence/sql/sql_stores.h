#pragma once

// Internal to the SQL backends: the stores written once over Connection and
// used by postgres/ and mysql/, each with its dialect.

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "persistence/sql/connection_pool.h"
#include "persistence/sql/dialect.h"
#include "persistence/store.h"

namespace zaman::persistence::sql {

std::unique_ptr<ExecutionStore> NewExecutionStore(ConnectionPool& pool, Dialect dialect);
std::unique_ptr<NamespaceStore> NewNamespaceStore(ConnectionPool& pool);
std::unique_ptr<ClusterStore> NewClusterStore(ConnectionPool& pool, Dialect dialect);
std::unique_ptr<VisibilityStore> NewVisibilityStore(ConnectionPool& pool, Dialect dialect);
std::unique_ptr<JobStore> NewJobStore(ConnectionPool& pool);
std::unique_ptr<MembershipStore> NewMembershipStore(ConnectionPool& pool);
std::unique_ptr<TaskQueueStore> NewTaskQueueStore(ConnectionPool& pool, Dialect dialect);

// How a driver reaches its server: the database the config names, or (to
// create it) the server's default one.
struct Driver {
  Dialect dialect;
  // `schema[i]` takes the schema from version i to i + 1.
  const std::vector<absl::string_view>* schema;
  Connector connect;
  Connector connect_without_database;
  // The statements that create the database when it is missing.
  std::function<absl::Status(Connection&)> create_database;
};

// A store on the driver's database. FailedPrecondition, saying which `zaman
// db` command to run, when its schema is missing, older or newer than this
// binary's.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const Driver& driver, int max_connections);

// `zaman db setup` (create the database when missing, then every schema
// version), `migrate` (the versions not applied yet), `version` (applied,
// known).
absl::Status SetupSchema(const Driver& driver);
absl::Status MigrateSchema(const Driver& driver);
absl::StatusOr<std::pair<int, int>> SchemaVersion(const Driver& driver);

}  // namespace zaman::persistence::sql
