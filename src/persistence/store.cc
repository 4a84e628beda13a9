#include "persistence/store.h"

#include "absl/strings/str_cat.h"
#include "persistence/mysql/mysql_store.h"
#include "persistence/postgres/postgres_store.h"
#include "persistence/sqlite/sqlite_store.h"

namespace zaman::persistence {
namespace {

// The SQL server driver the config names, if it names one.
std::optional<sql::Driver> ServerDriver(const PersistenceConfig& config) {
  if (config.driver == "postgres") return postgres::NewDriver(config.sql);
  if (config.driver == "mysql") return mysql::NewDriver(config.sql);
  return std::nullopt;
}

absl::Status UnknownDriver(const PersistenceConfig& config) {
  return absl::InvalidArgumentError(absl::StrCat("persistence driver \"", config.driver,
                                                 "\" is not one of sqlite, memory, postgres, mysql"));
}

}  // namespace

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const PersistenceConfig& config) {
  if (config.driver == "sqlite") return OpenSqliteStore(config.sqlite_path, config.sqlite_space);
  if (config.driver == "memory") return OpenSqliteStore(":memory:");
  if (std::optional<sql::Driver> driver = ServerDriver(config)) {
    return sql::OpenStore(*driver, config.sql.max_connections);
  }
  return UnknownDriver(config);
}

absl::Status SetupStore(const PersistenceConfig& config) {
  if (std::optional<sql::Driver> driver = ServerDriver(config)) return sql::SetupSchema(*driver);
  // SQLite creates its schema when it opens.
  absl::StatusOr<std::unique_ptr<Store>> store = OpenStore(config);
  return store.status();
}

absl::Status MigrateStore(const PersistenceConfig& config) {
  if (std::optional<sql::Driver> driver = ServerDriver(config)) return sql::MigrateSchema(*driver);
  return SetupStore(config);
}

absl::StatusOr<SchemaVersionInfo> StoreSchemaVersion(const PersistenceConfig& config) {
  absl::StatusOr<std::pair<int, int>> version;
  if (std::optional<sql::Driver> driver = ServerDriver(config)) {
    version = sql::SchemaVersion(*driver);
  } else if (config.driver == "sqlite") {
    version = SqliteSchemaVersion(config.sqlite_path);
  } else {
    return UnknownDriver(config);
  }
  if (!version.ok()) return version.status();
  return SchemaVersionInfo{version->first, version->second};
}

}  // namespace zaman::persistence
