#include "persistence/store.h"

#include "absl/strings/str_cat.h"
#include "persistence/sqlite/sqlite_store.h"

namespace zaman::persistence {

absl::StatusOr<std::unique_ptr<Store>> OpenStore(const PersistenceConfig& config) {
  if (config.driver == "sqlite") return OpenSqliteStore(config.sqlite_path);
  if (config.driver == "memory") return OpenSqliteStore(":memory:");
  return absl::InvalidArgumentError(
      absl::StrCat("persistence driver \"", config.driver, "\" is not one of sqlite, memory"));
}

}  // namespace zaman::persistence
