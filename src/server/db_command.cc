#include "server/db_command.h"

#include <iostream>

#include "absl/strings/str_cat.h"
#include "persistence/store.h"
#include "server/config.h"

namespace zaman::server {
namespace {

// Where the store is, without its password.
std::string Describe(const persistence::PersistenceConfig& p) {
  if (p.driver == "sqlite") return absl::StrCat("sqlite ", p.sqlite_path);
  return absl::StrCat(p.driver, " ", p.sql.user, "@", p.sql.host, ":", p.sql.port, "/", p.sql.database);
}

}  // namespace

int RunDbCommand(const std::string& action, const std::string& config_path) {
  absl::StatusOr<ServerConfig> config = LoadConfigFile(config_path);
  if (!config.ok()) {
    std::cerr << "zaman: " << config_path << ": " << config.status().message() << "\n";
    return 2;
  }
  const persistence::PersistenceConfig& store = config->persistence;
  if (store.driver == "memory") {
    std::cerr << "zaman: the memory store has no schema to manage\n";
    return 2;
  }
  absl::Status status;
  if (action == "setup") {
    status = persistence::SetupStore(store);
  } else if (action == "migrate") {
    status = persistence::MigrateStore(store);
  }
  if (!status.ok()) {
    std::cerr << "zaman: db " << action << " (" << Describe(store) << "): " << status.message() << "\n";
    return 1;
  }
  absl::StatusOr<persistence::SchemaVersionInfo> version = persistence::StoreSchemaVersion(store);
  if (!version.ok()) {
    std::cerr << "zaman: db " << action << " (" << Describe(store) << "): " << version.status().message() << "\n";
    return 1;
  }
  std::cout << Describe(store) << ": schema version " << version->applied << " (this zaman knows up to "
            << version->known << ")\n";
  return 0;
}

}  // namespace zaman::server
