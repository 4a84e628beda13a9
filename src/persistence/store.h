#pragma once

#include "absl/strings/string_view.h"
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "persistence/cluster_store.h"
#include "persistence/execution_store.h"
#include "persistence/job_store.h"
#include "persistence/membership_store.h"
#include "persistence/namespace_store.h"
#include "persistence/task_queue_store.h"
#include "persistence/visibility_store.h"

namespace zaman::persistence {

// TLS to the database server.
struct SqlTlsConfig {
  bool enabled = false;
  std::string ca_file;      // verify the server's certificate against this CA
  std::string cert_file;    // a client certificate, when the server asks for one
  std::string key_file;
  std::string server_name;  // the name the certificate must carry (PostgreSQL; default: host)
};

// A PostgreSQL or MySQL/MariaDB server (`persistence.postgres` / `.mysql`).
struct SqlConfig {
  std::string host = "127.0.0.1";
  int port = 0;  // 0: the driver's default (5432, 3306)
  std::string user = "zaman";
  std::string password;
  std::string database = "zaman";
  int max_connections = 20;
  absl::Duration connect_timeout = absl::Seconds(5);
  SqlTlsConfig tls;
};

// How much disk an SQLite store may hold beyond its data
// (`persistence.sqlite.*`; docs/configuration.md).
struct SqliteSpaceConfig {
  // The write-ahead log is checkpointed and truncated when it passes this.
  int64_t wal_limit_bytes = int64_t{64} << 20;
  // Free pages beyond this are handed back to the file system, in small
  // steps (files created with incremental auto-vacuum only). 0: never.
  int64_t free_limit_bytes = int64_t{32} << 20;
};

// Where a store lives; see docs/configuration.md.
struct PersistenceConfig {
  // "sqlite", "memory" (SQLite in memory), "postgres" or "mysql" (MySQL 8, MariaDB).
  std::string driver = "sqlite";
  std::string sqlite_path = "zaman.db";  // a file, or ":memory:"
  SqliteSpaceConfig sqlite_space;
  SqlConfig sql;  // postgres, mysql
};

// One backend's set of stores. Owned by the server wiring; outlives every
// role that uses it.
class Store {
 public:
  virtual ~Store() = default;
  virtual absl::string_view backend_name() const = 0;
  virtual NamespaceStore& namespaces() = 0;
  virtual ClusterStore& cluster() = 0;
  virtual ExecutionStore& executions() = 0;
  virtual VisibilityStore& visibility() = 0;
  virtual JobStore& jobs() = 0;
  virtual MembershipStore& membership() = 0;
  virtual TaskQueueStore& task_queues() = 0;
};

// Opens the store the config names. SQLite creates and upgrades its schema
// itself; on PostgreSQL and MySQL the schema is `zaman db setup`'s and
// `migrate`'s job, and a store without it, or with an older one, is refused
// (FailedPrecondition naming the command). A schema newer than this binary
// knows is always refused.
absl::StatusOr<std::unique_ptr<Store>> OpenStore(const PersistenceConfig& config);

// `zaman db setup`: creates the database when it is missing, then the schema.
absl::Status SetupStore(const PersistenceConfig& config);
// `zaman db migrate`: applies the schema versions the store lacks.
absl::Status MigrateStore(const PersistenceConfig& config);
struct SchemaVersionInfo {
  int applied = 0;  // 0: no schema
  int known = 0;    // the newest this binary has
};
// `zaman db version`.
absl::StatusOr<SchemaVersionInfo> StoreSchemaVersion(const PersistenceConfig& config);

}  // namespace zaman::persistence
